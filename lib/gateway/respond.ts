/**
 * Step 6 of the pipeline: the gateway's wire shapes. Providers return ChatResult / ChatChunk; this module stamps
 * them into OpenAI's `chat.completion` / `chat.completion.chunk` (errors are rendered by lib/core/errors.ts).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */

import type { ChatChunk, ChatResult, Usage } from '../core/types.js';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  const out: OpenAIUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
  };
  if (usage.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}

/** The identity every chunk of one response shares. */
export interface ResponseIdentity {
  id: string;
  created: number;
  /** The model as the caller wrote it (or the fallback that answered). */
  model: string;
}

export function completionBody(result: ChatResult, identity: ResponseIdentity): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: result.choices.map((choice) => ({
      index: choice.index,
      message: { refusal: null, ...choice.message },
      logprobs: choice.logprobs ?? null,
      finish_reason: choice.finish_reason,
    })),
    usage: toOpenAIUsage(result.usage),
  };
  if (result.system_fingerprint !== undefined) body.system_fingerprint = result.system_fingerprint;
  if (result.service_tier !== undefined) body.service_tier = result.service_tier;
  return body;
}

/**
 * An OpenAI chunk for the choices of a provider chunk. With `include_usage`, OpenAI sends `usage: null` on every
 * chunk and the usage on a last chunk with empty choices; the gateway does the same.
 */
export function chunkBody(chunk: ChatChunk, identity: ResponseIdentity, includeUsage: boolean): string {
  const body: Record<string, unknown> = {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
  };
  if (chunk.system_fingerprint !== undefined) body.system_fingerprint = chunk.system_fingerprint;
  body.choices = chunk.choices.map((choice) => ({
    index: choice.index,
    delta: choice.delta,
    logprobs: choice.logprobs ?? null,
    finish_reason: choice.finish_reason,
  }));
  if (includeUsage) body.usage = null;
  return JSON.stringify(body);
}

export function usageChunkBody(usage: Usage, identity: ResponseIdentity): string {
  return JSON.stringify({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [],
    usage: toOpenAIUsage(usage),
  });
}

export const sseEvent = (data: string): string => `data: ${data}\n\n`;
export const SSE_DONE = 'data: [DONE]\n\n';
