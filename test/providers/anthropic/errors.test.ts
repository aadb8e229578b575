import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { GatewayError, isGatewayError } from '../../../lib/core/errors.js';
import { mapError } from '../../../lib/providers/anthropic/errors.js';
import { jsonFixture } from './helpers.js';

const info = { provider: 'anthropic', model: 'claude-haiku-4-5' };
const body = (type: string, message: string) => ({ type: 'error', error: { type, message } });
const httpError = (status: number, errorBody: unknown, headers: Record<string, string> = {}) =>
  APIError.generate(status, errorBody as object, undefined, new Headers(headers));

describe('mapError', () => {
  it('maps 529 overloaded_error to a retryable 503', () => {
    const mapped = mapError(httpError(529, jsonFixture('error-overloaded.json')), info);
    expect(mapped).toMatchObject({ status: 503, type: 'upstream_error', code: 'overloaded_error', retryable: true });
  });

  it('maps 429 rate_limit_error to a 429 that keeps retry-after', () => {
    const error = httpError(429, body('rate_limit_error', 'Number of request tokens has exceeded your rate limit.'), {
      'retry-after': '7',
    });
    expect(mapError(error, info)).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      retryable: true,
      retryAfterMs: 7000,
    });
  });

  it('passes Anthropic’s message on for a 400', () => {
    const message = 'max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens';
    const mapped = mapError(httpError(400, body('invalid_request_error', message)), info);
    expect(mapped).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request_error',
      message,
    });
  });

  it('maps 401 and 403 to 502 provider_auth_failed without echoing anything about the key', () => {
    for (const status of [401, 403]) {
      const mapped = mapError(httpError(status, body('authentication_error', 'invalid x-api-key sk-ant-123')), info);
      expect(mapped).toMatchObject({ status: 502, code: 'provider_auth_failed' });
      expect(mapped.message).not.toContain('sk-ant');
    }
  });

  it('maps a 404 to model_not_found naming the model', () => {
    const mapped = mapError(httpError(404, jsonFixture('error-not-found.json')), info);
    expect(mapped).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(mapped.message).toContain('claude-haiku-4-5');
  });

  it('maps a 500 api_error to a retryable 502', () => {
    expect(mapError(httpError(500, body('api_error', 'Internal server error')), info)).toMatchObject({
      status: 502,
      type: 'upstream_error',
      retryable: true,
    });
  });

  it('maps a stream error event (an APIError with no status) to upstream_error with Anthropic’s code', () => {
    const error = new APIError(
      undefined,
      body('api_error', 'Internal server error'),
      undefined,
      new Headers(),
      'api_error',
    );
    expect(mapError(error, info)).toMatchObject({ status: 502, type: 'upstream_error', code: 'api_error' });
  });

  it('maps connection failures and timeouts', () => {
    expect(mapError(new APIConnectionError({ message: 'Connection error.' }), info)).toMatchObject({
      status: 502,
      code: 'upstream_unreachable',
      retryable: true,
    });
    expect(mapError(new APIConnectionTimeoutError(), info)).toMatchObject({
      status: 504,
      code: 'upstream_timeout',
    });
    expect(mapError(new TypeError('terminated'), info)).toMatchObject({ status: 502, code: 'upstream_error' });
  });

  it('keeps GatewayErrors and hides anything unexpected behind a generic 502', () => {
    const own = new GatewayError({ status: 400, type: 'invalid_request_error', message: 'x' });
    expect(mapError(own, info)).toBe(own);
    const mapped = mapError(new Error('secret internal detail at 10.0.0.1'), info);
    expect(isGatewayError(mapped)).toBe(true);
    // Retryable, as every provider's unreadable answer is (shared/http-errors.ts).
    expect(mapped).toMatchObject({ status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true });
    expect(mapped.message).not.toContain('10.0.0.1');
  });
});
