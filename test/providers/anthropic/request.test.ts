import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../lib/catalog.js';
import type { ChatRequest } from '../../../lib/core/types.js';
import { DEFAULT_MAX_TOKENS, toRequest } from '../../../lib/providers/anthropic/request.js';
import { jsonFixture, testContext } from './helpers.js';

const base: ChatRequest = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hello' }] };
const sonnet: CatalogEntry = {
  model: 'claude-sonnet-4-5',
  model_provider: 'anthropic',
  inference_provider: { provider: 'anthropic', model_name: 'claude-sonnet-4-5-20250929' },
  type: 'completions',
  limits: { max_output_tokens: 64000 },
};

describe('toRequest', () => {
  it('converts the documented tool-use request', () => {
    const prepared = toRequest(jsonFixture<ChatRequest>('request-tool-use.openai.json'), testContext());
    expect(prepared.body).toEqual(jsonFixture('request-tool-use.anthropic.json'));
    expect(prepared.jsonMode).toBe(false);
  });

  it('defaults max_tokens to the catalog output limit, else 4096', () => {
    expect(toRequest(base, testContext(sonnet)).body.max_tokens).toBe(64000);
    expect(toRequest(base, testContext()).body.max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(DEFAULT_MAX_TOKENS).toBe(4096);
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    const body = toRequest({ ...base, max_tokens: 100, max_completion_tokens: 200 }, testContext(sonnet)).body;
    expect(body.max_tokens).toBe(200);
    expect(toRequest({ ...base, max_tokens: 100 }, testContext(sonnet)).body.max_tokens).toBe(100);
  });

  it('maps stop, temperature, top_p and user', () => {
    const body = toRequest(
      { ...base, stop: ['\n\nHuman:', 'END'], temperature: 0.2, top_p: 0.9, user: 'user-42' },
      testContext(),
    ).body;
    expect(body).toMatchObject({
      stop_sequences: ['\n\nHuman:', 'END'],
      temperature: 0.2,
      top_p: 0.9,
      metadata: { user_id: 'user-42' },
    });
    expect(toRequest({ ...base, stop: 'END' }, testContext()).body.stop_sequences).toEqual(['END']);
  });

  it('sends nothing for fields the caller left out', () => {
    expect(toRequest(base, testContext()).body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('drops hints Claude lacks and reports each one as ignored', () => {
    const ctx = testContext();
    const body = toRequest(
      {
        ...base,
        seed: 7,
        frequency_penalty: 0.5,
        presence_penalty: 0.1,
        logit_bias: { '50256': -100 },
        metadata: { team: 'search' },
        service_tier: 'auto',
        store: false,
        user: 'u1',
        parallel_tool_calls: true,
      },
      ctx,
    ).body;
    expect(ctx.ignored.sort()).toEqual(
      ['frequency_penalty', 'logit_bias', 'metadata', 'presence_penalty', 'seed', 'service_tier', 'store'].sort(),
    );
    expect(body).not.toHaveProperty('seed');
    expect(body.metadata).toEqual({ user_id: 'u1' });
  });

  it('rejects n > 1 and logprobs with a 400 naming the field', () => {
    expect(() => toRequest({ ...base, n: 2 }, testContext())).toThrow(
      expect.objectContaining({ status: 400, param: 'n' }),
    );
    expect(() => toRequest({ ...base, logprobs: true }, testContext())).toThrow(
      expect.objectContaining({ status: 400, param: 'logprobs' }),
    );
    expect(() => toRequest({ ...base, n: 1, logprobs: false }, testContext())).not.toThrow();
  });

  it('rejects a temperature above Claude’s range instead of clamping it', () => {
    expect(() => toRequest({ ...base, temperature: 1.5 }, testContext())).toThrow(
      expect.objectContaining({ status: 400, param: 'temperature' }),
    );
  });

  it('turns response_format json_schema into the forced json_response tool', () => {
    const prepared = toRequest(
      {
        ...base,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'city', schema: { type: 'object', properties: {} } },
        },
      },
      testContext(),
    );
    expect(prepared.jsonMode).toBe(true);
    expect(prepared.body.tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
  });
});
