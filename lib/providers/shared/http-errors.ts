import { GatewayError } from '../../core/errors.js';

export interface UpstreamHttpError {
  /** The provider's name as the caller wrote it (`openai`, `acme`): used in messages, never a hostname. */
  provider: string;
  status: number;
  /** The provider's own message; shown to the caller only for 400/422, where the caller can act on it. */
  message?: string;
  /** The provider's own error code or type (e.g. `context_length_exceeded`, `overloaded_error`). */
  code?: string | null;
  param?: string | null;
  /** The `retry-after` header (seconds or an HTTP date) or `retry-after-ms`, as received. */
  retryAfter?: string | null;
  retryAfterMs?: string | null;
  model?: string;
  cause?: unknown;
}

/**
 * Maps an upstream HTTP status to the contract's error (CONTRACT.md §2), the same for every provider:
 * 400/422 → 400 with the provider's message; 401/403 → 502 `provider_auth_failed` (never the credential);
 * 404 → 404 `model_not_found`; 408 → 504; 429 → 429 with `retry-after`; 529 → 503; other 5xx → 502.
 */
export function mapUpstreamStatus(error: UpstreamHttpError): GatewayError {
  const { provider, status, cause } = error;
  const retryAfterMs = parseRetryAfter(error.retryAfter, error.retryAfterMs);
  if (status === 400 || status === 422 || status === 413) {
    return new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: error.code ?? null,
      param: error.param ?? null,
      message: error.message?.trim() || `${provider} rejected the request.`,
      cause,
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'provider_auth_failed',
      message: `The ${provider} credential configured for this project was rejected by ${provider}.`,
      cause,
    });
  }
  if (status === 404) {
    return new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: error.model
        ? `${provider} does not know the model '${error.model}', or it is not enabled for this credential.`
        : `${provider} answered 404: the model is unknown or not enabled for this credential.`,
      cause,
    });
  }
  if (status === 408) return upstreamTimeout(provider, cause);
  if (status === 429) {
    return new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      // One code for every provider's 429 (Anthropic says `rate_limit_error`, Bedrock `ThrottlingException`…), the
      // same as the gateway's own limit: clients branch on it.
      code: 'rate_limit_exceeded',
      message: `${provider} is rate limiting this credential; try again later.`,
      retryable: true,
      retryAfterMs,
      cause,
    });
  }
  if (status === 529 || status === 503) {
    return new GatewayError({
      status: 503,
      type: 'upstream_error',
      code: error.code ?? 'provider_overloaded',
      message: `${provider} is overloaded; try again later.`,
      retryable: true,
      retryAfterMs,
      cause,
    });
  }
  if (status === 504) return upstreamTimeout(provider, cause);
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_error',
    message: `${provider} failed to answer (HTTP ${status}).`,
    retryable: status >= 500,
    retryAfterMs,
    cause,
  });
}

export function upstreamTimeout(provider: string, cause?: unknown): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'upstream_error',
    code: 'upstream_timeout',
    message: `${provider} did not answer in time.`,
    retryable: false,
    fallback: true,
    cause,
  });
}

/** A provider answer that does not parse or validate: 502, worth a retry (it is usually transient). */
export function invalidResponse(provider: string, cause?: unknown): GatewayError {
  return retryable502('upstream_error', `${provider} sent a response the gateway could not read.`, cause);
}

/** The connection broke after the provider had started answering (reset, truncated body): 502, worth a retry. */
export function connectionLost(provider: string, cause?: unknown): GatewayError {
  return retryable502(
    'upstream_error',
    `The connection to ${provider} was lost before the answer was complete.`,
    cause,
  );
}

/**
 * The stream ended before its final event (Anthropic's `message_stop`, OpenAI's `finish_reason`, Converse's
 * `messageStop`): the connection dropped or the upstream gave up. 502, worth a retry.
 */
export function streamCutOff(provider: string, cause?: unknown): GatewayError {
  return retryable502('upstream_error', `${provider} ended the stream before the answer was complete.`, cause);
}

/** A network failure reaching the provider (connection refused, reset, DNS): 502, worth a retry. */
export function upstreamUnreachable(provider: string, cause?: unknown): GatewayError {
  return retryable502('upstream_unreachable', `The gateway could not reach ${provider}.`, cause);
}

/** The upstream failed after the gateway asked (or could not be reached): a 502 worth another attempt. */
function retryable502(code: string, message: string, cause: unknown): GatewayError {
  return new GatewayError({ status: 502, type: 'upstream_error', code, message, retryable: true, cause });
}

/** `retry-after-ms` wins over `retry-after`; seconds or an HTTP date; capped at 60 s. */
export function parseRetryAfter(retryAfter?: string | null, retryAfterMs?: string | null): number | undefined {
  if (retryAfterMs) {
    const ms = Number(retryAfterMs);
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 60_000);
  }
  if (!retryAfter) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - Date.now()), 60_000);
}
