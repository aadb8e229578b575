import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatRequest } from '../../../lib/core/types.js';
import { azureFactory, isAzureEndpoint, openaiFactory } from '../../../lib/providers/openai/index.js';
import type { Simulator } from '../../../simulators/base.js';
import { errorReply, startOpenAISimulator } from '../../../simulators/openai.js';
import { collect, testContext } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startOpenAISimulator();
});
afterEach(() => {
  sim.reset();
  vi.unstubAllGlobals();
});
afterAll(() => sim.close());

const KEY = 'azure-key-0123456789';
const request: ChatRequest = { model: 'my-gpt4o-deployment', messages: [{ role: 'user', content: 'hi azure' }] };

describe('azureFactory', () => {
  it('calls the deployment path with the api-key header and the default api-version', async () => {
    const model = await azureFactory.create({ api_key: KEY, endpoint: sim.url }, { providerName: 'azure' });
    const result = await model.complete(request, testContext());
    expect(result.choices[0]!.message.content).toBe('You said: hi azure');
    const sent = sim.lastRequest!;
    expect(sent.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(sent.query.get('api-version')).toBe('2024-10-21');
    expect(sent.headers['api-key']).toBe(KEY);
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('uses the credential’s api_version and tolerates a trailing slash on the endpoint', async () => {
    const credential = { api_key: KEY, endpoint: `${sim.url}/`, api_version: '2025-01-01-preview' };
    const model = await azureFactory.create(credential, { providerName: 'azure' });
    await model.complete(request, testContext());
    expect(sim.lastRequest!.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(sim.lastRequest!.query.get('api-version')).toBe('2025-01-01-preview');
  });

  it('streams with include_usage forced', async () => {
    const model = await azureFactory.create({ api_key: KEY, endpoint: sim.url }, { providerName: 'azure' });
    const chunks = await collect(model.stream({ ...request, stream: true }, testContext()));
    expect(sim.lastRequest!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chunks.at(-1)!.usage?.outputTokens).toBe(4);
  });

  it('never shows the key in an auth failure', async () => {
    sim.script(errorReply(401));
    const model = await azureFactory.create({ api_key: KEY, endpoint: sim.url }, { providerName: 'azure' });
    const error = await model.complete(request, testContext()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: 'provider_auth_failed' });
    expect((error as Error).message).not.toContain(KEY);
  });

  it('validates the credential shape', () => {
    const schema = azureFactory.credentialSchema;
    expect(schema.safeParse({ api_key: 'k', endpoint: 'https://res.openai.azure.com' }).success).toBe(true);
    expect(schema.safeParse({ api_key: 'k' }).success).toBe(false);
    expect(schema.safeParse({ api_key: 'k', endpoint: 'res.openai.azure.com' }).success).toBe(false);
  });
});

describe('openaiFactory with an Azure base URL', () => {
  it('recognises *.azure.com hosts only', () => {
    expect(isAzureEndpoint('https://res.openai.azure.com/')).toBe(true);
    expect(isAzureEndpoint('https://res.cognitiveservices.azure.com/openai')).toBe(true);
    expect(isAzureEndpoint('https://api.openai.com/v1')).toBe(false);
    expect(isAzureEndpoint('https://notazure.com/v1')).toBe(false);
    expect(isAzureEndpoint('not a url')).toBe(false);
  });

  it('builds the Azure client on the URL’s origin', async () => {
    // The SDK takes the global fetch when the client is built: send the Azure host to the simulator.
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      expect(url.host).toBe('res.openai.azure.com');
      return realFetch(`${sim.url}${url.pathname}${url.search}`, init);
    });
    const credential = { api_key: KEY, base_url: 'https://res.openai.azure.com/openai/deployments/ignored' };
    const model = await openaiFactory.create(credential, { providerName: 'openai' });
    await model.complete(request, testContext());
    const sent = sim.lastRequest!;
    expect(sent.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(sent.query.get('api-version')).toBe('2024-10-21');
    expect(sent.headers['api-key']).toBe(KEY);
    expect(sent.headers.authorization).toBeUndefined();
  });
});
