/**
 * Step 4 of the pipeline: (project, provider) → a ChatModel built from the project's credential, else the gateway's
 * default credential, else 400 `provider_not_configured` (CONTRACT.md §3, resolution order).
 */

import { GatewayError } from '../core/errors.js';
import { own } from '../core/own.js';
import type { ChatModel, DefaultCredentials } from '../core/types.js';
import { chatModelFor, providerFor } from '../providers/registry.js';
import type { ProjectCredentials } from '../storage/types.js';
import { log } from './log.js';

/** The project's custom providers: credentials of type `openai-compatible` under a name that is not built in. */
export function customProviderNames(credentials: ProjectCredentials): Set<string> {
  return new Set(Object.keys(credentials).filter((name) => !providerFor(name).builtin));
}

export function providerNotConfigured(provider: string): GatewayError {
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'provider_not_configured',
    param: 'model',
    message: `No credential is configured for the provider '${provider}': add one with PUT /admin/projects/{project}/providers/${provider}.`,
  });
}

export async function resolveChatModel(
  provider: string,
  projectCredentials: ProjectCredentials,
  defaults: DefaultCredentials,
): Promise<ChatModel> {
  const entry = providerFor(provider);
  const stored = own(projectCredentials, provider);
  if (stored) return chatModelFor(entry, stored.credential);
  const fallback = own(defaults, provider);
  if (fallback && entry.builtin) {
    const parsed = entry.factory.credentialSchema.safeParse(fallback);
    if (parsed.success) return chatModelFor(entry, parsed.data as Record<string, unknown>);
    // A malformed default (a typo in an env var) must not take the gateway down: say so once per request and move on.
    log.warn('default credential has the wrong shape', { provider, issue: parsed.error.issues[0]?.message });
  }
  throw providerNotConfigured(provider);
}
