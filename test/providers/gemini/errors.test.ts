import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../../lib/core/errors.js';
import { mapError, parseErrorBody } from '../../../lib/providers/gemini/errors.js';
import { fixture } from './helpers.js';

/** What @google/genai throws for a non-2xx answer: an ApiError whose message is the JSON body. */
function apiError(status: number, body: unknown, prefix = ''): Error {
  return Object.assign(new Error(`${prefix}${JSON.stringify(body)}`), { name: 'ApiError', status });
}

const info = { provider: 'gemini', model: 'gemini-2.0-flash', secrets: ['AIzaSecretKey123'] };

describe('mapError', () => {
  it('maps RESOURCE_EXHAUSTED to 429 with the RetryInfo delay', () => {
    const error = mapError(apiError(429, fixture('error-429.json')), info);
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', retryable: true, retryAfterMs: 37_000 });
  });

  it('maps UNAVAILABLE to 503, retryable', () => {
    expect(mapError(apiError(503, fixture('error-503.json')), info)).toMatchObject({
      status: 503,
      retryable: true,
    });
  });

  it("passes INVALID_ARGUMENT on as a 400 with Google's message", () => {
    expect(mapError(apiError(400, fixture('error-400-invalid-argument.json')), info)).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: expect.stringContaining('max_output_tokens must be positive'),
    });
  });

  it('treats an invalid api key (a 400 from Google) as the gateway configuration: 502 provider_auth_failed', () => {
    const error = mapError(apiError(400, fixture('error-400-api-key.json')), info);
    expect(error).toMatchObject({ status: 502, code: 'provider_auth_failed' });
  });

  it.each([
    [403, 'PERMISSION_DENIED', 502, 'provider_auth_failed'],
    [401, 'UNAUTHENTICATED', 502, 'provider_auth_failed'],
    [404, 'NOT_FOUND', 404, 'model_not_found'],
    [504, 'DEADLINE_EXCEEDED', 504, 'upstream_timeout'],
    [500, 'INTERNAL', 502, 'upstream_error'],
  ])('maps HTTP %i %s to %i %s', (status, googleStatus, expected, code) => {
    const body = { error: { code: status, message: 'x', status: googleStatus } };
    expect(mapError(apiError(status, body), info)).toMatchObject({ status: expected, code });
  });

  it('maps an error event inside a stream by its canonical status', () => {
    const body = { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } };
    const error = mapError(apiError(503, body, 'got status: UNAVAILABLE. '), info);
    expect(error).toMatchObject({ status: 503 });
  });

  it('never echoes the api key, in the message or in the cause the gateway logs', () => {
    const body = { error: { code: 400, message: 'Key AIzaSecretKey123 is malformed', status: 'INVALID_ARGUMENT' } };
    const error = mapError(apiError(400, body), info) as GatewayError;
    expect(error.message).toContain('is malformed');
    expect(error.message).not.toContain('AIzaSecretKey123');
    expect((error.cause as Error).message).not.toContain('AIzaSecretKey123');
  });

  it('maps a failed connection to 502 upstream_unreachable and a dropped stream to 502', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(mapError(refused, info)).toMatchObject({ status: 502, code: 'upstream_unreachable' });
    expect(mapError(new TypeError('terminated'), info)).toMatchObject({ status: 502, retryable: true });
  });
});

describe('parseErrorBody', () => {
  it('reads the error object after an optional prefix, and from a list', () => {
    expect(parseErrorBody('got status: X. {"error":{"code":1,"status":"X"}}')).toEqual({ code: 1, status: 'X' });
    expect(parseErrorBody('[{"error":{"code":2}}]')).toEqual({ code: 2 });
    expect(parseErrorBody('no json here')).toBeUndefined();
  });
});
