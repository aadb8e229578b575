import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EmbeddingRequest } from '../../../lib/core/embeddings.js';
import { fromEmbeddingResponse, toEmbeddingBody } from '../../../lib/providers/openai/embed.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/openai/${name}`, import.meta.url), 'utf8'));

const request = (overrides: Partial<EmbeddingRequest> = {}): EmbeddingRequest => ({
  model: 'text-embedding-3-small',
  input: ['hello'],
  encoding: 'float',
  extra: {},
  ...overrides,
});

describe('toEmbeddingBody', () => {
  it("is OpenAI's body with the encoding always explicit, so the SDK neither rewrites nor decodes it", () => {
    expect(toEmbeddingBody(request())).toEqual({
      model: 'text-embedding-3-small',
      input: ['hello'],
      encoding_format: 'float',
    });
    expect(
      toEmbeddingBody(request({ encoding: 'base64', dimensions: 256, user: 'u1', extra: { input_type: 'query' } })),
    ).toEqual({
      input_type: 'query',
      model: 'text-embedding-3-small',
      input: ['hello'],
      encoding_format: 'base64',
      dimensions: 256,
      user: 'u1',
    });
  });

  it('lets no extra field replace a modelled one', () => {
    expect(toEmbeddingBody(request({ extra: { model: 'other', encoding_format: 'base64' } }))).toMatchObject({
      model: 'text-embedding-3-small',
      encoding_format: 'float',
    });
  });
});

describe('fromEmbeddingResponse', () => {
  it('orders vectors by index and reads prompt_tokens', () => {
    expect(fromEmbeddingResponse(fixture('embeddings-float.json'), 2, 'openai')).toEqual({
      vectors: [
        [0.0023064255, -0.009327292],
        [-0.0028842222, 0.018213386],
      ],
      inputTokens: 8,
    });
  });

  it('keeps base64 vectors as they came', () => {
    expect(fromEmbeddingResponse(fixture('embeddings-base64.json'), 1, 'openai')).toEqual({
      vectors: ['ZicXO4DRGLw='],
      inputTokens: 5,
    });
  });

  it('leaves the count to the gateway when usage is missing', () => {
    const raw = { data: [{ embedding: [0.5] }] };
    expect(fromEmbeddingResponse(raw, 1, 'acme')).toEqual({ vectors: [[0.5]] });
  });

  it('is a 502 for an answer with fewer vectors than inputs, or no data', () => {
    expect(() => fromEmbeddingResponse(fixture('embeddings-base64.json'), 2, 'acme')).toThrow(
      expect.objectContaining({ status: 502 }),
    );
    expect(() => fromEmbeddingResponse({ object: 'list' }, 1, 'acme')).toThrow(
      expect.objectContaining({ status: 502 }),
    );
  });
});
