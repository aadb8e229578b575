/**
 * Provider credentials of a project. A PUT body is checked by the provider's own credential schema (from the
 * registry: a name that is not built in is a custom OpenAI-compatible provider); answers never hold a secret.
 */
import { badRequest, notFound } from '../core/errors.js';
import { providerFor } from '../providers/registry.js';
import type { StoredCredential } from '../storage/types.js';
import { readBody } from './body.js';
import { type AdminResponse, json } from './http.js';
import { loadProject } from './projects.js';
import type { RouteContext } from './routes.js';

/** CONTRACT.md §6. */
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function providerName(params: Record<string, string>): string {
  const name = params.provider ?? '';
  if (!PROVIDER_NAME.test(name)) {
    throw badRequest('Provider names are 1 to 63 characters of a-z, 0-9 and -, starting with a letter.', 'provider');
  }
  return name;
}

/**
 * Where a credential points, as origin + path only: no user info, query or fragment (places a secret could hide).
 * Undefined when the credential has no URL or it is not http(s).
 */
export function publicBaseUrl(credential: Record<string, unknown>): string | undefined {
  const raw = credential.base_url ?? credential.endpoint;
  if (typeof raw !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname}`;
}

/** A stored credential as listed: its type, time and URL, nothing else. */
export function providerView(provider: string, stored: StoredCredential) {
  const baseUrl = publicBaseUrl(stored.credential);
  return {
    provider,
    type: stored.type,
    updated_at: stored.updated_at,
    ...(baseUrl === undefined ? {} : { base_url: baseUrl }),
  };
}

export async function putProvider({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const provider = providerName(params);
  const project = await loadProject(stores, params.project);
  const { factory } = providerFor(provider);
  const credential = readBody(req.body, factory.credentialSchema) as Record<string, unknown>;
  const updatedAt = new Date().toISOString();
  await stores.credentials.put(project.id, provider, { type: factory.type, credential, updated_at: updatedAt });
  return json(200, { provider, configured: true, updated_at: updatedAt });
}

export async function listProviders({ params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const credentials = await stores.credentials.get(project.id);
  const data = Object.entries(credentials)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([provider, stored]) => providerView(provider, stored));
  return json(200, { data });
}

export async function deleteProvider({ params, stores }: RouteContext): Promise<AdminResponse> {
  const provider = providerName(params);
  const project = await loadProject(stores, params.project);
  if (!(await stores.credentials.delete(project.id, provider))) {
    throw notFound(`Provider '${provider}' is not configured for project '${project.id}'.`, 'provider_not_found');
  }
  return json(200, { provider, deleted: true });
}
