/**
 * The Anthropic ChatModel against the Anthropic simulator (upstream errors): what the simulator received (the converted
 * request) and what came back.
 */
import { describe, expect, it } from 'vitest';
import { anthropicFactory } from '../../../lib/providers/anthropic/index.js';
import { errorReply } from '../../../simulators/anthropic.js';
import { ask, failure, testContext, useAnthropic } from './helpers.js';

const h = useAnthropic();

describe('upstream errors', () => {
  it('maps 529 overloaded to a retryable 503', async () => {
    h.sim.script(errorReply(529, 'overloaded_error', 'Overloaded'));
    const error = await failure(() => h.model.complete(ask('x'), testContext()));
    expect(error).toMatchObject({ status: 503, type: 'upstream_error', code: 'overloaded_error', retryable: true });
  });

  it('maps 429 to 429 with retry-after', async () => {
    h.sim.script(
      errorReply(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '3',
      }),
    );
    const error = await failure(() => h.model.complete(ask('x'), testContext()));
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', retryable: true, retryAfterMs: 3000 });
  });

  it('passes a 400’s message to the caller', async () => {
    h.sim.script(
      errorReply(400, 'invalid_request_error', 'messages: roles must alternate between "user" and "assistant"'),
    );
    const error = await failure(() => h.model.complete(ask('x'), testContext()));
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: 'messages: roles must alternate between "user" and "assistant"',
    });
  });

  it('maps 500 to a retryable 502', async () => {
    h.sim.script(errorReply(500, 'api_error', 'Internal server error'));
    const error = await failure(() => h.model.complete(ask('x'), testContext()));
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', retryable: true });
  });

  it('maps a rejected key to 502 provider_auth_failed without the key', async () => {
    const wrongKey = 'sk-ant-api03-wrong-key';
    const wrong = await anthropicFactory.create(
      { api_key: wrongKey, base_url: h.sim.url },
      { providerName: 'anthropic' },
    );
    const error = await failure(() => wrong.complete(ask('x'), testContext()));
    expect(h.sim.lastRequest?.headers['x-api-key']).toBe(wrongKey);
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', code: 'provider_auth_failed' });
    expect(JSON.stringify({ message: error.message, code: error.code, param: error.param })).not.toContain(wrongKey);
  });

  it('rejects what Claude cannot do before calling it', async () => {
    const error = await failure(() => h.model.complete(ask('x', { n: 3 }), testContext()));
    expect(error).toMatchObject({ status: 400, param: 'n' });
    expect(h.sim.requests).toHaveLength(0);
  });
});
