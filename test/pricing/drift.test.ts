/**
 * The catalog against `@pydantic/genai-prices` (a dev dependency whose bundled data is dated by its release): every
 * model both price, on the day that release describes, must agree on every rate both state, or the disagreement
 * must be listed in catalog-drift-allowlist.json with its reason, a source and the day it was checked. A listed
 * disagreement that no longer occurs, or occurs with other values, fails too: the list cannot hide a price change.
 */
import { readFileSync } from 'node:fs';
import type { Provider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { type CatalogEntry, catalog } from '../../lib/catalog.js';
import { type PriceDisagreement, priceDrift } from '../../lib/pricing/drift.js';
import { genaiPricesReference } from '../helpers/genai-prices.js';

interface AllowedDisagreement extends PriceDisagreement {
  reason: string;
  source: string;
  checked: string;
}

interface Allowlist {
  reference: { package: string; version: string; compared_on: string; why: string };
  disagreements: AllowedDisagreement[];
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as T;
const allowlist = readJson<Allowlist>('../../catalog-drift-allowlist.json');
const installed = readJson<{ version: string }>('../../node_modules/@pydantic/genai-prices/package.json');
const comparedOn = new Date(`${allowlist.reference.compared_on}T12:00:00Z`);

const keyOf = (d: PriceDisagreement) => JSON.stringify([d.provider, d.model, d.field, d.ours, d.theirs]);

/** The disagreements the list does not name, and the listed ones that no longer occur as listed. */
function unexplained(found: readonly PriceDisagreement[], listed: readonly PriceDisagreement[]) {
  const foundKeys = new Set(found.map(keyOf));
  const listedKeys = new Set(listed.map(keyOf));
  return {
    unlisted: found.filter((d) => !listedKeys.has(keyOf(d))),
    stale: listed
      .filter((d) => !foundKeys.has(keyOf(d)))
      .map(({ provider, model, field, ours, theirs }) => ({
        provider,
        model,
        field,
        ours,
        theirs,
      })),
  };
}

describe('priceDrift against genai-prices, over a small synthetic catalog', () => {
  const entry = (provider: string, model: string, price: CatalogEntry['price']): CatalogEntry => ({
    model,
    model_provider: provider,
    inference_provider: { provider, model_name: model },
    price,
    type: 'completions',
  });
  const providers: Provider[] = [
    {
      id: 'openai',
      name: 'OpenAI',
      api_pattern: 'https://api\\.openai\\.com',
      models: [
        {
          id: 'flat-model',
          match: { equals: 'flat-model' },
          prices: [
            { prices: { input_mtok: 2, output_mtok: 8 } },
            {
              constraint: { type: 'start_date', start_date: '2026-06-01' },
              prices: { input_mtok: 1, output_mtok: 4, cache_read_mtok: 0.1 },
            },
          ],
        },
        {
          id: 'long-model',
          match: { equals: 'long-model' },
          prices: {
            input_mtok: { base: 1.25, tiers: [{ start: 200000, price: 2.5 }] },
            output_mtok: { base: 10, tiers: [{ start: 199999, price: 15 }] },
          },
        },
      ],
    },
    {
      id: 'google',
      name: 'Google',
      api_pattern: 'https://generativelanguage\\.googleapis\\.com',
      models: [{ id: 'gem', match: { equals: 'gem' }, prices: { input_mtok: 0.3, output_mtok: 2.5 } }],
    },
  ];
  const reference = genaiPricesReference(providers);
  const day = new Date('2026-09-23T12:00:00Z');
  const agreeing = () => [
    entry('openai', 'flat-model', [
      { per_input_token: 2, per_output_token: 8, valid_from: '2025-01-01' },
      { per_input_token: 1, per_output_token: 4, per_cached_input_token: 0.1, valid_from: '2026-06-01' },
    ]),
    entry('openai', 'long-model', [
      {
        per_input_token: 1.25,
        per_output_token: 10,
        valid_from: '2025-01-01',
        tiers: [{ above_input_tokens: 200000, per_input_token: 2.5, per_output_token: 15 }],
      },
    ]),
    entry('gemini', 'gem', [{ per_input_token: 0.3, per_output_token: 2.5, valid_from: '2025-01-01' }]),
    entry('openai', 'only-ours', [{ per_input_token: 9, per_output_token: 9, valid_from: '2025-01-01' }]),
    entry('deepinfra', 'gem', [{ per_input_token: 9, per_output_token: 9, valid_from: '2025-01-01' }]),
  ];

  it('finds no disagreement when the prices in force agree, tiers and provider names mapped', () => {
    expect(priceDrift(agreeing(), reference, day)).toEqual({ compared: 3, disagreements: [] });
  });

  it('compares the prices in force on the day on both sides', () => {
    expect(priceDrift(agreeing(), reference, new Date('2026-03-01T00:00:00Z')).disagreements).toEqual([]);
    const early = agreeing();
    early[0]!.price = [
      { per_input_token: 1, per_output_token: 4, per_cached_input_token: 0.1, valid_from: '2025-01-01' },
    ];
    expect(priceDrift(early, reference, new Date('2026-03-01T00:00:00Z')).disagreements).toEqual([
      { provider: 'openai', model: 'flat-model', field: 'input', ours: 1, theirs: 2 },
      { provider: 'openai', model: 'flat-model', field: 'output', ours: 4, theirs: 8 },
    ]);
  });

  it('fails on a changed price, cache price or tier, and on a missing tier', () => {
    const changed = agreeing();
    changed[0]!.price![1]!.per_output_token = 4.5;
    changed[0]!.price![1]!.per_cached_input_token = undefined;
    changed[1]!.price![0]!.tiers![0]!.per_output_token = 16;
    changed[2]!.price![0]!.tiers = [{ above_input_tokens: 128000, per_input_token: 0.6 }];
    expect(priceDrift(changed, reference, day).disagreements).toEqual([
      { provider: 'openai', model: 'flat-model', field: 'output', ours: 4.5, theirs: 4 },
      // No cache price in the catalog bills cache reads as input.
      { provider: 'openai', model: 'flat-model', field: 'cache_read', ours: 1, theirs: 0.1 },
      { provider: 'openai', model: 'long-model', field: 'output above 200000', ours: 16, theirs: 15 },
      { provider: 'gemini', model: 'gem', field: 'input tiers', ours: 'above 128000', theirs: 'none' },
      { provider: 'gemini', model: 'gem', field: 'output tiers', ours: 'above 128000', theirs: 'none' },
    ]);
  });

  it('leaves out a model retired by the day', () => {
    const retired = agreeing();
    retired[0]!.price![1]!.per_input_token = 7;
    retired[0]!.retired = '2026-09-01';
    expect(priceDrift(retired, reference, day).disagreements).toEqual([]);
  });

  it('is held to the allow-list: unlisted and stale entries both fail', () => {
    const changed = agreeing();
    changed[2]!.price![0]!.per_input_token = 0.35;
    const found = priceDrift(changed, reference, day).disagreements;
    expect(unexplained(found, [])).toEqual({ unlisted: found, stale: [] });
    expect(unexplained(found, found)).toEqual({ unlisted: [], stale: [] });
    const listedWithOldValue = [{ ...found[0]!, ours: 0.32 }];
    expect(unexplained(found, listedWithOldValue)).toEqual({ unlisted: found, stale: listedWithOldValue });
  });
});

describe('models_data.json against @pydantic/genai-prices', () => {
  it('compares with the genai-prices release the allow-list was written for', () => {
    expect(installed.version).toBe(allowlist.reference.version);
    expect(allowlist.reference.compared_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('agrees on every shared price, or the disagreement is listed as it is', () => {
    const { compared, disagreements } = priceDrift(catalog, genaiPricesReference(), comparedOn);
    expect(compared).toBeGreaterThan(300);
    expect(unexplained(disagreements, allowlist.disagreements)).toEqual({ unlisted: [], stale: [] });
  });

  it('gives every listed disagreement a reason, a source and the day it was checked', () => {
    const bad = allowlist.disagreements.filter(
      (d) =>
        d.reason.length < 20 ||
        !/^https:\/\/\S+$/.test(d.source) ||
        !/^\d{4}-\d{2}-\d{2}$/.test(d.checked) ||
        Number.isNaN(Date.parse(d.checked)),
    );
    expect(bad).toEqual([]);
    expect(new Set(allowlist.disagreements.map(keyOf)).size).toBe(allowlist.disagreements.length);
  });
});
