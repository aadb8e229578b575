import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  InternalServerError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import type { SdkErrorClasses } from '../../../lib/providers/openai/client.js';
import { mapError } from '../../../lib/providers/openai/errors.js';
import { fixtureJson } from './helpers.js';

const sdk: SdkErrorClasses = { APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError };
const KEY = 'sk-test-secret-123';
const HOST = 'llm.internal.example:8443';
const info = { provider: 'acme', model: 'acme-large', secrets: [HOST, KEY] };

function statusError(status: number, body: unknown, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, body as Record<string, unknown>, undefined, new Headers(headers));
}

function map(error: unknown): GatewayError {
  const mapped = mapError(error, { ...info, sdk });
  expect(mapped).toBeInstanceOf(GatewayError);
  return mapped as GatewayError;
}

describe('mapError', () => {
  it('passes a 400 on with the provider’s message, code and param', () => {
    const error = map(statusError(400, fixtureJson('error-context-length.json')));
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' });
    expect(error.param).toBe('messages');
    expect(error.message).toMatch(/^This model's maximum context length is 128000 tokens/);
  });

  it('maps 401 to 502 provider_auth_failed without the key or the host', () => {
    const body = { error: { message: `Incorrect API key provided: ${KEY} at ${HOST}`, code: 'invalid_api_key' } };
    const error = map(statusError(401, body));
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', code: 'provider_auth_failed' });
    expect(error.message).toContain('acme');
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('internal');
  });

  it('maps 404 to model_not_found naming the model', () => {
    const error = map(statusError(404, { error: { message: 'nope', code: 'model_not_found' } }));
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(error.message).toContain('acme-large');
  });

  it('maps 429 with retry-after to a retryable 429 with retryAfterMs', () => {
    const error = map(statusError(429, fixtureJson('error-rate-limit.json'), { 'retry-after': '20' }));
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true, retryAfterMs: 20_000 });
  });

  it('prefers retry-after-ms over retry-after', () => {
    const error = map(statusError(429, {}, { 'retry-after': '20', 'retry-after-ms': '1500' }));
    expect(error.retryAfterMs).toBe(1500);
  });

  it('maps 500 to a retryable 502 and 503 to a retryable 503', () => {
    expect(map(statusError(500, { error: { message: 'boom' } }))).toMatchObject({ status: 502, retryable: true });
    expect(map(new InternalServerError(503, undefined, 'overloaded', new Headers()))).toMatchObject({
      status: 503,
      retryable: true,
    });
  });

  it('keeps the provider’s code for an error event sent mid-stream', () => {
    const event = { message: 'The server had an error while processing your request.', type: 'server_error' };
    const error = map(new APIError(undefined, event, undefined, new Headers()));
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', code: 'server_error', retryable: true });
    expect(error.message).toContain('acme');
    expect(error.message).toContain('had an error');
  });

  it('maps an OpenRouter-style error event with an HTTP status as its code like that status', () => {
    const event = { code: 429, message: 'Rate limited upstream' };
    expect(map(new APIError(undefined, event, undefined, new Headers()))).toMatchObject({ status: 429 });
  });

  it('maps SDK connection failures to timeout and unreachable errors', () => {
    expect(map(new APIConnectionTimeoutError())).toMatchObject({ status: 504, code: 'upstream_timeout' });
    const refused = new APIConnectionError({ message: 'Connection error.', cause: new Error('ECONNREFUSED') });
    expect(map(refused)).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
  });

  it('maps an unreadable body and a dropped connection to a retryable 502', () => {
    expect(map(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(map(new TypeError('terminated'))).toMatchObject({ status: 502, code: 'upstream_error', retryable: true });
  });

  it('maps an abort the gateway did not ask for (the SDK gave up on its own) to an unreachable 502', () => {
    expect(map(new APIUserAbortError())).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
  });

  it('takes the key and host out of messages it passes on', () => {
    const body = {
      error: { message: `Bad value for ${KEY} sent to https://${HOST}/v1`, type: 'invalid_request_error' },
    };
    const error = map(statusError(400, body));
    expect(error.message).toBe('Bad value for [redacted] sent to https://[redacted]/v1');
  });
});
