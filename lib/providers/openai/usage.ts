import type { Usage } from '../../core/types.js';
import type { WireUsage } from './wire.js';

/**
 * OpenAI's usage → the gateway's. `prompt_tokens` already counts cached tokens (OpenAI's convention, which the
 * gateway's `inputTokens` follows); OpenAI has no prompt-cache writes to report.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function toUsage(usage: WireUsage | null | undefined): Usage {
  const result: Usage = {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    cacheReadTokens: usage?.prompt_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens ?? 0,
    cacheWriteTokens: 0,
  };
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning;
  return result;
}
