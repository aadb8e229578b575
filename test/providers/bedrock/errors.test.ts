import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../../lib/core/errors.js';
import { mapError } from '../../../lib/providers/bedrock/errors.js';

/** An error shaped like the SDK's modelled exceptions. */
function awsError(name: string, status: number, message = `${name} message`) {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

function map(error: unknown): GatewayError {
  return mapError(error, { provider: 'bedrock', model: MODEL });
}

describe('mapError', () => {
  it.each([
    ['ThrottlingException', 429, 429, 'rate_limit_exceeded', true],
    ['ServiceQuotaExceededException', 400, 429, 'rate_limit_exceeded', true],
    ['ModelNotReadyException', 429, 503, 'model_not_ready', true],
    ['ServiceUnavailableException', 503, 503, 'provider_overloaded', true],
    ['ModelTimeoutException', 408, 504, 'upstream_timeout', false],
    ['InternalServerException', 500, 502, 'upstream_error', true],
    ['ModelErrorException', 424, 502, 'model_error', true],
    ['ModelStreamErrorException', 424, 502, 'model_stream_error', true],
    ['ResourceNotFoundException', 404, 404, 'model_not_found', false],
    ['AccessDeniedException', 403, 502, 'provider_auth_failed', false],
    ['UnrecognizedClientException', 403, 502, 'provider_auth_failed', false],
  ])('maps %s (HTTP %i) to %i %s', (name, upstreamStatus, status, code, retryable) => {
    const error = map(awsError(name, upstreamStatus));
    expect(error).toMatchObject({ status, code, retryable });
  });

  it('passes a ValidationException’s message on as a 400', () => {
    const error = map(awsError('ValidationException', 400, 'maxTokens exceeds the model limit'));
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: 'maxTokens exceeds the model limit',
    });
  });

  it('words access errors itself: AWS’s message names the account and role', () => {
    const upstream =
      'User: arn:aws:sts::123456789012:assumed-role/gateway/fn is not authorized to perform: bedrock:InvokeModel';
    const error = map(awsError('AccessDeniedException', 403, upstream));
    expect(error.message).not.toContain('123456789012');
    expect(error.message).toContain(MODEL);
  });

  it('maps a refused connection to upstream_unreachable without the address', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' });
    const error = map(refused);
    expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
    expect(error.message).not.toContain('10.0.0.7');
  });

  it('maps a missing default credential to provider_auth_failed', () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(map(missing)).toMatchObject({ status: 502, code: 'provider_auth_failed' });
  });
});
