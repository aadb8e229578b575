/**
 * The one error type of the gateway, below every layer. Every step throws it (or has its error mapped into it);
 * `toErrorBody` and `sseErrorEvent` here are the only places that turn it into OpenAI's error envelope, for the
 * chat and admin APIs and the local server alike.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'server_error';

export interface GatewayErrorInit {
  status: number;
  type: ErrorType;
  message: string;
  code?: string | null;
  param?: string | null;
  /** Whether trying the same provider again (before the first byte) may succeed: 429, 5xx, overloaded. */
  retryable?: boolean;
  /** From the upstream's `retry-after` (or the gateway's own limiter), in milliseconds. */
  retryAfterMs?: number;
  /** Whether the gateway should move on to the next of `models` (429, 5xx, timeouts). */
  fallback?: boolean;
  /** The raw upstream error, for logs only: never rendered. */
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly fallback: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: GatewayErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.retryable = init.retryable ?? false;
    this.fallback = init.fallback ?? this.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** 400 naming the offending field in `param`. */
export function badRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
  return new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code });
}

export function modelNotFound(model: string, detail?: string, param = 'model'): GatewayError {
  return new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param,
    message: detail ?? `The model '${model}' does not exist or is not available through this gateway.`,
  });
}

export function unauthorized(message = 'Invalid or missing gateway API key.'): GatewayError {
  return new GatewayError({ status: 401, type: 'authentication_error', code: 'invalid_api_key', message });
}

export function notFound(message: string, code = 'not_found'): GatewayError {
  return new GatewayError({ status: 404, type: 'not_found_error', code, message });
}

/** Any error that is not already a GatewayError becomes an opaque 500: its message may hold internals. */
export function toGatewayError(error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  return new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: 'The gateway failed to handle this request.',
    cause: error,
  });
}

/** OpenAI's error envelope. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function toErrorBody(error: GatewayError): ErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

/**
 * The final event of a stream that failed after it started: OpenAI's error envelope as an SSE `data` event, after
 * which the stream ends without `[DONE]` (the openai SDK raises it as an APIError).
 */
export function sseErrorEvent(error: GatewayError): string {
  const code = error.code ?? 'upstream_error';
  const body = { error: { message: error.message, type: 'upstream_error', param: error.param, code } };
  return `data: ${JSON.stringify(body)}\n\n`;
}
