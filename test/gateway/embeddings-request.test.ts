import { describe, expect, it } from 'vitest';
import { parseEmbeddingRequest } from '../../lib/gateway/embeddings-request.js';

const parse = (body: unknown) => parseEmbeddingRequest(JSON.stringify(body));

describe('parseEmbeddingRequest', () => {
  it("takes OpenAI's four input forms as texts or token arrays", () => {
    expect(parse({ model: 'm', input: 'one' }).request.input).toEqual(['one']);
    expect(parse({ model: 'm', input: ['one', 'two'] }).request.input).toEqual(['one', 'two']);
    expect(parse({ model: 'm', input: [1, 2, 3] }).request.input).toEqual([[1, 2, 3]]);
    expect(parse({ model: 'm', input: [[1], [2, 3]] }).request.input).toEqual([[1], [2, 3]]);
  });

  it('defaults the encoding to float, keeps dimensions, user, fallbacks and unmodelled fields', () => {
    expect(
      parse({
        model: 'm',
        input: 'x',
        dimensions: 64,
        user: 'u',
        models: ['f1'],
        input_type: 'query',
        encoding_format: null,
      }),
    ).toEqual({
      request: {
        model: 'm',
        input: ['x'],
        encoding: 'float',
        dimensions: 64,
        user: 'u',
        extra: { input_type: 'query' },
      },
      fallbackModels: ['f1'],
    });
  });

  it('is 400 naming the field for what OpenAI refuses', () => {
    const paramOf = (body: unknown) => {
      try {
        parse(body);
      } catch (error) {
        return (error as { param?: string | null }).param;
      }
      return 'accepted';
    };
    expect(paramOf({ model: 'm', input: Array(2049).fill('x') })).toBe('input');
    expect(paramOf({ model: 'm', input: [[1], []] })).toBe('input');
    expect(paramOf({ model: 'm', input: [-1] })).toBe('input');
    expect(paramOf({ model: 'm', input: { text: 'x' } })).toBe('input');
    expect(paramOf({ model: 'm', input: 'x', dimensions: 1.5 })).toBe('dimensions');
    expect(paramOf({ model: 'm', input: 'x', models: ['bad model'] })).toBe('models[0]');
    expect(paramOf({ model: 'm/..', input: 'x' })).toBe('model');
    expect(paramOf({ model: 'm', input: Array(2048).fill('x') })).toBe('accepted');
  });
});
