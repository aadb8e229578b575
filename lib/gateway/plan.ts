/**
 * Step 3 for every endpoint that calls a model: the request's model and its `models` fallbacks routed (404 for a
 * name that resolves nowhere), each checked against the key's scope (403 `model_not_allowed`) and against what the
 * endpoint can do with it (chat refuses embedding models, embeddings refuse chat models: 400), then priced; a key
 * with a budget gets its reservation, and every model must have a price (403 `model_not_priced`). All before the
 * first provider call, so a refusal costs no upstream request.
 */
import type { PricePeriod } from '../catalog.js';
import { badRequest } from '../core/errors.js';
import { providerFor } from '../providers/registry.js';
import type { KeyRecord, ProjectCredentials } from '../storage/types.js';
import type { BudgetLedger } from '../usage/budget.js';
import { modelNotPriced, RequestBudget } from './budget.js';
import { customProviderNames } from './credentials.js';
import type { RequestOutcome } from './outcome.js';
import { priceForRoute } from './price.js';
import { modelNotAllowed, type Route, resolveRoute, routeInScope } from './route.js';

export interface RoutePlan {
  routes: Route[];
  /** Each route's price on the request's date, in route order. */
  prices: (PricePeriod | undefined)[];
  /** The key's reservation, when it has a budget. */
  budget?: RequestBudget;
}

/** The request field a route came from: `model`, or `models[i]` for a fallback. */
export const paramOfRoute = (index: number): string => (index === 0 ? 'model' : `models[${index - 1}]`);

export function planRoutes(input: {
  models: readonly string[];
  key: KeyRecord;
  credentials: ProjectCredentials;
  budgets: BudgetLedger;
  outcome: RequestOutcome;
  headers: Record<string, string>;
  /** Throws (400) for a route the endpoint cannot serve; `param` names the field. */
  assertServes?: (route: Route, param: string) => void;
}): RoutePlan {
  const { key, credentials, outcome, headers } = input;
  const custom = customProviderNames(credentials);
  const routes = input.models.map((model, i) => resolveRoute(model, custom, input.outcome.at, paramOfRoute(i)));
  routes.forEach((route, i) => {
    if (!routeInScope(key.models, route)) throw modelNotAllowed(route, paramOfRoute(i));
  });
  routes.forEach((route, i) => {
    input.assertServes?.(route, paramOfRoute(i));
  });
  // The provider is chosen once the model is routed: even a provider_not_configured answer names it.
  headers['x-gateway-provider'] = routes[0]!.provider;
  outcome.provider = routes[0]!.provider;
  outcome.providerModel = routes[0]!.model;
  const prices = routes.map((route) => priceForRoute(route, credentials, outcome.at));
  if (key.budget_usd === null) return { routes, prices };
  // A budget holds only what can be priced: every model the request may reach must have a price.
  routes.forEach((route, i) => {
    if (!prices[i]) throw modelNotPriced(route.requested, paramOfRoute(i));
  });
  const budget = new RequestBudget(input.budgets, { ...key, budget_usd: key.budget_usd }, outcome.at);
  outcome.budget = budget;
  return { routes, prices, budget };
}

/** Chat, Responses and Messages: a model the catalog lists as embedding-only is a 400 naming the field. */
export function assertGenerates(route: Route, param: string): void {
  if (route.catalogEntry?.mode !== 'embedding') return;
  throw badRequest(
    `The model '${route.requested}' is an embedding model: send it to POST /v1/embeddings.`,
    param,
    'model_cannot_generate',
  );
}

/**
 * Embeddings: a model the catalog lists for chat, or a provider without embeddings (Anthropic), is a 400 naming
 * the field. Models the catalog does not know go to the provider, which refuses what it cannot embed.
 */
export function assertEmbeds(route: Route, param: string): void {
  const entry = route.catalogEntry;
  const embeds = entry ? entry.mode === 'embedding' : providerFor(route.provider).factory.embeddings === true;
  if (embeds) return;
  throw badRequest(
    `The model '${route.requested}' cannot create embeddings: use an embedding model such as openai/text-embedding-3-small.`,
    param,
    'model_cannot_embed',
  );
}

/**
 * What the request is trying now, on its outcome and in `x-gateway-provider`: the provider being tried is the one
 * an answer, an error or a row names. Returns the route's price.
 */
export function enterRoute(
  plan: Pick<RoutePlan, 'routes' | 'prices'>,
  route: Route,
  outcome: RequestOutcome,
  headers: Record<string, string>,
): RoutePlan['prices'][number] {
  headers['x-gateway-provider'] = route.provider;
  outcome.provider = route.provider;
  outcome.providerModel = route.model;
  outcome.catalogEntry = route.catalogEntry;
  outcome.model = route.requested;
  outcome.price = plan.prices[plan.routes.indexOf(route)];
  return outcome.price;
}

/**
 * `estimate` computed once per model of the request: a budget reserves for each model tried, and a cut-short
 * stream is billed at the same figure afterwards.
 */
export function oncePerModel<T>(estimate: (route: Route) => Promise<T>): (route: Route) => Promise<T> {
  const known = new Map<string, Promise<T>>();
  return (route) => {
    const id = `${route.provider}/${route.model}`;
    let value = known.get(id);
    if (!value) {
      value = estimate(route);
      known.set(id, value);
    }
    return value;
  };
}
