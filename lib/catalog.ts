/**
 * The model catalog, `models_data.json` at the repository root (DESIGN.md §3), embedded in the bundle as imported
 * JSON so nothing is read from disk at run time. Prices are USD per million tokens (vLLora's field names). The file
 * is checked against `models_data.schema.json` by test/catalog.test.ts and `npm run catalog:check`, not at run time.
 * Entries are ordered: first-party providers before Vertex AI, Bedrock and the OpenAI-compatible services.
 */
import catalogData from '../models_data.json' with { type: 'json' };

export interface PriceTier {
  above_input_tokens: number;
  per_input_token?: number;
  per_output_token?: number;
  per_cached_input_token?: number;
  per_cached_input_write_token?: number;
}

/** A public page a fact was read from, and the UTC day (`YYYY-MM-DD`) it was last checked there. */
export interface CatalogSource {
  url: string;
  checked: string;
  note?: string;
}

export interface PricePeriod {
  per_input_token: number;
  per_output_token: number;
  per_cached_input_token?: number;
  per_cached_input_write_token?: number;
  valid_from?: string;
  tiers?: PriceTier[];
  source?: CatalogSource;
}

export interface CatalogEntry {
  /** The bare model name callers use, e.g. `gpt-4o-mini`. */
  model: string;
  /** Who makes the model (`openai`, `anthropic`, `google`, `meta`, …). */
  model_provider: string;
  /** `model_name` is the provider's own id, sent upstream when a caller writes `model`. */
  inference_provider: { provider: string; model_name: string; endpoint?: string | null };
  /** Other ids the provider itself accepts for the model (dated snapshots, `-latest`): sent upstream as written. */
  aliases?: string[];
  /** Price periods, oldest first (see lib/pricing). */
  price?: PricePeriod[];
  input_formats?: string[];
  /** `tools`, `json_schema`, `reasoning`, `system`, `vision`: a capability missing from a present list is unsupported. */
  capabilities?: string[];
  /** vLLora's kind of model: `completions`, or `embeddings` for the models of `POST /v1/embeddings`. */
  type: string;
  /**
   * The UTC day (`YYYY-MM-DD`) the provider shut the model down. From that day the gateway no longer lists or routes
   * it; its prices stay, so rows of earlier requests keep their cost.
   */
  retired?: string;
  retired_source?: CatalogSource;
  /** `embedding` for models that only embed (CONTRACT.md §5); absent for chat models. */
  mode?: 'chat' | 'embedding';
  limits?: { max_context_size?: number; max_output_tokens?: number };
}

export const catalog: readonly CatalogEntry[] = catalogData as CatalogEntry[];

function indexKey(provider: string, name: string): string {
  return `${provider}\u0000${name.toLowerCase()}`;
}

let byProvider: Map<string, CatalogEntry> | undefined;
let byBareName: Map<string, CatalogEntry> | undefined;

function buildIndexes(): void {
  byProvider = new Map();
  byBareName = new Map();
  for (const entry of catalog) {
    const provider = entry.inference_provider.provider;
    const names = [entry.model, entry.inference_provider.model_name, ...(entry.aliases ?? [])];
    for (const name of names) {
      if (!byProvider.has(indexKey(provider, name))) byProvider.set(indexKey(provider, name), entry);
      // A bare name goes to the first entry that claims it: the catalog lists first-party providers first.
      if (!byBareName.has(name.toLowerCase())) byBareName.set(name.toLowerCase(), entry);
    }
  }
}

/** The entry for a model served by a provider, by its name, provider model name or an alias. */
export function findModel(provider: string, model: string): CatalogEntry | undefined {
  if (!byProvider) buildIndexes();
  return byProvider!.get(indexKey(provider, model));
}

/** The entry a bare model name (no `provider/` prefix) resolves to, if any. */
export function findBareModel(model: string): CatalogEntry | undefined {
  if (!byBareName) buildIndexes();
  return byBareName!.get(model.toLowerCase());
}

/** The retirement day of a model that is retired on `date` (UTC), else undefined. */
export function retiredOn(entry: CatalogEntry | undefined, date: Date): string | undefined {
  const retired = entry?.retired;
  if (!retired || Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(0, 10) >= retired ? retired : undefined;
}

export function hasCapability(entry: CatalogEntry | undefined, capability: string): boolean | undefined {
  return entry?.capabilities ? entry.capabilities.includes(capability) : undefined;
}
