/**
 * Which catalog models cannot be priced: what `npm run catalog:check` reports (scripts/catalog-check.ts).
 */
import type { CatalogEntry } from '../catalog.js';
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
