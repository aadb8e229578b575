/**
 * What a routed model costs: the catalog's price for the provider and model on the request's date, or a custom
 * provider's own prices from its credential's `models` list. Unknown prices stay unknown (null), never 0.
 */
import type { PricePeriod } from '../catalog.js';
import type { Usage } from '../core/types.js';
import { cost, priceFor, priceFromCustomModel } from '../pricing/index.js';
import { providerFor } from '../providers/registry.js';
import type { ProjectCredentials } from '../storage/types.js';
import type { Route } from './route.js';

export function priceForRoute(route: Route, credentials: ProjectCredentials, at: Date): PricePeriod | undefined {
  if (!providerFor(route.provider).builtin) {
    const models = credentials[route.provider]?.credential.models;
    if (!Array.isArray(models)) return undefined;
    const model = models.find((candidate) => (candidate as { id?: unknown }).id === route.model) as
      | { input_per_million?: number; output_per_million?: number }
      | undefined;
    return model ? priceFromCustomModel(model) : undefined;
  }
  // A credential may say which catalog model a deployment name runs (Azure's `deployments`).
  const deployments = credentials[route.provider]?.credential.deployments as Record<string, unknown> | undefined;
  const deployed = deployments?.[route.model];
  return priceFor(route.provider, typeof deployed === 'string' ? deployed : route.model, at);
}

/** USD for the usage at the price; null when the price is unknown. */
export function costOf(usage: Usage | undefined, price: PricePeriod | undefined): number | null {
  if (!price) return null;
  return cost(usage ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, price);
}
