/**
 * `POST /v1/embeddings` end to end on the OpenAI family: the official openai SDK's `embeddings.create` through the
 * local gateway, against the OpenAI simulator registered as `openai`, `azure`, a built-in compatible service
 * (`mistral`) and a custom provider (`acme`): float and base64 answers (the SDK's own default asks for base64 and
 * decodes it), `dimensions`, fallbacks, scopes, refusals, and one priced usage row per request.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Gate, type Simulator } from '../../simulators/base.js';
import { float32Base64, simulatedEmbedding } from '../../simulators/embedding-vectors.js';
import { errorReply, startOpenAISimulator } from '../../simulators/openai.js';
import { embeddingsReply } from '../../simulators/openai-embeddings.js';
import { failure, setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let sim: Simulator;
let client: OpenAI;
let projectId: string;
let restoreEnv: () => void;

interface Row {
  id: string;
  model: string;
  provider: string;
  provider_model: string;
  status: number;
  endpoint: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  usage_estimated: boolean;
}

beforeAll(async () => {
  restoreEnv = setEnv({ GATEWAY_MAX_RETRIES: '0', OPENAI_API_KEY: undefined, VLLORA_OPENAI_API_KEY: undefined });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  let key: string;
  ({ projectId, key } = await gateway.project('embeddings'));
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-sim-embed', base_url: `${sim.url}/v1` });
  await gateway.putProvider(projectId, 'azure', { api_key: 'azure-sim-key', endpoint: sim.url });
  await gateway.putProvider(projectId, 'mistral', { api_key: 'mistral-sim-key', base_url: `${sim.url}/v1` });
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${sim.url}/v1`,
    models: [{ id: 'acme-embed', input_per_million: 0.05, output_per_million: 0 }],
  });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

beforeEach(() => sim.reset());

async function rowOf(requestId: string): Promise<Row> {
  const listing = await gateway.admin<{ data: Row[] }>('GET', `/admin/projects/${projectId}/requests?limit=1000`);
  const row = listing.body.data.find((candidate) => candidate.id === requestId);
  if (!row) throw new Error(`no row ${requestId}`);
  return row;
}

describe('POST /v1/embeddings on OpenAI', () => {
  it('answers floats in input order with usage, asking OpenAI for base64 and decoding it', async () => {
    const { data: page, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: ['alpha beta', 'gamma'], encoding_format: 'float' })
      .withResponse();
    expect(page.object).toBe('list');
    expect(page.model).toBe('text-embedding-3-small');
    expect(page.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(page.data[0]!.embedding).toEqual(simulatedEmbedding('alpha beta', 1536));
    expect(page.data[1]!.embedding).toEqual(simulatedEmbedding('gamma', 1536));
    expect(page.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    const sent = sim.lastRequest!;
    expect(sent.path).toBe('/v1/embeddings');
    expect(sent.headers.authorization).toBe('Bearer sk-sim-embed');
    expect(sent.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['alpha beta', 'gamma'],
      encoding_format: 'base64',
    });
  });

  it('asks a compatible server for the encoding the caller asked', async () => {
    await client.embeddings.create({ model: 'acme/acme-embed', input: 'x', encoding_format: 'float' });
    expect(sim.lastRequest!.body).toMatchObject({ encoding_format: 'float' });
  });

  it("decodes to the same floats through the SDK's default base64 request, passed through without re-encoding", async () => {
    const page = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'alpha beta' });
    expect(sim.lastRequest!.body).toMatchObject({ encoding_format: 'base64' });
    expect(page.data[0]!.embedding).toEqual(simulatedEmbedding('alpha beta', 1536));
    const raw = await client.embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: 'alpha beta',
      encoding_format: 'base64',
    });
    expect(raw.data[0]!.embedding).toBe(float32Base64(simulatedEmbedding('alpha beta', 1536)));
  });

  it('encodes base64 itself when the upstream ignored encoding_format and answered numbers', async () => {
    sim.script(embeddingsReply({ alwaysFloat: true }));
    const raw = await client.embeddings.create({ model: 'acme/acme-embed', input: 'delta', encoding_format: 'base64' });
    expect(raw.data[0]!.embedding).toBe(float32Base64(simulatedEmbedding('delta', 1536)));
  });

  it('passes dimensions and user on, and token arrays as they are', async () => {
    const page = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      dimensions: 8,
      user: 'user-42',
      encoding_format: 'float',
    });
    expect(page.data.map((item) => item.embedding.length)).toEqual([8, 8]);
    expect(sim.lastRequest!.body).toMatchObject({
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      dimensions: 8,
      user: 'user-42',
    });
  });

  it('goes to Azure deployments, a built-in compatible service and a custom provider', async () => {
    await client.embeddings.create({ model: 'azure/embed-prod', input: 'x', encoding_format: 'float' });
    expect(sim.lastRequest!.path).toBe('/openai/deployments/embed-prod/embeddings');
    expect(sim.lastRequest!.headers['api-key']).toBe('azure-sim-key');
    await client.embeddings.create({ model: 'mistral/mistral-embed', input: 'x', encoding_format: 'float' });
    expect(sim.lastRequest!.headers.authorization).toBe('Bearer mistral-sim-key');
    const { response } = await client.embeddings
      .create({ model: 'acme/acme-embed', input: 'x', encoding_format: 'float' })
      .withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('acme');
    expect(sim.lastRequest!.body).toMatchObject({ model: 'acme-embed' });
  });

  it('falls back to the next of models on a 5xx, and names the model that answered', async () => {
    sim.script(errorReply(503));
    const { data: page, response } = await client.embeddings
      .create({
        model: 'openai/text-embedding-3-small',
        input: 'x',
        encoding_format: 'float',
        // @ts-expect-error the gateway's extension, sent as the SDK sends extra body fields
        models: ['azure/embed-backup'],
      })
      .withResponse();
    expect(page.model).toBe('azure/embed-backup');
    expect(response.headers.get('x-gateway-provider')).toBe('azure');
    expect(sim.requests.map((request) => request.path)).toEqual([
      '/v1/embeddings',
      '/openai/deployments/embed-backup/embeddings',
    ]);
  });

  it('gives up on a silent upstream at the first-byte timeout and moves on to the next model', async () => {
    const restore = setEnv({ GATEWAY_FIRST_BYTE_TIMEOUT_MS: '100' });
    const gate = new Gate();
    try {
      sim.script(embeddingsReply({ beforeHead: () => gate.wait() }));
      const page = await client.embeddings.create({
        model: 'openai/text-embedding-3-small',
        input: 'x',
        encoding_format: 'float',
        // @ts-expect-error the gateway's extension
        models: ['azure/embed-backup'],
      });
      expect(page.model).toBe('azure/embed-backup');
      expect(sim.requests[0]!.aborted).toBe(true);
    } finally {
      gate.open();
      restore();
    }
  });

  it('leaves one priced row per request with endpoint embeddings and no output tokens', async () => {
    const { response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: ['one two three', 'four'], encoding_format: 'float' })
      .withResponse();
    const cost = Number(response.headers.get('x-gateway-cost-usd'));
    expect(cost).toBeCloseTo((4 * 0.02) / 1e6, 15);
    const row = await rowOf(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({
      endpoint: 'embeddings',
      model: 'text-embedding-3-small',
      provider: 'openai',
      provider_model: 'text-embedding-3-small',
      status: 200,
      input_tokens: 4,
      output_tokens: 0,
      usage_estimated: false,
    });
    expect(row.cost_usd).toBeCloseTo(cost, 15);
  });

  it('estimates and flags usage the upstream did not report, priced at the custom price', async () => {
    sim.script(embeddingsReply({ promptTokens: null }));
    const { response } = await client.embeddings
      .create({ model: 'acme/acme-embed', input: 'hello world', encoding_format: 'float' })
      .withResponse();
    expect(response.headers.get('x-gateway-estimated')).toBe('true');
    const row = await rowOf(response.headers.get('x-request-id')!);
    expect(row.usage_estimated).toBe(true);
    expect(row.input_tokens).toBeGreaterThan(0);
    expect(row.cost_usd).toBeCloseTo((row.input_tokens * 0.05) / 1e6, 15);
  });
});

describe('refusals', () => {
  it('is 400 naming model for a chat model or a provider that cannot embed, before any upstream call', async () => {
    await expect(client.embeddings.create({ model: 'gpt-4o-mini', input: 'x' })).rejects.toMatchObject({
      status: 400,
      param: 'model',
      code: 'model_cannot_embed',
    });
    await expect(client.embeddings.create({ model: 'anthropic/claude-haiku-4-5', input: 'x' })).rejects.toMatchObject({
      status: 400,
      param: 'model',
    });
    const fallback = await failure(
      // @ts-expect-error the gateway's extension
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', models: ['openai/gpt-4o'] }),
    );
    expect([fallback.status, fallback.param]).toEqual([400, 'models[0]']);
    expect(sim.requests).toHaveLength(0);
  });

  it('is 400 naming the field for a bad input, dimensions or encoding_format', async () => {
    const post = (body: unknown) =>
      fetch(`${gateway.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error: { param: string } },
      }));
    const cases: [unknown, string][] = [
      [{ model: 'text-embedding-3-small' }, 'input'],
      [{ model: 'text-embedding-3-small', input: '' }, 'input'],
      [{ model: 'text-embedding-3-small', input: [] }, 'input'],
      [{ model: 'text-embedding-3-small', input: ['a', ''] }, 'input[1]'],
      [{ model: 'text-embedding-3-small', input: [1, 'a'] }, 'input'],
      [{ model: 'text-embedding-3-small', input: 'a', dimensions: 0 }, 'dimensions'],
      [{ model: 'text-embedding-3-small', input: 'a', encoding_format: 'int8' }, 'encoding_format'],
      [{ input: 'a' }, 'model'],
    ];
    for (const [body, param] of cases) {
      const answer = await post(body);
      expect([answer.status, answer.body.error.param]).toEqual([400, param]);
    }
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses an embedding model on chat completions', async () => {
    await expect(
      client.chat.completions.create({ model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'model', code: 'model_cannot_generate' });
  });

  it('holds a key to its scope: 403 model_not_allowed for the model or a fallback', async () => {
    const created = await gateway.admin<{ key: string }>('POST', `/admin/projects/${projectId}/keys`, {
      name: 'embed-scoped',
      models: ['openai/text-embedding-3-*'],
    });
    const scoped = gateway.client(created.body.key);
    await expect(
      scoped.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' }),
    ).resolves.toMatchObject({ object: 'list' });
    await expect(scoped.embeddings.create({ model: 'acme/acme-embed', input: 'x' })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
      param: 'model',
    });
    await expect(
      // @ts-expect-error the gateway's extension
      scoped.embeddings.create({ model: 'text-embedding-3-large', input: 'x', models: ['acme/acme-embed'] }),
    ).rejects.toMatchObject({ status: 403, code: 'model_not_allowed', param: 'models[0]' });
  });

  it('holds a budget: the input estimate at the input price is reserved, and an unpriced model is refused', async () => {
    const created = await gateway.admin<{ key: string }>('POST', `/admin/projects/${projectId}/keys`, {
      name: 'embed-budget',
      budget_usd: 0.000001,
    });
    const budgeted = gateway.client(created.body.key);
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    await expect(budgeted.embeddings.create({ model: 'text-embedding-3-small', input: long })).rejects.toMatchObject({
      status: 403,
      code: 'budget_exceeded',
    });
    await expect(budgeted.embeddings.create({ model: 'mistral/mistral-embed', input: 'x' })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_priced',
    });
    expect(sim.requests).toHaveLength(0);
    await expect(
      budgeted.embeddings.create({ model: 'text-embedding-3-small', input: 'short', encoding_format: 'float' }),
    ).resolves.toMatchObject({ object: 'list' });
  });

  it('lists embedding models in /v1/models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining(['openai/text-embedding-3-small', 'bedrock/amazon.titan-embed-text-v2:0']),
    );
  });
});
