/**
 * `priceFor(provider, model, date)`: the catalog's price for a model served by a provider on a date. Names resolve
 * as the provider would: exact names and aliases first, then the forms the same model also goes by (a Bedrock
 * inference profile or ARN, Gemini's `models/` prefix, a dated snapshot of a catalog model).
 */
import { type CatalogEntry, findModel, type PricePeriod } from '../catalog.js';
import { selectPeriod } from './period.js';

/** Geography prefixes of Bedrock cross-region inference profiles (`us.anthropic.claude-…`). */
const BEDROCK_PROFILE_PREFIXES = new Set(['us', 'us-gov', 'eu', 'apac', 'ap', 'jp', 'au', 'ca', 'global']);

/** Dated snapshot suffixes: OpenAI's `-2024-08-06`, Anthropic's `-20241022`. */
const DATE_SUFFIXES = [/-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/] as const;
/** Gemini's stable version suffix (`gemini-2.0-flash-001`). */
const GEMINI_VERSION_SUFFIX = /-\d{3}$/;

/** Azure deployments price as the OpenAI model they deploy. */
const PRICE_FALLBACK: Readonly<Record<string, readonly string[]>> = { azure: ['azure', 'openai'] };

function bedrockBaseId(name: string): string | undefined {
  const parts = name.split('.');
  if (parts.length >= 3 && BEDROCK_PROFILE_PREFIXES.has(parts[0]!.toLowerCase())) return parts.slice(1).join('.');
  return undefined;
}

/** The names to look up, most specific first. */
function nameVariants(provider: string, model: string): string[] {
  const names = [model];
  let name = model;
  if (name.startsWith('models/')) name = name.slice('models/'.length);
  if (provider === 'bedrock' && name.startsWith('arn:')) name = name.split('/').at(-1) ?? name;
  names.push(name);
  if (provider === 'bedrock') {
    // A profile costs what its foundation model costs in the caller's region, unless the catalog lists it apart.
    const base = bedrockBaseId(name);
    if (base) names.push(base);
    return names;
  }
  const suffixes =
    provider === 'gemini' || provider === 'vertex-ai' ? [...DATE_SUFFIXES, GEMINI_VERSION_SUFFIX] : DATE_SUFFIXES;
  for (const suffix of suffixes) {
    if (suffix.test(name)) names.push(name.replace(suffix, ''));
  }
  return names;
}

/** The catalog entry whose prices apply to `model` served by `provider`, if the catalog has one. */
export function findPricedEntry(provider: string, model: string): CatalogEntry | undefined {
  const key = provider.toLowerCase();
  for (const catalogProvider of PRICE_FALLBACK[key] ?? [key]) {
    for (const name of nameVariants(catalogProvider, model)) {
      const entry = findModel(catalogProvider, name);
      if (entry) return entry;
    }
  }
  return undefined;
}

/**
 * The price in force for `model` served by `provider` on `date` (the latest `valid_from` not after it), or
 * undefined when the catalog does not price it. Custom providers' prices come from `priceFromCustomModel` instead.
 */
export function priceFor(provider: string, model: string, date: Date): PricePeriod | undefined {
  return selectPeriod(findPricedEntry(provider, model)?.price, date);
}
