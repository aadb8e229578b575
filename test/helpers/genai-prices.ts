/**
 * `@pydantic/genai-prices` (a dev dependency) as a price reference for lib/pricing/drift.ts. Its own matching and
 * date selection are used: `calcPrice` with the provider's id and the day returns the model it matched and the
 * `ModelPrice` in force, read here field by field (`input_mtok`, `output_mtok`, `cache_read_mtok`, `cache_write_mtok`,
 * each a number or `{ base, tiers: [{ start, price }] }`, a tier applying above `start` input tokens).
 */
import { calcPrice, type ModelPrice, type Provider } from '@pydantic/genai-prices';
import type { CatalogEntry } from '../../lib/catalog.js';
import type { PriceField, PriceReference, ReferenceRate } from '../../lib/pricing/drift.js';

/**
 * The gateway's provider names → genai-prices' provider ids. genai-prices' `google` is the Gemini API's price list,
 * not Vertex AI's (Gemini 2.0 Flash: $0.10/$0.40 there, $0.15/$0.60 on Vertex), and it has no deepinfra.
 */
export const GENAI_PRICES_PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  bedrock: 'aws',
  deepseek: 'deepseek',
  xai: 'x-ai',
  mistral: 'mistral',
  groq: 'groq',
  togetherai: 'together',
  fireworksai: 'fireworks',
  openrouter: 'openrouter',
};

const FIELDS: Record<PriceField, string> = {
  input: 'input_mtok',
  output: 'output_mtok',
  cache_read: 'cache_read_mtok',
  cache_write: 'cache_write_mtok',
};

function rate(value: ModelPrice[string]): ReferenceRate | undefined {
  if (typeof value === 'number') return { base: value, tiers: [] };
  if (value && typeof value === 'object' && typeof value.base === 'number') {
    return { base: value.base, tiers: value.tiers.map((tier) => ({ above: tier.start, price: tier.price })) };
  }
  return undefined;
}

/**
 * A reference reading genai-prices' bundled data, or the given providers instead (for tests over synthetic data).
 * Only a match from the mapped provider itself counts: a price genai-prices falls back to from another provider is
 * not that provider's price.
 */
export function genaiPricesReference(providers?: readonly Provider[]): PriceReference {
  return (entry: CatalogEntry, at: Date) => {
    const providerId = GENAI_PRICES_PROVIDERS[entry.inference_provider.provider];
    if (!providerId) return undefined;
    const custom = providers?.find((provider) => provider.id === providerId);
    if (providers && !custom) return undefined;
    // The provider's own ids only: the catalog's short `model` may be another model's id there (`ministral-3b` is
    // Ministral 3B 24.10, while the catalog's `ministral-3b` sends `ministral-3b-latest`).
    for (const name of new Set([entry.inference_provider.model_name, ...(entry.aliases ?? [])])) {
      const options = custom ? { provider: custom, timestamp: at } : { providerId, timestamp: at };
      const found = calcPrice({ input_tokens: 1, output_tokens: 1 }, name, options);
      if (!found || found.provider.id !== providerId) continue;
      const rates: Partial<Record<PriceField, ReferenceRate>> = {};
      for (const [field, key] of Object.entries(FIELDS) as [PriceField, string][]) {
        const parsed = rate(found.model_price[key]);
        if (parsed) rates[field] = parsed;
      }
      return { model: found.model.id, rates };
    }
    return undefined;
  };
}
