/**
 * The official Anthropic SDK client, loaded lazily (DESIGN.md §2), reduced to the two calls the provider makes.
 * Bodies go out as built by request.ts and come back as `unknown` for the zod schemas in wire.ts to check.
 * @see https://github.com/anthropics/anthropic-sdk-typescript
 */

import { transformJSONSchema } from '@anthropic-ai/sdk/lib/transform-json-schema';
import type {
  MessageCreateParamsNonStreaming,
  MessageCreateParamsStreaming,
} from '@anthropic-ai/sdk/resources/messages';
import type { JsonSchema } from '../../core/types.js';
import type { AnthropicCredential } from './credentials.js';
import type { AnthropicRequest } from './wire.js';

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * The API version the gateway speaks. SDK 1.x sends `2026-10-21` by default, a version that removed `temperature`
 * and `top_p` (400 even at default values); the contract requires honouring both, so requests pin `2023-06-01`,
 * whose responses and stream events are the same. Models that take only default sampling answer a sampling field
 * with their own 400, which reaches the caller.
 * @see https://docs.anthropic.com/en/api/versioning
 */
export const ANTHROPIC_API_VERSION = '2023-06-01';

/** Generous: the gateway's first-byte and idle timeouts govern; this only keeps the SDK from refusing large `max_tokens`. */
const SDK_TIMEOUT_MS = 10 * 60 * 1000;

export interface MessagesTransport {
  /** `headers`: what a native Messages call forwards (`anthropic-beta`). */
  create(body: AnthropicRequest, signal: AbortSignal, headers?: Record<string, string>): Promise<unknown>;
  stream(
    body: AnthropicRequest,
    signal: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<AsyncIterable<unknown>>;
}

/** The SDK's rewrite of a JSON Schema into what structured outputs accept (see structured-output.ts). */
export function strictSchema(schema: JsonSchema): JsonSchema {
  return transformJSONSchema(schema) as JsonSchema;
}

export async function createClient(credential: AnthropicCredential): Promise<MessagesTransport> {
  const { Anthropic } = await import('@anthropic-ai/sdk');
  const client = new Anthropic({
    apiKey: credential.api_key,
    // Explicit, so an ANTHROPIC_BASE_URL in the environment never redirects a project's traffic.
    baseURL: credential.base_url || DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    // `x-api-key` is the documented header of 2023-06-01 (SDK 1.x would send `Authorization: Bearer`, which
    // Anthropic-compatible proxies behind a `base_url` may not read); the key goes out once.
    defaultHeaders: {
      'anthropic-version': ANTHROPIC_API_VERSION,
      'x-api-key': credential.api_key,
      Authorization: null,
    },
  });
  return {
    // The SDK's request types follow 2026-10-21 (no `temperature`/`top_p`); the body follows 2023-06-01.
    create: (body, signal, headers) =>
      client.messages.create({ ...body, stream: false } as unknown as MessageCreateParamsNonStreaming, {
        signal,
        ...(headers ? { headers } : {}),
      }),
    stream: (body, signal, headers) =>
      client.messages.create({ ...body, stream: true } as unknown as MessageCreateParamsStreaming, {
        signal,
        ...(headers ? { headers } : {}),
      }),
  };
}
