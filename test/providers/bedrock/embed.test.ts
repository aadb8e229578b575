import { describe, expect, it } from 'vitest';
import type { EmbeddingRequest } from '../../../lib/core/embeddings.js';
import {
  checkEmbeddingRequest,
  embeddingFamily,
  fromInvokeEmbedding,
  inputTokensHeader,
  toInvokeBody,
} from '../../../lib/providers/bedrock/embed.js';
import { fixture } from './helpers.js';

const request = (overrides: Partial<EmbeddingRequest> = {}): EmbeddingRequest => ({
  model: 'amazon.titan-embed-text-v2:0',
  input: ['hello world'],
  encoding: 'float',
  extra: {},
  ...overrides,
});

describe('embeddingFamily', () => {
  it('knows Titan and Cohere embedding ids, inference profiles included, and nothing else', () => {
    expect(embeddingFamily('amazon.titan-embed-text-v2:0')).toEqual({ kind: 'titan', version: 2 });
    expect(embeddingFamily('amazon.titan-embed-text-v1')).toEqual({ kind: 'titan', version: 1 });
    expect(embeddingFamily('cohere.embed-english-v3')).toEqual({ kind: 'cohere', version: 3, nativeDimensions: 1024 });
    expect(embeddingFamily('cohere.embed-multilingual-light-v3')).toMatchObject({ nativeDimensions: 384 });
    expect(embeddingFamily('us.cohere.embed-v4:0')).toEqual({ kind: 'cohere', version: 4 });
    expect(embeddingFamily('anthropic.claude-3-haiku-20240307-v1:0')).toBeUndefined();
    expect(embeddingFamily('amazon.titan-text-express-v1')).toBeUndefined();
  });
});

describe('checkEmbeddingRequest', () => {
  it('is 400 naming model, input or dimensions for what Bedrock cannot do', () => {
    const bad = (overrides: Partial<EmbeddingRequest>) => {
      try {
        checkEmbeddingRequest(request(overrides));
      } catch (error) {
        return (error as { param?: string }).param;
      }
      return undefined;
    };
    expect(bad({ model: 'meta.llama3-8b-instruct-v1:0' })).toBe('model');
    expect(bad({ input: [[1, 2]] })).toBe('input');
    expect(bad({ dimensions: 768 })).toBe('dimensions');
    expect(bad({ model: 'cohere.embed-english-v3', dimensions: 512 })).toBe('dimensions');
    expect(bad({ dimensions: 512 })).toBeUndefined();
    expect(bad({ model: 'cohere.embed-english-v3', dimensions: 1024 })).toBeUndefined();
    expect(bad({ model: 'cohere.embed-v4:0', dimensions: 256 })).toBeUndefined();
  });
});

describe('toInvokeBody', () => {
  const ignoring = () => {
    const ignored: string[] = [];
    return { ignored, ignore: (field: string) => void ignored.push(field) };
  };

  it('sends Titan v2 one inputText with dimensions and normalize (true unless asked otherwise)', () => {
    const { ignored, ignore } = ignoring();
    const family = embeddingFamily('amazon.titan-embed-text-v2:0')!;
    expect(toInvokeBody(request({ dimensions: 256, user: 'u' }), family, ['hello world'], ignore)).toEqual({
      inputText: 'hello world',
      normalize: true,
      dimensions: 256,
    });
    expect(toInvokeBody(request({ extra: { normalize: false } }), family, ['x'], ignore)).toEqual({
      inputText: 'x',
      normalize: false,
    });
    expect(ignored).toEqual(['user']);
  });

  it('sends Titan v1 inputText alone', () => {
    const { ignore } = ignoring();
    expect(toInvokeBody(request(), embeddingFamily('amazon.titan-embed-text-v1')!, ['x'], ignore)).toEqual({
      inputText: 'x',
    });
  });

  it('sends Cohere texts with input_type (search_document by default), float embeddings, truncate', () => {
    const { ignored, ignore } = ignoring();
    const v3 = embeddingFamily('cohere.embed-english-v3')!;
    expect(toInvokeBody(request({ extra: { truncate: 'END', normalize: true } }), v3, ['a', 'b'], ignore)).toEqual({
      texts: ['a', 'b'],
      input_type: 'search_document',
      embedding_types: ['float'],
      truncate: 'END',
    });
    expect(ignored).toEqual(['normalize']);
    const v4 = embeddingFamily('cohere.embed-v4:0')!;
    expect(
      toInvokeBody(request({ dimensions: 512, extra: { input_type: 'search_query' } }), v4, ['a'], ignore),
    ).toEqual({ texts: ['a'], input_type: 'search_query', embedding_types: ['float'], output_dimension: 512 });
  });
});

describe('fromInvokeEmbedding', () => {
  it("reads Titan's embedding and inputTextTokenCount", () => {
    expect(fromInvokeEmbedding({ kind: 'titan', version: 2 }, fixture('invoke-titan-embed-v2.json'), 1)).toEqual({
      vectors: [[0.0131, -0.0072, 0.0244, -0.0031]],
      inputTokens: 7,
    });
  });

  it("reads Cohere's embeddings_floats and embeddings_by_type answers alike", () => {
    const cohere = { kind: 'cohere', version: 3 } as const;
    const expected = {
      vectors: [
        [0.0131, -0.0072, 0.0244],
        [-0.0199, 0.0087, 0.0011],
      ],
    };
    expect(fromInvokeEmbedding(cohere, fixture('invoke-cohere-embed-floats.json'), 2)).toEqual(expected);
    expect(fromInvokeEmbedding(cohere, fixture('invoke-cohere-embed-by-type.json'), 2)).toEqual(expected);
  });

  it('is a 502 for a body of the wrong shape or count', () => {
    expect(() => fromInvokeEmbedding({ kind: 'titan', version: 2 }, { vector: [] }, 1)).toThrow(
      expect.objectContaining({ status: 502 }),
    );
    expect(() =>
      fromInvokeEmbedding({ kind: 'cohere', version: 3 }, fixture('invoke-cohere-embed-floats.json'), 3),
    ).toThrow(expect.objectContaining({ status: 502 }));
  });
});

describe('inputTokensHeader', () => {
  it("reads Bedrock's x-amzn-bedrock-input-token-count, whatever its case", () => {
    expect(inputTokensHeader({ 'X-Amzn-Bedrock-Input-Token-Count': '12' })).toBe(12);
    expect(inputTokensHeader({ 'x-amzn-bedrock-input-token-count': 'n/a' })).toBeUndefined();
    expect(inputTokensHeader({})).toBeUndefined();
  });
});
