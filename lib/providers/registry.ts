/**
 * The provider registry: the only place that knows providers by name (DESIGN.md §2). Adding a provider is one
 * folder and one line here. Factories are light: each imports its SDK lazily in `create`.
 */
import { createHash } from 'node:crypto';
import { own } from '../core/own.js';
import { redact, secretsOfCredential } from '../core/redact.js';
import { TtlCache } from '../core/ttl-cache.js';
import type { ChatModel, ProviderFactory, ProviderOptions } from '../core/types.js';
import { anthropicFactory } from './anthropic/index.js';
import { bedrockFactory } from './bedrock/index.js';
import { geminiFactory, vertexFactory } from './gemini/index.js';
import {
  azureFactory,
  BUILTIN_OPENAI_COMPATIBLE,
  builtinOpenAICompatibleFactory,
  openaiCompatibleFactory,
  openaiFactory,
} from './openai/index.js';

const FIRST_PARTY: Record<string, ProviderFactory> = {
  openai: openaiFactory as ProviderFactory,
  azure: azureFactory as ProviderFactory,
  anthropic: anthropicFactory as ProviderFactory,
  gemini: geminiFactory as ProviderFactory,
  'vertex-ai': vertexFactory as ProviderFactory,
  bedrock: bedrockFactory as ProviderFactory,
};

export interface ProviderEntry {
  name: string;
  factory: ProviderFactory;
  options: ProviderOptions;
  /** False for a custom (project-registered) OpenAI-compatible provider. */
  builtin: boolean;
}

/** Names served without a project registering them: first-party providers and well-known compatible services. */
export function isBuiltinProvider(name: string): boolean {
  return Object.hasOwn(FIRST_PARTY, name) || Object.hasOwn(BUILTIN_OPENAI_COMPATIBLE, name);
}

export function builtinProviderNames(): string[] {
  return [...Object.keys(FIRST_PARTY), ...Object.keys(BUILTIN_OPENAI_COMPATIBLE)];
}

/** The factory serving a provider name; any name that is not built in is a custom OpenAI-compatible provider. */
export function providerFor(name: string): ProviderEntry {
  const firstParty = own(FIRST_PARTY, name);
  if (firstParty) return { name, factory: firstParty, options: { providerName: name }, builtin: true };
  const compatible = own(BUILTIN_OPENAI_COMPATIBLE, name);
  if (compatible) {
    return {
      name,
      factory: builtinOpenAICompatibleFactory as ProviderFactory,
      options: { providerName: name, defaultBaseUrl: compatible.baseUrl },
      builtin: true,
    };
  }
  return {
    name,
    factory: openaiCompatibleFactory as ProviderFactory,
    options: { providerName: name },
    builtin: false,
  };
}

const MAX_CACHED_MODELS = 256;
const models = new TtlCache<string, Promise<ChatModel>>({ maxEntries: MAX_CACHED_MODELS });

/**
 * The ChatModel for a provider and credential, built once per distinct credential and reused (SDK clients keep
 * their connection pools). The cache key is a digest, so credentials do not sit in map keys.
 */
export function chatModelFor(entry: ProviderEntry, credential: Record<string, unknown>): Promise<ChatModel> {
  const key = createHash('sha256')
    .update(`${entry.name}\u0000${JSON.stringify(credential)}`)
    .digest('base64url');
  // Kept while among the most recently used, with no expiry: a changed credential is another key.
  return models.getOrLoad(key, Number.POSITIVE_INFINITY, async () =>
    redacting(await entry.factory.create(credential, entry.options), secretsOfCredential(credential)),
  );
}

/**
 * The model with every error it throws (before or during a stream) redacted of the credential's secrets
 * (lib/core/redact.ts): one list per credential, the same for every provider, applied before any answer or log.
 */
function redacting(model: ChatModel, secrets: readonly string[]): ChatModel {
  if (secrets.length === 0) return model;
  const scrub = (error: unknown): unknown => {
    if (error instanceof Error) error.message = redact(error.message, secrets);
    return error;
  };
  const embed = model.embed?.bind(model);
  return {
    ...(model.native ? { native: model.native.bind(model) } : {}),
    ...(embed
      ? {
          embed: (request, context) =>
            embed(request, context).catch((error: unknown) => {
              throw scrub(error);
            }),
        }
      : {}),
    complete: (request, context) =>
      model.complete(request, context).catch((error: unknown) => {
        throw scrub(error);
      }),
    async *stream(request, context) {
      try {
        yield* model.stream(request, context);
      } catch (error) {
        throw scrub(error);
      }
    },
  };
}
