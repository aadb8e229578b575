/**
 * Anthropic SDK errors → GatewayError. HTTP errors follow the contract's status mapping (shared/http-errors.ts) with
 * Anthropic's error `type` as the code: 529 `overloaded_error` → 503, `rate_limit_error` → 429 with `retry-after`,
 * `invalid_request_error` → 400 with Anthropic's message, 401/403 → 502 `provider_auth_failed`.
 * Read by shape, not by class, so this file does not load the SDK.
 * @see https://docs.anthropic.com/en/api/errors
 */
import { GatewayError, isGatewayError } from '../../core/errors.js';
import type { ErrorContext } from '../shared/error-context.js';
import {
  invalidResponse,
  mapUpstreamStatus,
  streamCutOff,
  upstreamTimeout,
  upstreamUnreachable,
} from '../shared/http-errors.js';
import { errorBodySchema } from './wire.js';

interface ApiErrorShape {
  status?: unknown;
  headers?: unknown;
  error?: unknown;
}

export function mapError(error: unknown, info: ErrorContext): GatewayError {
  if (isGatewayError(error)) return error;
  if (!(error instanceof Error)) return invalidResponse(info.provider, error);
  const shape = error as ApiErrorShape;
  const body = errorBodySchema.safeParse(shape.error);
  const upstream = body.success ? body.data.error : undefined;
  if (typeof shape.status === 'number') {
    const headers = shape.headers instanceof Headers ? shape.headers : undefined;
    return mapUpstreamStatus({
      provider: info.provider,
      status: shape.status,
      message: upstream?.message ?? undefined,
      code: upstream?.type ?? null,
      retryAfter: headers?.get('retry-after'),
      retryAfterMs: headers?.get('retry-after-ms'),
      model: info.model,
      cause: error,
    });
  }
  // The SDK raises an `event: error` of a stream as an APIError with no status.
  if (upstream) return mapStreamErrorEvent(info.provider, upstream, error);
  if (error.name === 'APIConnectionTimeoutError') return upstreamTimeout(info.provider, error);
  if (error.name === 'APIConnectionError') return upstreamUnreachable(info.provider, error);
  // undici's word for a connection that closed while the body was still arriving.
  if (error instanceof TypeError && error.message === 'terminated') return streamCutOff(info.provider, error);
  return invalidResponse(info.provider, error);
}

/**
 * An `error` event after the stream began (e.g. `overloaded_error`, which would have been a 529 before it): the
 * gateway's final SSE error event carries `type: upstream_error` and Anthropic's own code.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events
 */
export function mapStreamErrorEvent(
  provider: string,
  upstream: { type: string; message?: string | null },
  cause?: unknown,
): GatewayError {
  const transient = upstream.type === 'overloaded_error' || upstream.type === 'api_error';
  return new GatewayError({
    status: upstream.type === 'overloaded_error' ? 503 : upstream.type === 'rate_limit_error' ? 429 : 502,
    type: 'upstream_error',
    code: upstream.type,
    message: `${provider} reported an error during the response: ${upstream.message?.trim() || upstream.type}.`,
    retryable: transient || upstream.type === 'rate_limit_error',
    cause: cause ?? upstream,
  });
}
