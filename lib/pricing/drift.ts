/**
 * Price drift: where the catalog's price in force on a day disagrees with another price list's for the same model
 * (test/pricing/drift.test.ts compares it with `@pydantic/genai-prices`). Every rate the reference states is compared
 * with the rate the gateway charges (a cache price the catalog leaves out is the input price), and so are long-prompt
 * tiers: their thresholds, then their prices. The reference is a function, so this module depends on no price list.
 */
import { type CatalogEntry, type PricePeriod, retiredOn } from '../catalog.js';
import { selectPeriod } from './period.js';

export const PRICE_FIELDS = ['input', 'output', 'cache_read', 'cache_write'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** A rate above a prompt size (all input tokens): the price applies to prompts of more than `above` tokens. */
export interface RateTier {
  above: number;
  price: number;
}

/** One field of a reference price: its base rate and, for long prompts, its tiers (lowest threshold first). */
export interface ReferenceRate {
  base: number;
  tiers: RateTier[];
}

/** The reference's price for a catalog model on a day, under the reference's own name for it. */
export interface ReferencePrice {
  model: string;
  rates: Partial<Record<PriceField, ReferenceRate>>;
}

export type PriceReference = (entry: CatalogEntry, at: Date) => ReferencePrice | undefined;

export interface PriceDisagreement {
  provider: string;
  model: string;
  /** `input`, `cache_read`, … or a tier: `input above 200000`, or `input tiers` when the thresholds differ. */
  field: string;
  ours: number | string;
  theirs: number | string;
}

export interface DriftReport {
  /** Catalog models both lists price on the day. */
  compared: number;
  disagreements: PriceDisagreement[];
}

const PERIOD_KEYS: Record<PriceField, keyof PricePeriod & keyof NonNullable<PricePeriod['tiers']>[number]> = {
  input: 'per_input_token',
  output: 'per_output_token',
  cache_read: 'per_cached_input_token',
  cache_write: 'per_cached_input_write_token',
};

/**
 * Our rate for a field as we charge it: a cache price the catalog leaves out is the input price (lib/pricing/period.ts),
 * and a field a tier leaves out keeps the period's value.
 */
function ourRate(period: PricePeriod, field: PriceField): ReferenceRate {
  const key = PERIOD_KEYS[field];
  const isCache = field === 'cache_read' || field === 'cache_write';
  const base = period[key] ?? (isCache ? period.per_input_token : undefined) ?? 0;
  const tiers = (period.tiers ?? []).map((tier) => ({
    above: tier.above_input_tokens,
    price: tier[key] ?? (period[key] === undefined && isCache ? tier.per_input_token : undefined) ?? base,
  }));
  return { base, tiers };
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9;
const thresholds = (tiers: readonly RateTier[]) =>
  tiers.length ? tiers.map((tier) => `above ${tier.above}`).join(', ') : 'none';

/**
 * Thresholds one token apart are the same boundary: "from 272K tokens" is written `above 271999` by lists that, like
 * this gateway, apply a tier to prompts of more than its threshold, and providers' pages say "over 272K" and
 * "272K and above" for one price. They differ only for a prompt of exactly that size.
 */
function sameThresholds(ours: readonly RateTier[], theirs: readonly RateTier[]): boolean {
  return ours.length === theirs.length && ours.every((tier, index) => Math.abs(tier.above - theirs[index]!.above) <= 1);
}

function compareRate(
  ours: ReferenceRate,
  theirs: ReferenceRate,
  field: PriceField,
): Omit<PriceDisagreement, 'provider' | 'model'>[] {
  const out: Omit<PriceDisagreement, 'provider' | 'model'>[] = [];
  if (!same(ours.base, theirs.base)) out.push({ field, ours: ours.base, theirs: theirs.base });
  if (!sameThresholds(ours.tiers, theirs.tiers)) {
    out.push({ field: `${field} tiers`, ours: thresholds(ours.tiers), theirs: thresholds(theirs.tiers) });
    return out;
  }
  ours.tiers.forEach((tier, index) => {
    const their = theirs.tiers[index]!;
    if (!same(tier.price, their.price))
      out.push({ field: `${field} above ${tier.above}`, ours: tier.price, theirs: their.price });
  });
  return out;
}

/**
 * Every disagreement between the catalog's prices on `at` and the reference's, in catalog order. A model retired by
 * then has no price in force to compare.
 */
export function priceDrift(entries: readonly CatalogEntry[], reference: PriceReference, at: Date): DriftReport {
  let compared = 0;
  const disagreements: PriceDisagreement[] = [];
  for (const entry of entries) {
    const period = selectPeriod(entry.price, at);
    if (!period || retiredOn(entry, at)) continue;
    const theirs = reference(entry, at);
    if (!theirs) continue;
    compared++;
    for (const field of PRICE_FIELDS) {
      const their = theirs.rates[field];
      if (!their) continue;
      const ours = ourRate(period, field);
      for (const found of compareRate(ours, their, field)) {
        disagreements.push({ provider: entry.inference_provider.provider, model: entry.model, ...found });
      }
    }
  }
  return { compared, disagreements };
}
