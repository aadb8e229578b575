import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../lib/catalog.js';
import { unpricedModels, unsourcedOldPrices } from '../../lib/pricing/audit.js';

const entry = (provider: string, model: string, price?: CatalogEntry['price']): CatalogEntry => ({
  model,
  model_provider: provider,
  inference_provider: { provider, model_name: model },
  price,
  type: 'completions',
});

describe('unpricedModels', () => {
  it('lists models without a price in force, marking the four providers that must have one', () => {
    const entries = [
      entry('openai', 'priced', [{ per_input_token: 1, per_output_token: 1, valid_from: '2025-01-01' }]),
      entry('bedrock', 'no-price'),
      entry('gemini', 'future', [{ per_input_token: 1, per_output_token: 1, valid_from: '2030-01-01' }]),
      entry('groq', 'empty', []),
      { ...entry('openai', 'embedder'), type: 'embeddings' },
    ];
    expect(unpricedModels(entries, new Date('2026-01-01T00:00:00Z'))).toEqual([
      { provider: 'bedrock', model: 'no-price', reason: 'no price', required: true },
      { provider: 'gemini', model: 'future', reason: 'not yet priced', required: true },
      { provider: 'groq', model: 'empty', reason: 'no price', required: false },
    ]);
  });
});

describe('unsourcedOldPrices', () => {
  it('lists served models whose price today is over a year old and names no source', () => {
    const source = { url: 'https://example.com/pricing', checked: '2026-11-01' };
    const entries = [
      entry('openai', 'old', [{ per_input_token: 1, per_output_token: 1, valid_from: '2025-12-06' }]),
      entry('openai', 'a-year-old', [{ per_input_token: 1, per_output_token: 1, valid_from: '2025-12-07' }]),
      entry('openai', 'old-sourced', [{ per_input_token: 1, per_output_token: 1, valid_from: '2024-01-01', source }]),
      entry('openai', 'repriced', [
        { per_input_token: 1, per_output_token: 1, valid_from: '2024-01-01' },
        { per_input_token: 2, per_output_token: 2, valid_from: '2026-06-01' },
      ]),
      entry('openai', 'old-price-now-sourced', [
        { per_input_token: 1, per_output_token: 1, valid_from: '2024-01-01' },
        { per_input_token: 2, per_output_token: 2, valid_from: '2025-01-01', source },
      ]),
      {
        ...entry('openai', 'retired', [{ per_input_token: 1, per_output_token: 1, valid_from: '2024-01-01' }]),
        retired: '2026-10-23',
      },
      entry('groq', 'no-price'),
    ];
    expect(unsourcedOldPrices(entries, new Date('2026-12-07T10:00:00Z'))).toEqual([
      { provider: 'openai', model: 'old', validFrom: '2025-12-06' },
    ]);
  });
});

describe('scripts/catalog-check.ts', () => {
  it('passes on the catalog and says so', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const { stdout } = await promisify(execFile)(tsx, ['scripts/catalog-check.ts'], { cwd: root });
    expect(stdout).toMatch(/^\d+ catalog models, 0 unpriced, 0 of them from openai, anthropic, gemini, bedrock$/m);
    expect(stdout).toMatch(/^unsourced: [\w-]+\/\S+: price in force since \d{4}-\d{2}-\d{2} has no source$/m);
    expect(stdout).toMatch(/^\d+ prices in force for over a year without a source$/m);
  });
});
