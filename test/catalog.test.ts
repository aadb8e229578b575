import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CatalogEntry, catalog, findBareModel, findModel, type PricePeriod } from '../lib/catalog.js';
import { unpricedModels } from '../lib/pricing/audit.js';
import { type Schema, validateJsonSchema } from '../lib/pricing/json-schema.js';

const schema = JSON.parse(readFileSync(new URL('../models_data.schema.json', import.meta.url), 'utf8')) as Schema;

const FIRST_PARTY = new Set(['openai', 'anthropic', 'gemini']);
const PROVIDERS = new Set([
  ...FIRST_PARTY,
  'vertex-ai',
  'bedrock',
  'deepseek',
  'xai',
  'mistral',
  'groq',
  'togetherai',
  'fireworksai',
  'deepinfra',
  'openrouter',
]);

/** Anthropic's price page lists Claude 3 Haiku's cache write / read as $0.30 / $0.03, not 1.25× / 0.1× of $0.25. */
const ANTHROPIC_CACHE_EXCEPTIONS = new Set(['anthropic/claude-3-haiku-20240307']);

/**
 * From Claude Fable 5.1 (2026-09-01) on, Anthropic prices some models' cache reads below 0.1× input (Opus 5.5 reads at
 * $0.20 for $4 input); writes stay at 1.25×. Periods that start earlier read at exactly 0.1×.
 */
const CHEAPER_CACHE_READS_FROM = '2026-09-01';

function anthropicCacheRead(read: number, input: number, validFrom = ''): boolean {
  if (validFrom < CHEAPER_CACHE_READS_FROM) return Math.abs(read - input * 0.1) <= 1e-9;
  return read > 0 && read <= input * 0.1 + 1e-9;
}

function namesOf(entry: CatalogEntry): Set<string> {
  return new Set(
    [entry.model, entry.inference_provider.model_name, ...(entry.aliases ?? [])].map((name) => name.toLowerCase()),
  );
}

function allPrices(period: PricePeriod): number[] {
  const own = [
    period.per_input_token,
    period.per_output_token,
    period.per_cached_input_token,
    period.per_cached_input_write_token,
  ];
  const tiers = (period.tiers ?? []).flatMap((tier) => [
    tier.per_input_token,
    tier.per_output_token,
    tier.per_cached_input_token,
    tier.per_cached_input_write_token,
  ]);
  return [...own, ...tiers].filter((price): price is number => price !== undefined);
}

const label = (entry: CatalogEntry) => `${entry.inference_provider.provider}/${entry.model}`;
const periods = catalog.flatMap((entry) => (entry.price ?? []).map((period) => ({ entry, period })));

