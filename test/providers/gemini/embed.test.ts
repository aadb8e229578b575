import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingRequest } from '../../../lib/core/embeddings.js';
import {
  fromEmbedResponse,
  GEMINI_BATCH_LIMIT,
  geminiBatchSize,
  textsOf,
  toEmbedParams,
  VERTEX_PREDICT_LIMIT,
} from '../../../lib/providers/gemini/embed.js';
import { geminiFactory, vertexFactory } from '../../../lib/providers/gemini/index.js';
import { Simulator, sendJson } from '../../../simulators/base.js';
import { fixture, testContext } from './helpers.js';

const request = (overrides: Partial<EmbeddingRequest> = {}): EmbeddingRequest => ({
  model: 'gemini-embedding-001',
  input: ['hello world', 'goodbye'],
  encoding: 'float',
  extra: {},
  ...overrides,
});

describe('geminiBatchSize', () => {
  it("follows each API's limit: 100 a batch on the Gemini API, one or 250 on Vertex AI", () => {
    expect(geminiBatchSize('gemini-embedding-001', false)).toBe(GEMINI_BATCH_LIMIT);
    expect(geminiBatchSize('gemini-embedding-001', true)).toBe(1);
    expect(geminiBatchSize('gemini-embedding-2', true)).toBe(1);
    expect(geminiBatchSize('text-embedding-005', true)).toBe(VERTEX_PREDICT_LIMIT);
  });
});

describe('toEmbedParams', () => {
  it('maps dimensions to outputDimensionality and task_type to taskType; drops what Gemini has no place for', () => {
    const { ctx, ignored } = { ctx: testContext(), ignored: [] as string[] };
    const params = toEmbedParams(
      request({ dimensions: 768, user: 'u1', extra: { task_type: 'RETRIEVAL_QUERY', truncate: 'END' } }),
      ['hello world'],
      ctx.signal,
      (field) => ignored.push(field),
    );
    expect(params).toEqual({
      model: 'gemini-embedding-001',
      contents: ['hello world'],
      config: { abortSignal: ctx.signal, outputDimensionality: 768, taskType: 'RETRIEVAL_QUERY' },
    });
    expect(ignored.sort()).toEqual(['truncate', 'user']);
  });

  it('refuses token arrays, naming input', () => {
    expect(() => textsOf(request({ input: [[1, 2]] }), 'Gemini')).toThrow(
      expect.objectContaining({ status: 400, param: 'input' }),
    );
  });
});

describe('fromEmbedResponse', () => {
  it('is a 502 when the count of embeddings does not match the inputs', () => {
    expect(() => fromEmbedResponse({ embeddings: [{ values: [1] }] }, 2, 'gemini')).toThrow(
      expect.objectContaining({ status: 502 }),
    );
  });
});

describe('embed through @google/genai', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await new Simulator((req, res) =>
      sendJson(
        res,
        200,
        fixture(req.path.endsWith(':predict') ? 'vertex-predict-embeddings.json' : 'batch-embed-contents.json'),
      ),
    ).start();
  });
  afterAll(() => sim.close());

  it('reads batchEmbedContents as the SDK delivers it, with no token count', async () => {
    const model = await geminiFactory.create({ api_key: 'AIza-test', base_url: sim.url }, { providerName: 'gemini' });
    const result = await model.embed!(request(), testContext());
    expect(result).toEqual({
      vectors: [
        [0.0131, -0.0072, 0.0244, -0.0031],
        [-0.0199, 0.0087, 0.0011, 0.0302],
      ],
    });
    expect(sim.lastRequest!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  it("reads Vertex AI's :predict statistics.token_count as the input tokens", async () => {
    const model = await vertexFactory.create(
      { project_id: 'p1', location: 'us-central1', access_token: 'ya29.test', base_url: sim.url },
      { providerName: 'vertex-ai' },
    );
    const result = await model.embed!(request({ input: ['hello world'] }), testContext());
    expect(result).toEqual({ vectors: [[0.0131, -0.0072, 0.0244, -0.0031]], inputTokens: 6 });
    expect(sim.lastRequest!.path).toBe(
      '/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-embedding-001:predict',
    );
    expect(sim.lastRequest!.body).toEqual({ instances: [{ content: 'hello world' }] });
  });
});
