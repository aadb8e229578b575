/**
 * The embeddings simulators refuse what the real APIs refuse — the limits the gateway's batching must respect
 * (Gemini's 100 requests a batch, Vertex AI's one instance for gemini-embedding-001, Cohere's 96 texts) — so the
 * end-to-end batching tests fail if the gateway sends too much in one call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulators/base.js';
import { type BedrockSimulator, startBedrockSimulator } from '../../simulators/bedrock.js';
import { invokeEmbedding } from '../../simulators/bedrock-embed.js';
import { float32Base64, simulatedEmbedding } from '../../simulators/embedding-vectors.js';
import { type GeminiSimulator, startGeminiSimulator } from '../../simulators/gemini.js';
import { startOpenAISimulator } from '../../simulators/openai.js';

let openai: Simulator;
let gemini: GeminiSimulator;
let bedrock: BedrockSimulator;

beforeAll(async () => {
  [openai, gemini, bedrock] = await Promise.all([
    startOpenAISimulator(),
    startGeminiSimulator(),
    startBedrockSimulator(invokeEmbedding()),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), gemini.close(), bedrock.close()]);
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('simulated vectors', () => {
  it('are deterministic, unit length and float32 values', () => {
    const vector = simulatedEmbedding('hello', 64);
    expect(simulatedEmbedding('hello', 64)).toEqual(vector);
    expect(simulatedEmbedding('hullo', 64)).not.toEqual(vector);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    expect(vector.every((value) => Math.fround(value) === value)).toBe(true);
  });
});

describe('OpenAI /embeddings', () => {
  it('answers float by default and base64 when asked, as OpenAI does', async () => {
    const float = (await (
      await post(`${openai.url}/v1/embeddings`, { model: 'text-embedding-3-small', input: 'hi' })
    ).json()) as {
      data: { embedding: unknown }[];
    };
    expect(float.data[0]!.embedding).toEqual(simulatedEmbedding('hi', 1536));
    const base64 = (await (
      await post(`${openai.url}/v1/embeddings`, {
        model: 'text-embedding-3-small',
        input: 'hi',
        encoding_format: 'base64',
      })
    ).json()) as { data: { embedding: unknown }[] };
    expect(base64.data[0]!.embedding).toBe(float32Base64(simulatedEmbedding('hi', 1536)));
  });

  it('refuses dimensions on ada-002 and an unknown encoding', async () => {
    const ada = await post(`${openai.url}/v1/embeddings`, {
      model: 'text-embedding-ada-002',
      input: 'x',
      dimensions: 8,
    });
    expect(ada.status).toBe(400);
    const encoding = await post(`${openai.url}/v1/embeddings`, { model: 'm', input: 'x', encoding_format: 'int8' });
    expect(encoding.status).toBe(400);
  });
});

describe('Gemini embeddings', () => {
  const batch = (count: number) => ({
    requests: Array.from({ length: count }, () => ({
      model: 'models/gemini-embedding-001',
      content: { parts: [{ text: 'x' }] },
    })),
  });
  const url = () => `${gemini.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`;

  it('takes 100 requests a batch and refuses 101 as Google does', async () => {
    expect((await post(url(), batch(100), { 'x-goog-api-key': 'k' })).status).toBe(200);
    const over = await post(url(), batch(101), { 'x-goog-api-key': 'k' });
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({
      error: { status: 'INVALID_ARGUMENT', message: expect.stringContaining('at most 100 requests') },
    });
  });

  it('takes one instance a :predict for gemini-embedding-001 on Vertex AI', async () => {
    const path = `${gemini.url}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-embedding-001:predict`;
    const auth = { authorization: 'Bearer t' };
    expect((await post(path, { instances: [{ content: 'a' }] }, auth)).status).toBe(200);
    expect((await post(path, { instances: [{ content: 'a' }, { content: 'b' }] }, auth)).status).toBe(400);
  });
});

describe('Bedrock embeddings', () => {
  // The simulator takes any SigV4-shaped or Bearer authorization; a Bearer token keeps this test free of signing.
  const invoke = (model: string, body: unknown) =>
    post(`${bedrock.url}/model/${encodeURIComponent(model)}/invoke`, body, { authorization: 'Bearer ABSK-test' });

  it('refuses more than 96 Cohere texts and a Titan dimensions it lacks', async () => {
    const texts = (count: number) => Array.from({ length: count }, () => 'x');
    const ok = await invoke('cohere.embed-english-v3', { texts: texts(96), input_type: 'search_document' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-amzn-bedrock-input-token-count')).toBe('96');
    expect((await invoke('cohere.embed-english-v3', { texts: texts(97), input_type: 'search_document' })).status).toBe(
      400,
    );
    expect((await invoke('amazon.titan-embed-text-v2:0', { inputText: 'x', dimensions: 300 })).status).toBe(400);
    expect((await invoke('amazon.titan-embed-text-v2:0', { inputText: 'x', dimensions: 256 })).status).toBe(200);
  });
});
