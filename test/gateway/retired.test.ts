import { describe, expect, it } from 'vitest';
import { type CatalogEntry, findModel, retiredOn } from '../../lib/catalog.js';
import { GatewayError } from '../../lib/core/errors.js';
import { getModel, listModels } from '../../lib/gateway/models.js';
import { resolveRoute } from '../../lib/gateway/route.js';
import { priceFor } from '../../lib/pricing/price-for.js';

const NONE = new Set<string>();
const BEFORE = new Date('2026-12-10T23:59:59.999Z');
const ON = new Date('2026-12-11T00:00:00Z');

function thrown(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('retiredOn', () => {
  const entry = { retired: '2026-12-11' } as CatalogEntry;

  it('is the retirement day from that UTC day on, and undefined before it or without one', () => {
    expect(retiredOn(entry, BEFORE)).toBeUndefined();
    expect(retiredOn(entry, ON)).toBe('2026-12-11');
    expect(retiredOn(entry, new Date('2030-01-01T00:00:00Z'))).toBe('2026-12-11');
    expect(retiredOn({} as CatalogEntry, ON)).toBeUndefined();
    expect(retiredOn(undefined, ON)).toBeUndefined();
    expect(retiredOn(entry, new Date(Number.NaN))).toBeUndefined();
  });
});

describe('resolveRoute on a retired model', () => {
  it('routes it until the day before its retirement', () => {
    expect(resolveRoute('gpt-5', NONE, BEFORE)).toMatchObject({ provider: 'openai', model: 'gpt-5' });
  });

  it('is 404 model_not_found naming the day, by name, provider/name and alias', () => {
    for (const model of ['gpt-5', 'openai/gpt-5', 'gpt-5-2025-08-07', 'openai/gpt-5-2025-08-07']) {
      const error = thrown(() => resolveRoute(model, NONE, ON));
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
      expect(error.message).toBe(
        `The model '${model}' was retired on 2026-12-11 by openai and is no longer available; choose a current model (GET /v1/models).`,
      );
    }
  });

  it('names a fallback by its field', () => {
    const error = thrown(() => resolveRoute('claude-3-opus-20240229', NONE, ON, 'models[1]'));
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'models[1]' });
    expect(error.message).toContain(
      "The fallback model 'claude-3-opus-20240229' (models[1]) was retired on 2026-01-05",
    );
  });

  it('leaves models outside the catalog alone', () => {
    expect(resolveRoute('gpt-5-experimental', NONE, ON)).toMatchObject({ provider: 'openai' });
  });
});

describe('listModels and getModel', () => {
  it('hide a retired model from its retirement day', () => {
    const ids = (at: Date) => listModels({}, at).data.map((model) => model.id);
    expect(ids(BEFORE)).toContain('openai/gpt-5');
    expect(ids(ON)).not.toContain('openai/gpt-5');
    expect(ids(ON)).not.toContain('anthropic/claude-3-5-haiku-20241022');
    expect(ids(ON)).toContain('openai/gpt-5.1');
    expect(getModel('openai/gpt-5', {}, BEFORE).id).toBe('openai/gpt-5');
    const error = thrown(() => getModel('openai/gpt-5', {}, ON));
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(error.message).toContain('retired on 2026-12-11');
    expect(thrown(() => getModel('openai/no-such-model', {}, ON)).message).not.toContain('retired');
  });
});

describe('prices of a retired model', () => {
  it('stay, so requests made before its retirement keep their cost', () => {
    expect(findModel('anthropic', 'claude-3-opus-20240229')?.retired).toBe('2026-01-05');
    expect(priceFor('anthropic', 'claude-3-opus-20240229', new Date('2025-06-01T00:00:00Z'))).toMatchObject({
      per_input_token: 15,
      per_output_token: 75,
    });
  });
});
