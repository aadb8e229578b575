/**
 * openai SDK errors → GatewayError, through the contract's shared status mapping. The SDK's classes are handed in
 * (see client.ts) so this file does not load the SDK. Messages name the provider as the caller wrote it and never
 * hold the api key or the upstream's host.
 * @see https://github.com/openai/openai-node#handling-errors
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import { GatewayError, isGatewayError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import type { ErrorContext } from '../shared/error-context.js';
import {
  connectionLost,
  invalidResponse,
  mapUpstreamStatus,
  upstreamTimeout,
  upstreamUnreachable,
} from '../shared/http-errors.js';
import type { SdkErrorClasses } from './client.js';

/** The shared ErrorContext plus the SDK's error classes, handed in so this file can test `instanceof`. */
export interface OpenAIErrorContext extends ErrorContext {
  sdk: SdkErrorClasses;
}

/** The OpenAI error body's `error` object, as the SDK keeps it on `APIError.error`. */
interface UpstreamErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  param?: unknown;
}

/**
 * Maps anything thrown by an SDK call. After the gateway aborted the call, what this says is not read: the
 * pipeline decides (lib/gateway/call.ts).
 */
export function mapError(error: unknown, info: OpenAIErrorContext): GatewayError {
  if (isGatewayError(error)) return error;
  const { provider, sdk } = info;
  // Order matters: the timeout and abort classes extend APIConnectionError, which extends APIError.
  if (error instanceof sdk.APIConnectionTimeoutError) return upstreamTimeout(provider, error);
  if (error instanceof sdk.APIUserAbortError) return upstreamUnreachable(provider, error);
  if (error instanceof sdk.APIConnectionError) return upstreamUnreachable(provider, error);
  if (error instanceof sdk.APIError) {
    const body = asErrorBody(error.error);
    if (error.status === undefined) return mapErrorEvent(body, info, error);
    return mapUpstreamStatus({
      provider,
      status: error.status,
      message: redactMessage(stringOrUndefined(body?.message), info.secrets),
      code: stringOrUndefined(body?.code) ?? null,
      param: stringOrUndefined(body?.param) ?? null,
      retryAfter: error.headers?.get('retry-after') ?? null,
      retryAfterMs: error.headers?.get('retry-after-ms') ?? null,
      model: info.model,
      cause: error,
    });
  }
  // The body could not be read: a JSON syntax error, or the connection dropped mid-body or mid-stream.
  if (error instanceof SyntaxError) return invalidResponse(provider, error);
  return connectionLost(provider, error);
}

/**
 * An `error` event inside a 200 stream (the SDK raises it as an APIError without a status). OpenAI sends
 * `{message, type, code}`; OpenRouter sends an HTTP status as a numeric `code`, mapped like the status itself.
 */
function mapErrorEvent(body: UpstreamErrorBody | undefined, info: ErrorContext, cause: unknown): GatewayError {
  const { provider } = info;
  const message = redactMessage(stringOrUndefined(body?.message), info.secrets);
  if (typeof body?.code === 'number' && body.code >= 400 && body.code <= 599) {
    return mapUpstreamStatus({ provider, status: body.code, message, model: info.model, cause });
  }
  const code = stringOrUndefined(body?.code) ?? stringOrUndefined(body?.type) ?? 'upstream_error';
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code,
    message: message ? `${provider} reported an error: ${message}` : `${provider} reported an error (${code}).`,
    retryable: true,
    cause,
  });
}

function asErrorBody(value: unknown): UpstreamErrorBody | undefined {
  return typeof value === 'object' && value !== null ? (value as UpstreamErrorBody) : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Upstream messages are shown to callers on 400s: take out anything of ours they might echo back. */
function redactMessage(text: string | undefined, secrets: readonly string[] = []): string | undefined {
  return text === undefined ? undefined : redact(text, secrets);
}
