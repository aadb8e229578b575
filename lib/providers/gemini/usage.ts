/**
 * Gemini `usageMetadata` → the gateway's normalised usage.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
import type { Usage } from '../../core/types.js';
import type { GeminiUsageMetadata } from './wire.js';

/**
 * `promptTokenCount` already includes the cached part (`cachedContentTokenCount`), OpenAI's convention; tool-use
 * prompt tokens (grounding results) are prompt tokens too. Output is the candidates plus the thinking tokens, which
 * Gemini counts apart but bills as output. Gemini has no cache writes in a call (caches are created separately).
 */
export function toUsage(metadata: GeminiUsageMetadata | null | undefined): Usage {
  const thoughts = metadata?.thoughtsTokenCount ?? 0;
  const usage: Usage = {
    inputTokens: (metadata?.promptTokenCount ?? 0) + (metadata?.toolUsePromptTokenCount ?? 0),
    outputTokens: (metadata?.candidatesTokenCount ?? 0) + thoughts,
    cacheReadTokens: metadata?.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
  };
  if (thoughts > 0) usage.reasoningTokens = thoughts;
  return usage;
}
