/**
 * `POST /v1/embeddings` end to end on Gemini, Vertex AI and Bedrock: the official openai SDK through the local
 * gateway, against the Gemini simulator (as @google/genai calls it: `:batchEmbedContents` on the Gemini API,
 * `:predict` and `:embedContent` on Vertex AI) and the Bedrock simulator (InvokeModel through the AWS SDK, with
 * Titan's and Cohere's own bodies): array inputs split at each API's batch limit and put back in order,
 * `dimensions` mapped, usage from the provider where it reports one, and rows priced.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BedrockSimulator, routeOf, startBedrockSimulator } from '../../simulators/bedrock.js';
import { invokeEmbedding } from '../../simulators/bedrock-embed.js';
import { float32Base64, simulatedEmbedding, simulatedTokens } from '../../simulators/embedding-vectors.js';
import { type GeminiSimulator, geminiError, startGeminiSimulator } from '../../simulators/gemini.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gemini: GeminiSimulator;
let bedrock: BedrockSimulator;
let gateway: TestGateway;
let client: OpenAI;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ GATEWAY_MAX_RETRIES: '0' });
  gemini = await startGeminiSimulator();
  bedrock = await startBedrockSimulator(invokeEmbedding());
  gateway = await startTestGateway();
  let key: string;
  ({ projectId, key } = await gateway.project('embeddings-google-bedrock'));
  await gateway.putProvider(projectId, 'gemini', { api_key: 'AIza-embed-key', base_url: gemini.url });
  await gateway.putProvider(projectId, 'vertex-ai', {
    project_id: 'acme-prod',
    location: 'us-central1',
    access_token: 'ya29.embed-token',
    base_url: gemini.url,
  });
  await gateway.putProvider(projectId, 'bedrock', {
    region: 'us-east-1',
    access_key_id: 'AKIDEMBEDSIMULATOR01',
    secret_access_key: 'embed/secret/never-shown',
    endpoint: bedrock.url,
  });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await gemini?.close();
  await bedrock?.close();
  restoreEnv?.();
});

beforeEach(() => {
  gemini.reset();
  bedrock.reset();
  bedrock.setDefault(invokeEmbedding());
});

const texts = (count: number) => Array.from({ length: count }, (_, i) => `text number ${i}`);

async function rowOf(requestId: string): Promise<Record<string, unknown>> {
  const listing = await gateway.admin<{ data: Record<string, unknown>[] }>(
    'GET',
    `/admin/projects/${projectId}/requests?limit=1000`,
  );
  const row = listing.body.data.find((candidate) => candidate.id === requestId);
  if (!row) throw new Error(`no row ${requestId}`);
  return row;
}

describe('Gemini API', () => {
  it('sends batchEmbedContents with outputDimensionality and estimates the usage it does not report', async () => {
    const { data: page, response } = await client.embeddings
      .create({ model: 'gemini-embedding-001', input: ['alpha beta', 'gamma'], dimensions: 16, user: 'user-7' })
      .withResponse();
    expect(page.data.map((item) => item.embedding)).toEqual([
      simulatedEmbedding('alpha beta', 16),
      simulatedEmbedding('gamma', 16),
    ]);
    expect(gemini.lastCall).toMatchObject({
      api: 'gemini',
      model: 'gemini-embedding-001',
      method: 'batchEmbedContents',
    });
    expect(gemini.lastBody).toEqual({
      requests: [
        {
          content: { role: 'user', parts: [{ text: 'alpha beta' }] },
          outputDimensionality: 16,
          model: 'models/gemini-embedding-001',
        },
        {
          content: { role: 'user', parts: [{ text: 'gamma' }] },
          outputDimensionality: 16,
          model: 'models/gemini-embedding-001',
        },
      ],
    });
    expect(response.headers.get('x-gateway-estimated')).toBe('true');
    expect(response.headers.get('x-gateway-ignored')).toBe('user');
    const row = await rowOf(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ endpoint: 'embeddings', provider: 'gemini', usage_estimated: true, output_tokens: 0 });
    expect(row.input_tokens).toBe(page.usage.prompt_tokens);
    expect(row.cost_usd).toBeCloseTo(((row.input_tokens as number) * 0.15) / 1e6, 15);
  });

  it('splits 250 inputs into batches of at most 100 and keeps their order', async () => {
    const input = texts(250);
    const page = await client.embeddings.create({ model: 'gemini/gemini-embedding-001', input, dimensions: 4 });
    expect(page.data.map((item) => item.index)).toEqual(input.map((_, i) => i));
    expect(page.data.map((item) => item.embedding)).toEqual(input.map((text) => simulatedEmbedding(text, 4)));
    const sizes = gemini.requests.map((request) => (request.body as { requests: unknown[] }).requests.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
  });

  it('maps a Google 429 to a 429 for the caller', async () => {
    gemini.script(geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'));
    await expect(client.embeddings.create({ model: 'gemini-embedding-001', input: 'x' })).rejects.toMatchObject({
      status: 429,
    });
  });
});

describe('Vertex AI', () => {
  it('sends gemini-embedding-001 one instance per :predict and sums the token counts it reports', async () => {
    const { data: page, response } = await client.embeddings
      .create({
        model: 'vertex-ai/gemini-embedding-001',
        input: ['one two', 'three', 'four five six'],
        dimensions: 8,
        encoding_format: 'base64',
      })
      .withResponse();
    expect(page.data.map((item) => item.embedding)).toEqual(
      ['one two', 'three', 'four five six'].map((text) => float32Base64(simulatedEmbedding(text, 8))),
    );
    expect(page.usage.prompt_tokens).toBe(6);
    expect(gemini.requests).toHaveLength(3);
    expect(gemini.lastCall).toMatchObject({ api: 'vertex', project: 'acme-prod', method: 'predict' });
    expect(gemini.requests[0]!.body).toMatchObject({
      instances: [{ content: 'one two' }],
      parameters: { outputDimensionality: 8 },
    });
    expect(response.headers.get('x-gateway-estimated')).toBeNull();
    const row = await rowOf(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ provider: 'vertex-ai', input_tokens: 6, usage_estimated: false });
    expect(row.cost_usd).toBeCloseTo((6 * 0.15) / 1e6, 15);
  });

  it('batches the text-embedding models up to 250 instances a call', async () => {
    const input = texts(300);
    const page = await client.embeddings.create({ model: 'vertex-ai/text-embedding-005', input, dimensions: 4 });
    expect(page.data.map((item) => item.embedding)).toEqual(input.map((text) => simulatedEmbedding(text, 4)));
    const sizes = gemini.requests.map((request) => (request.body as { instances: unknown[] }).instances.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([250, 50]);
  });

  it('calls :embedContent for the newer Gemini embedding models, one content each', async () => {
    const page = await client.embeddings.create({ model: 'vertex-ai/gemini-embedding-2', input: ['a b', 'c'] });
    expect(page.data).toHaveLength(2);
    expect(gemini.requests.map((request) => request.path.split(':').at(-1))).toEqual(['embedContent', 'embedContent']);
    expect(page.usage.prompt_tokens).toBe(3);
  });
});

describe('Bedrock', () => {
  it('sends Titan v2 one inputText per InvokeModel with dimensions and normalize, usage from inputTextTokenCount', async () => {
    const { data: page, response } = await client.embeddings
      .create({
        model: 'bedrock/amazon.titan-embed-text-v2:0',
        input: ['alpha beta', 'gamma', 'delta'],
        dimensions: 256,
      })
      .withResponse();
    expect(page.data.map((item) => item.embedding)).toEqual(
      ['alpha beta', 'gamma', 'delta'].map((text) => simulatedEmbedding(text, 256)),
    );
    expect(page.usage.prompt_tokens).toBe(4);
    expect(bedrock.requests.map((request) => routeOf(request))).toEqual(
      Array(3).fill({ modelId: 'amazon.titan-embed-text-v2:0', operation: 'invoke' }),
    );
    const bodies = bedrock.requests.map((request) => request.body as Record<string, unknown>);
    expect(bodies.find((body) => body.inputText === 'gamma')).toEqual({
      inputText: 'gamma',
      normalize: true,
      dimensions: 256,
    });
    const row = await rowOf(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ provider: 'bedrock', input_tokens: 4, usage_estimated: false, endpoint: 'embeddings' });
    expect(row.cost_usd).toBeCloseTo((4 * 0.02) / 1e6, 15);
  });

  it('refuses Titan dimensions it does not have, naming dimensions, before calling Bedrock', async () => {
    await expect(
      client.embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: 'x', dimensions: 300 }),
    ).rejects.toMatchObject({ status: 400, param: 'dimensions' });
    expect(bedrock.requests).toHaveLength(0);
  });

  it('sends Cohere up to 96 texts a call with input_type, reads Bedrock’s token count header', async () => {
    const input = texts(200);
    const { data: page, response } = await client.embeddings
      .create({
        model: 'cohere.embed-english-v3',
        input,
        // @ts-expect-error an extra field the gateway passes to Cohere's input_type
        input_type: 'search_query',
      })
      .withResponse();
    expect(page.data.map((item) => item.embedding)).toEqual(input.map((text) => simulatedEmbedding(text, 1024)));
    const bodies = bedrock.requests.map((request) => request.body as { texts: string[]; input_type: string });
    expect(bodies.map((body) => body.texts.length).sort((a, b) => b - a)).toEqual([96, 96, 8]);
    expect(bodies[0]).toMatchObject({ input_type: 'search_query', embedding_types: ['float'] });
    const tokens = input.reduce((sum, text) => sum + simulatedTokens(text), 0);
    expect(page.usage.prompt_tokens).toBe(tokens);
    const row = await rowOf(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ model: 'cohere.embed-english-v3', input_tokens: tokens, usage_estimated: false });
    expect(row.cost_usd).toBeCloseTo((tokens * 0.1) / 1e6, 15);
  });

  it('is 400 naming model for a Bedrock chat model', async () => {
    await expect(
      client.embeddings.create({ model: 'bedrock/anthropic.claude-3-haiku-20240307-v1:0', input: 'x' }),
    ).rejects.toMatchObject({ status: 400, param: 'model' });
    await expect(
      client.embeddings.create({ model: 'bedrock/meta.unknown-model-v1:0', input: 'x' }),
    ).rejects.toMatchObject({
      status: 400,
      param: 'model',
    });
    expect(bedrock.requests).toHaveLength(0);
  });

  it('falls back from a throttled Bedrock model to Gemini', async () => {
    const { bedrockError } = await import('../../simulators/bedrock.js');
    bedrock.script(bedrockError(429, 'ThrottlingException', 'Too many requests'));
    const page = await client.embeddings.create({
      model: 'bedrock/cohere.embed-multilingual-v3',
      input: 'x',
      // @ts-expect-error the gateway's extension
      models: ['gemini/gemini-embedding-001'],
    });
    expect(page.model).toBe('gemini/gemini-embedding-001');
    expect(bedrock.requests).toHaveLength(1);
    expect(gemini.requests).toHaveLength(1);
  });
});
