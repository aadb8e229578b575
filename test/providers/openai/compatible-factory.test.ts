import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../lib/core/types.js';
import {
  BUILTIN_OPENAI_COMPATIBLE,
  builtinOpenAICompatibleFactory,
  openaiCompatibleFactory,
} from '../../../lib/providers/openai/index.js';
import type { Simulator } from '../../../simulators/base.js';
import { errorReply, jsonReply, startOpenAISimulator } from '../../../simulators/openai.js';
import { collect, fixtureJson, testContext } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startOpenAISimulator();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const request: ChatRequest = {
  model: 'llama-3-8b',
  messages: [{ role: 'user', content: 'hi acme' }],
  // A field only this upstream understands: compatible providers take it as it is.
  top_k: 40,
};

describe('openaiCompatibleFactory', () => {
  it('sends no Authorization header at all without an api key, and the custom headers', async () => {
    const credential = {
      type: 'openai-compatible' as const,
      base_url: `${sim.url}/v1`,
      headers: { 'X-Tenant': 'blue' },
    };
    const model = await openaiCompatibleFactory.create(credential, { providerName: 'acme' });
    const result = await model.complete(request, testContext());
    expect(result.choices[0]!.message.content).toBe('You said: hi acme');
    const sent = sim.lastRequest!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['api-key']).toBeUndefined();
    expect(JSON.stringify(sent.headers)).not.toMatch(/bearer|no-api-key/i);
    expect(sent.headers['x-tenant']).toBe('blue');
    expect(sent.body).toEqual(request);
  });

  it('lets a custom Authorization header through when there is no api key', async () => {
    const credential = {
      type: 'openai-compatible' as const,
      base_url: `${sim.url}/v1`,
      headers: { authorization: 'Token abc' },
    };
    const model = await openaiCompatibleFactory.create(credential, { providerName: 'acme' });
    await model.complete(request, testContext());
    expect(sim.lastRequest!.headers.authorization).toBe('Token abc');
  });

  it('sends the api key as a bearer token under the base URL’s own path', async () => {
    const credential = {
      type: 'openai-compatible' as const,
      base_url: `${sim.url}/inference/v1`,
      api_key: 'acme-key-1',
    };
    const model = await openaiCompatibleFactory.create(credential, { providerName: 'acme' });
    const chunks = await collect(model.stream({ ...request, stream: true }, testContext()));
    expect(chunks.at(-1)!.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: 4 });
    expect(sim.lastRequest!.path).toBe('/inference/v1/chat/completions');
    expect(sim.lastRequest!.headers.authorization).toBe('Bearer acme-key-1');
  });

  it('names the provider, never its host, in errors', async () => {
    sim.script(errorReply(500));
    const credential = { type: 'openai-compatible' as const, base_url: `${sim.url}/v1` };
    const model = await openaiCompatibleFactory.create(credential, { providerName: 'acme' });
    const error = await model.complete(request, testContext()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, retryable: true });
    expect((error as Error).message).toContain('acme');
    expect((error as Error).message).not.toContain('127.0.0.1');
  });

  it('validates the credential shape', () => {
    const schema = openaiCompatibleFactory.credentialSchema;
    const base = { type: 'openai-compatible', base_url: 'https://llm.example.com/v1' };
    expect(schema.safeParse(base).success).toBe(true);
    expect(schema.safeParse({ ...base, models: [{ id: 'm', input_per_million: 0.5 }] }).success).toBe(true);
    expect(schema.safeParse({ ...base, type: 'openai' }).success).toBe(false);
    expect(schema.safeParse({ type: 'openai-compatible' }).success).toBe(false);
    expect(schema.safeParse({ ...base, headers: { 'bad header': 'x' } }).success).toBe(false);
    expect(schema.safeParse({ ...base, models: [{ id: 'm', output_per_million: -1 }] }).success).toBe(false);
  });
});

describe('builtinOpenAICompatibleFactory', () => {
  it('uses the built-in base URL it is given', async () => {
    const options = { providerName: 'groq', defaultBaseUrl: `${sim.url}/openai/v1` };
    const model = await builtinOpenAICompatibleFactory.create({ api_key: 'gsk_1' }, options);
    await model.complete(request, testContext());
    expect(sim.lastRequest!.path).toBe('/openai/v1/chat/completions');
    expect(sim.lastRequest!.headers.authorization).toBe('Bearer gsk_1');
  });

  it('keeps DeepSeek’s reasoning_content and cache hits from a recorded answer', async () => {
    sim.script(jsonReply(200, fixtureJson('chat-completion-deepseek-reasoner.json')));
    const options = { providerName: 'deepseek', defaultBaseUrl: `${sim.url}/v1` };
    const model = await builtinOpenAICompatibleFactory.create({ api_key: 'sk-ds' }, options);
    const result = await model.complete({ ...request, model: 'deepseek-reasoner' }, testContext());
    expect(result.choices[0]!.message).toMatchObject({ reasoning_content: expect.stringContaining('tenths') });
    expect(result.usage).toMatchObject({ inputTokens: 18, cacheReadTokens: 12, reasoningTokens: 41 });
    expect(sim.lastRequest!.body).toMatchObject({ model: 'deepseek-reasoner' });
  });

  it('prefers the credential’s own base_url', async () => {
    const options = { providerName: 'groq', defaultBaseUrl: 'https://api.groq.com/openai/v1' };
    const model = await builtinOpenAICompatibleFactory.create({ api_key: 'gsk_1', base_url: `${sim.url}/v2` }, options);
    await model.complete(request, testContext());
    expect(sim.lastRequest!.path).toBe('/v2/chat/completions');
  });

  it('requires an api key', () => {
    const schema = builtinOpenAICompatibleFactory.credentialSchema;
    expect(schema.safeParse({ api_key: 'k' }).success).toBe(true);
    expect(schema.safeParse({}).success).toBe(false);
  });

  it('knows the public base URL of each well-known service', () => {
    expect(Object.keys(BUILTIN_OPENAI_COMPATIBLE).sort()).toEqual(
      ['deepinfra', 'deepseek', 'fireworksai', 'groq', 'mistral', 'openrouter', 'togetherai', 'xai'].sort(),
    );
    expect(BUILTIN_OPENAI_COMPATIBLE.groq?.baseUrl).toBe('https://api.groq.com/openai/v1');
    expect(BUILTIN_OPENAI_COMPATIBLE.deepinfra?.baseUrl).toBe('https://api.deepinfra.com/v1/openai');
    for (const { baseUrl } of Object.values(BUILTIN_OPENAI_COMPATIBLE)) {
      expect(new URL(baseUrl).protocol).toBe('https:');
      expect(baseUrl.endsWith('/')).toBe(false);
    }
  });
});
