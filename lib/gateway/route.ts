/**
 * Step 3 of the pipeline: a model string → which provider serves it, and under what name (CONTRACT.md §2, DESIGN.md
 * §2). `provider/model` wins when the prefix is a known provider or one of the project's custom providers; then the
 * catalog's entry for the bare name; then name patterns; otherwise 404 `model_not_found`. A catalog model the provider
 * has retired by the request's day is 404 `model_not_found` too, saying when it was retired.
 */
import { type CatalogEntry, findBareModel, findModel, retiredOn } from '../catalog.js';
import { GatewayError, modelNotFound } from '../core/errors.js';
import { scopeAllows } from '../core/model-pattern.js';
import { isBuiltinProvider } from '../providers/registry.js';

export interface Route {
  /** The provider's name as in `provider/model` (`openai`, `acme`, …). */
  provider: string;
  /** The model name sent to the provider. */
  model: string;
  /** The model string as the caller wrote it: responses echo it. */
  requested: string;
  catalogEntry?: CatalogEntry;
}

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^(gpt-|chatgpt-|o1|o3|o4)/, 'openai'],
  [/^claude-/, 'anthropic'],
  [/^gemini-/, 'gemini'],
] as const;

/**
 * @param customProviders the project's custom provider names (credentials of type `openai-compatible` whose name is
 *   not built in); only these and built-in names count as a `provider/` prefix.
 * @param at the request's time: a model retired on or before its UTC day is not routed.
 * @param param the request field named in a 404 (`model`, or `models[1]` for a fallback).
 */
export function resolveRoute(
  requested: string,
  customProviders: ReadonlySet<string>,
  at: Date,
  param = 'model',
): Route {
  const route = routeOf(requested, customProviders, param);
  const retired = retiredOn(route.catalogEntry, at);
  if (retired) throw modelRetired(route, retired, param);
  return route;
}

function routeOf(requested: string, customProviders: ReadonlySet<string>, param: string): Route {
  const slash = requested.indexOf('/');
  if (slash > 0) {
    const provider = requested.slice(0, slash);
    const name = requested.slice(slash + 1);
    if (name && (isBuiltinProvider(provider) || customProviders.has(provider))) {
      const catalogEntry = findModel(provider, name);
      return { provider, model: upstreamName(catalogEntry, name), requested, catalogEntry };
    }
  }
  const entry = findBareModel(requested);
  if (entry) {
    return {
      provider: entry.inference_provider.provider,
      model: upstreamName(entry, requested),
      requested,
      catalogEntry: entry,
    };
  }
  for (const [pattern, provider] of PATTERNS) {
    if (pattern.test(requested)) return { provider, model: requested, requested };
  }
  if (param === 'model') throw modelNotFound(requested);
  throw modelNotFound(
    requested,
    `The fallback model '${requested}' (${param}) does not exist or is not available through this gateway.`,
    param,
  );
}

/** 404 for a model its provider shut down (OpenAI answers a retired model with `model_not_found` too). */
export function modelRetired(route: Pick<Route, 'requested' | 'provider'>, day: string, param = 'model'): GatewayError {
  const which =
    param === 'model' ? `The model '${route.requested}'` : `The fallback model '${route.requested}' (${param})`;
  return modelNotFound(
    route.requested,
    `${which} was retired on ${day} by ${route.provider} and is no longer available; choose a current model (GET /v1/models).`,
    param,
  );
}

/**
 * The catalog's short name (`claude-sonnet-4-5`) maps to the provider's model id; any other name the caller wrote
 * (a dated snapshot, a deployment) is sent as written, so a caller pinning a snapshot gets that snapshot.
 */
function upstreamName(entry: CatalogEntry | undefined, written: string): string {
  if (entry && entry.model.toLowerCase() === written.toLowerCase()) return entry.inference_provider.model_name;
  return written;
}

/**
 * Whether a key's scope lets it call `route` (CONTRACT.md §5): a pattern matches the routed `provider/model` id,
 * the catalog's name for it (as `/v1/models` lists it) or the name sent to the provider.
 */
export function routeInScope(patterns: readonly string[] | null | undefined, route: Route): boolean {
  if (!patterns) return true;
  const ids = [`${route.provider}/${route.model}`];
  if (route.catalogEntry) ids.push(`${route.provider}/${route.catalogEntry.model}`);
  return ids.some((id) => scopeAllows(patterns, id));
}

/** 403 for a model outside the key's scope, naming the field (`model`, `models[i]`). */
export function modelNotAllowed(route: Route, param: string): GatewayError {
  return new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'model_not_allowed',
    param,
    message: `This gateway key may not use the model '${route.requested}' (${route.provider}/${route.model}).`,
  });
}
