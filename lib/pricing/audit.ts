/**
 * Which catalog models cannot be priced, and which prices nobody can trace: what `npm run catalog:check` reports
 * (scripts/catalog-check.ts).
 */
import { type CatalogEntry, retiredOn } from '../catalog.js';
import { selectPeriod } from './period.js';

/** Providers whose every chat model must carry a price (issue 7: zero unpriced models for these four). */
export const REQUIRED_PRICED_PROVIDERS = ['openai', 'anthropic', 'gemini', 'bedrock'] as const;

export interface UnpricedModel {
  provider: string;
  model: string;
  /** `no price` (the entry has none) or `not yet priced` (every period starts after the date). */
  reason: 'no price' | 'not yet priced';
  /** The provider is one of `REQUIRED_PRICED_PROVIDERS`. */
  required: boolean;
}

/** The catalog's chat models with no price in force on `date`, in catalog order. */
export function unpricedModels(entries: readonly CatalogEntry[], date: Date): UnpricedModel[] {
  const required = new Set<string>(REQUIRED_PRICED_PROVIDERS);
  const out: UnpricedModel[] = [];
  for (const entry of entries) {
    if (entry.type !== 'completions') continue;
    const provider = entry.inference_provider.provider;
    const hasPrice = (entry.price?.length ?? 0) > 0;
    if (hasPrice && selectPeriod(entry.price, date)) continue;
    out.push({
      provider,
      model: entry.model,
      reason: hasPrice ? 'not yet priced' : 'no price',
      required: required.has(provider),
    });
  }
  return out;
}

export interface UnsourcedPrice {
  provider: string;
  model: string;
  /** When the price charged today took effect. */
  validFrom: string;
}

const DAY_MS = 86_400_000;

/**
 * The models still served whose price in force on `date` took effect more than `maxAgeDays` before it and names no
 * source: the prices most likely to have changed without anyone noticing, in catalog order.
 */
export function unsourcedOldPrices(entries: readonly CatalogEntry[], date: Date, maxAgeDays = 365): UnsourcedPrice[] {
  const cutoff = new Date(date.getTime() - maxAgeDays * DAY_MS).toISOString().slice(0, 10);
  const out: UnsourcedPrice[] = [];
  for (const entry of entries) {
    if (retiredOn(entry, date)) continue;
    const period = selectPeriod(entry.price, date);
    if (!period || period.source || (period.valid_from ?? '') >= cutoff) continue;
    out.push({ provider: entry.inference_provider.provider, model: entry.model, validFrom: period.valid_from ?? '' });
  }
  return out;
}
