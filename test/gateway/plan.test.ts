import { describe, expect, it } from 'vitest';
import { assertEmbeds, assertGenerates } from '../../lib/gateway/plan.js';
import { resolveRoute } from '../../lib/gateway/route.js';

const route = (model: string) => resolveRoute(model, new Set(['acme']), new Date('2026-12-07T12:00:00Z'));
const refusal = (check: () => void) => {
  try {
    check();
  } catch (error) {
    return error as { status: number; param: string; code: string };
  }
  return undefined;
};

describe('what an endpoint serves', () => {
  it('embeds catalog embedding models and uncatalogued models of providers that embed', () => {
    for (const model of [
      'text-embedding-3-small',
      'gemini-embedding-001',
      'bedrock/amazon.titan-embed-text-v2:0',
      'azure/my-deployment',
      'acme/anything',
      'vertex-ai/text-embedding-005',
    ]) {
      expect(refusal(() => assertEmbeds(route(model), 'model'))).toBeUndefined();
    }
  });

  it('refuses to embed with a chat model or a provider without embeddings, naming the field', () => {
    expect(refusal(() => assertEmbeds(route('gpt-4o-mini'), 'models[1]'))).toMatchObject({
      status: 400,
      param: 'models[1]',
      code: 'model_cannot_embed',
    });
    expect(refusal(() => assertEmbeds(route('anthropic/claude-new'), 'model'))).toMatchObject({ status: 400 });
  });

  it('refuses to generate with an embedding model, and lets every other model through', () => {
    expect(refusal(() => assertGenerates(route('text-embedding-3-large'), 'model'))).toMatchObject({
      status: 400,
      param: 'model',
      code: 'model_cannot_generate',
    });
    expect(refusal(() => assertGenerates(route('gpt-4o-mini'), 'model'))).toBeUndefined();
    expect(refusal(() => assertGenerates(route('acme/acme-embed'), 'model'))).toBeUndefined();
  });
});
