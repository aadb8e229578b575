import * as z from 'zod';
import type { Usage } from '../../core/types.js';

/** Converse's `TokenUsage`, camelCase on the wire; every field tolerated missing. */
export const bedrockUsageSchema = z.looseObject({
  inputTokens: z.number().nullish(),
  outputTokens: z.number().nullish(),
  totalTokens: z.number().nullish(),
  cacheReadInputTokens: z.number().nullish(),
  cacheWriteInputTokens: z.number().nullish(),
});

export type BedrockUsage = z.infer<typeof bedrockUsageSchema>;

/**
 * Normalises Converse usage. Bedrock reports cache reads and writes apart from `inputTokens`, so they are added in:
 * the gateway's `inputTokens` counts every prompt token (CONTRACT.md §2).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html
 */
export function toUsage(usage: BedrockUsage | null | undefined): Usage {
  const cacheReadTokens = usage?.cacheReadInputTokens ?? 0;
  const cacheWriteTokens = usage?.cacheWriteInputTokens ?? 0;
  return {
    inputTokens: (usage?.inputTokens ?? 0) + cacheReadTokens + cacheWriteTokens,
    outputTokens: usage?.outputTokens ?? 0,
    cacheReadTokens,
    cacheWriteTokens,
  };
}
