/**
 * Anthropic usage → the gateway's normalised usage. Anthropic counts cache reads and cache writes apart from
 * `input_tokens`; the gateway's `inputTokens` (OpenAI's `prompt_tokens`) counts every prompt token, so they are added in.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
import type { Usage } from '../../core/types.js';
import type { AnthropicUsage } from './wire.js';

/** The four counts a stream keeps; Anthropic reports each as a running total (see mergeUsage). */
export interface UsageTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  thinking?: number;
}

export const EMPTY_TOTALS: UsageTotals = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * Folds one usage report into the totals so far. Every count in a `message_delta` is cumulative, so a reported count
 * replaces the previous one; a count left out (or null) keeps it. Adding them would count `message_start`'s tokens twice.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
export function mergeUsage(totals: UsageTotals, report: AnthropicUsage | null | undefined): UsageTotals {
  if (!report) return totals;
  const merged: UsageTotals = {
    input: report.input_tokens ?? totals.input,
    output: report.output_tokens ?? totals.output,
    cacheRead: report.cache_read_input_tokens ?? totals.cacheRead,
    cacheWrite: report.cache_creation_input_tokens ?? totals.cacheWrite,
  };
  const thinking = report.output_tokens_details?.thinking_tokens ?? totals.thinking;
  if (thinking !== undefined) merged.thinking = thinking;
  return merged;
}

/** @see https://docs.anthropic.com/en/api/messages#response-usage */
export function totalsToUsage(totals: UsageTotals): Usage {
  const usage: Usage = {
    inputTokens: totals.input + totals.cacheRead + totals.cacheWrite,
    outputTokens: totals.output,
    cacheReadTokens: totals.cacheRead,
    cacheWriteTokens: totals.cacheWrite,
  };
  if (totals.thinking !== undefined) usage.reasoningTokens = totals.thinking;
  return usage;
}

/** A complete response's usage block, which is final rather than running. */
export function toUsage(report: AnthropicUsage | null | undefined): Usage {
  return totalsToUsage(mergeUsage(EMPTY_TOTALS, report));
}
