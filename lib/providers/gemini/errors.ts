/**
 * @google/genai errors → GatewayError. The SDK throws `ApiError` (`status` = the HTTP status, `message` = the JSON
 * error body, or "got status: X. {body}" for an error event inside a stream); Google's body is
 * `{"error": {"code", "message", "status", "details"}}` with a canonical status name that decides the mapping.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 * @see https://cloud.google.com/apis/design/errors#error_model
 */
import { type GatewayError, isGatewayError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import type { ErrorContext } from '../shared/error-context.js';
import { connectionLost, invalidResponse, mapUpstreamStatus, upstreamUnreachable } from '../shared/http-errors.js';

/** Google's canonical error statuses → the HTTP status they stand for. */
const CANONICAL_STATUS: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNKNOWN: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** `ErrorInfo.reason` values that mean the credential is wrong, though Google sends them as a 400. */
const AUTH_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED']);

interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; reason?: string; retryDelay?: string }[];
}

/**
 * Maps anything thrown by an SDK call or while reading its stream. After the gateway aborted the call, what this
 * says is not read: the pipeline decides (lib/gateway/call.ts).
 */
export function mapError(error: unknown, info: ErrorContext): GatewayError {
  if (isGatewayError(error)) return error;
  const { provider } = info;
  // The SDK's error becomes the GatewayError's `cause`, which the gateway logs: an upstream that echoes the
  // credential back must not put it in the logs either.
  if (error instanceof Error) error.message = redactMessage(error.message, info.secrets) ?? error.message;
  if (error instanceof Error && error.name === 'ApiError') {
    const body = parseErrorBody(error.message);
    const httpStatus = (error as Error & { status?: unknown }).status;
    let status = CANONICAL_STATUS[body?.status ?? ''] ?? (typeof httpStatus === 'number' ? httpStatus : 500);
    if (body?.details?.some((detail) => AUTH_REASONS.has(detail.reason ?? ''))) status = 401;
    const retryDelay = body?.details?.find((detail) => detail['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
    return mapUpstreamStatus({
      provider,
      status,
      message: redactMessage(body?.message, info.secrets),
      retryAfter: retryDelay ? String(Number.parseFloat(retryDelay)) : null,
      model: info.model,
      cause: error,
    });
  }
  // fetch's own failure before any answer (refused, reset, DNS): worth a retry.
  if (error instanceof TypeError && error.message === 'fetch failed') return upstreamUnreachable(provider, error);
  if (error instanceof Error && /parsing stream chunk/.test(error.message)) return invalidResponse(provider, error);
  return connectionLost(provider, error);
}

/** The `error` object inside the SDK's message, which is the body's JSON, possibly after a "got status" prefix. */
export function parseErrorBody(message: string): GoogleErrorBody | undefined {
  const start = message.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    const inner = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    // Some proxies answer with a list of errors.
    const error = Array.isArray(parsed) ? (parsed[0] as { error?: unknown } | undefined)?.error : inner;
    return typeof error === 'object' && error !== null ? (error as GoogleErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function redactMessage(text: string | undefined, secrets: readonly string[] = []): string | undefined {
  return typeof text === 'string' ? redact(text, secrets) : undefined;
}