describe('models_data.json', () => {
  it('conforms to models_data.schema.json', () => {
    expect(validateJsonSchema(catalog, schema)).toEqual([]);
  });

  it('claims each name once per provider (model, provider model name and aliases)', () => {
    const owners = new Map<string, string>();
    const clashes: string[] = [];
    for (const entry of catalog) {
      for (const name of namesOf(entry)) {
        const key = `${entry.inference_provider.provider}/${name}`;
        const owner = owners.get(key);
        if (owner) clashes.push(`${key} (${owner} and ${label(entry)})`);
        else owners.set(key, label(entry));
      }
    }
    expect(clashes).toEqual([]);
  });

  it('uses only the gateway provider names', () => {
    expect([...new Set(catalog.map((entry) => entry.inference_provider.provider))].sort()).toEqual(
      [...PROVIDERS].sort(),
    );
  });

  it('lists first-party providers before everyone else, so a bare name goes to them', () => {
    // Chat models first, then the embedding models as one block; inside each, first-party providers lead.
    const firstEmbedding = catalog.findIndex((entry) => entry.mode === 'embedding');
    const blocks = [catalog.slice(0, firstEmbedding), catalog.slice(firstEmbedding)];
    expect(blocks[1]!.every((entry) => entry.mode === 'embedding')).toBe(true);
    for (const block of blocks) {
      const firstOther = block.findIndex((entry) => !FIRST_PARTY.has(entry.inference_provider.provider));
      const lastFirstParty = block.findLastIndex((entry) => FIRST_PARTY.has(entry.inference_provider.provider));
      expect(lastFirstParty).toBeLessThan(firstOther);
    }
    expect(findBareModel('gemini-2.0-flash')?.inference_provider.provider).toBe('gemini');
    expect(findBareModel('gemini-2.5-flash-lite')?.inference_provider.provider).toBe('gemini');
  });

  it('keeps the entries routing relies on', () => {
    expect(findModel('openai', 'gpt-4o-mini')).toBeDefined();
    expect(findModel('openai', 'gpt-4o')).toBeDefined();
    expect(findModel('anthropic', 'claude-3-5-haiku-20241022')).toBeDefined();
    expect(findModel('gemini', 'gemini-2.0-flash')).toBeDefined();
    expect(findModel('vertex-ai', 'gemini-2.0-flash')).toBeDefined();
    expect(findModel('bedrock', 'anthropic.claude-3-haiku-20240307-v1:0')).toBeDefined();
    expect(findBareModel('claude-3-5-haiku-20241022')?.inference_provider.provider).toBe('anthropic');
  });

  it('has real, increasing valid_from days', () => {
    const problems: string[] = [];
    for (const entry of catalog) {
      const days = (entry.price ?? []).map((period) => period.valid_from ?? '');
      for (const day of days) {
        if (new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) problems.push(`${label(entry)}: ${day}`);
      }
      if (days.some((day, index) => index > 0 && day <= days[index - 1]!)) problems.push(`${label(entry)}: order`);
    }
    expect(problems).toEqual([]);
  });

  it('has prices ≥ 0 with at most 6 decimals (whole picodollars per token)', () => {
    const bad = periods.flatMap(({ entry, period }) =>
      allPrices(period)
        .filter((price) => price < 0 || Math.abs(price * 1e6 - Math.round(price * 1e6)) > 1e-6)
        .map((price) => `${label(entry)}: ${price}`),
    );
    expect(bad).toEqual([]);
  });

  it('orders tiers by threshold inside the context window and repeats the cache prices the period has', () => {
    const bad: string[] = [];
    for (const { entry, period } of periods) {
      const tiers = period.tiers ?? [];
      tiers.forEach((tier, index) => {
        if (index > 0 && tier.above_input_tokens <= tiers[index - 1]!.above_input_tokens) bad.push(label(entry));
        if (tier.above_input_tokens >= (entry.limits?.max_context_size ?? Number.POSITIVE_INFINITY)) {
          bad.push(`${label(entry)}: tier above the context window`);
        }
        if (period.per_cached_input_token !== undefined && tier.per_cached_input_token === undefined) {
          bad.push(`${label(entry)}: tier without cache-read price`);
        }
        if (period.per_cached_input_write_token !== undefined && tier.per_cached_input_write_token === undefined) {
          bad.push(`${label(entry)}: tier without cache-write price`);
        }
      });
    }
    expect(bad).toEqual([]);
  });

  it("prices Anthropic's models' cache writes at 1.25× input and reads at 0.1× input (at most, since 2026-09), wherever served", () => {
    const bad: string[] = [];
    for (const { entry, period } of periods) {
      if (entry.model_provider !== 'anthropic' || ANTHROPIC_CACHE_EXCEPTIONS.has(label(entry))) continue;
      for (const rates of [period, ...(period.tiers ?? [])]) {
        const input = rates.per_input_token ?? period.per_input_token;
        const write = rates.per_cached_input_write_token;
        const read = rates.per_cached_input_token;
        if (write !== undefined && Math.abs(write - input * 1.25) > 1e-9) bad.push(`${label(entry)}: write ${write}`);
        if (read !== undefined && !anthropicCacheRead(read, input, period.valid_from)) {
          bad.push(`${label(entry)}: read ${read}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('corrects the reference prices known to be wrong', () => {
    const opus = findModel('anthropic', 'claude-3-opus-20240229')?.price?.at(-1);
    expect(opus?.per_input_token).toBe(15);
    const flash = findModel('gemini', 'gemini-2.5-flash')?.price?.at(-1);
    expect([flash?.per_input_token, flash?.per_output_token]).toEqual([0.3, 2.5]);
    const haiku = findModel('anthropic', 'claude-3-5-haiku-20241022')?.price?.at(-1);
    expect([haiku?.per_cached_input_write_token, haiku?.per_cached_input_token]).toEqual([1, 0.08]);
  });

  it('marks vision exactly where image input is accepted, and keeps outputs inside the context window', () => {
    const bad = catalog
      .filter(
        (entry) =>
          entry.capabilities?.includes('vision') !== entry.input_formats?.includes('image') ||
          (entry.limits?.max_output_tokens ?? 0) > (entry.limits?.max_context_size ?? Number.POSITIVE_INFINITY),
      )
      .map(label);
    expect(bad).toEqual([]);
  });

  it('says where each retirement was read, on a day after the model launched', () => {
    const bad = catalog
      .filter((entry) => entry.retired !== undefined)
      .filter((entry) => !entry.retired_source || entry.retired! <= (entry.price?.[0]?.valid_from ?? ''))
      .map(label);
    expect(bad).toEqual([]);
    expect(catalog.filter((entry) => entry.retired_source && !entry.retired).map(label)).toEqual([]);
  });

  it('records the audit of issue 15', () => {
    const sol = findModel('openai', 'gpt-5.6-sol')?.price?.at(-1);
    expect(sol).toMatchObject({ per_input_token: 5, per_output_token: 30, valid_from: '2026-12-01' });
    expect(sol?.tiers?.[0]).toMatchObject({ above_input_tokens: 272000, per_input_token: 10, per_output_token: 45 });
    const bedrock46 = catalog.filter((entry) => /^(\w+\.)?anthropic\.claude-(opus|sonnet)-4-6/.test(entry.model));
    expect(bedrock46).toHaveLength(8);
    for (const entry of bedrock46) {
      expect(entry.price?.at(-1)).toMatchObject({ valid_from: '2026-03-13' });
      expect(entry.price?.at(-1)?.tiers).toBeUndefined();
    }
    expect(findModel('groq', 'meta-llama/llama-4-scout-17b-16e-instruct')?.model).toBe('llama-4-scout');
    expect(findModel('mistral', 'mistral-medium-3.5')?.price?.[0]?.valid_from).toBe('2026-04-28');
    expect(findModel('bedrock', 'mistral.mistral-large-2407-v1:0')?.price?.at(-1)).toMatchObject({
      per_input_token: 3,
      per_output_token: 9,
    });
  });

  it('marks embedding models with type embeddings and mode embedding, priced by input alone', () => {
    const bad = catalog
      .filter((entry) => (entry.type === 'embeddings') !== (entry.mode === 'embedding'))
      .concat(
        catalog.filter(
          (entry) =>
            entry.mode === 'embedding' &&
            (!entry.price?.length || entry.price.some((period) => period.per_output_token !== 0)),
        ),
      )
      .map(label);
    expect(bad).toEqual([]);
    expect(findBareModel('text-embedding-3-small')?.inference_provider.provider).toBe('openai');
    expect(findBareModel('gemini-embedding-001')?.inference_provider.provider).toBe('gemini');
  });

  it('prices every chat model of openai, anthropic, gemini and bedrock today (npm run catalog:check)', () => {
    expect(unpricedModels(catalog, new Date()).filter((model) => model.required)).toEqual([]);
  });
});
