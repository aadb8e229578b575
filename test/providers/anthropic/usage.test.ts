import { describe, expect, it } from 'vitest';
import { EMPTY_TOTALS, mergeUsage, totalsToUsage, toUsage } from '../../../lib/providers/anthropic/usage.js';
import type { AnthropicUsage } from '../../../lib/providers/anthropic/wire.js';
import { jsonFixture } from './helpers.js';

describe('toUsage', () => {
  it('adds cache writes into the prompt tokens (first call of the documented caching example)', () => {
    expect(toUsage(jsonFixture('usage-cache-write.json'))).toEqual({
      inputTokens: 21 + 188086,
      outputTokens: 393,
      cacheReadTokens: 0,
      cacheWriteTokens: 188086,
    });
  });

  it('adds cache reads into the prompt tokens and reports them as cached (second call)', () => {
    expect(toUsage(jsonFixture('usage-cache-read.json'))).toEqual({
      inputTokens: 21 + 188086,
      outputTokens: 393,
      cacheReadTokens: 188086,
      cacheWriteTokens: 0,
    });
  });

  it('reads missing or null counts as zero and thinking tokens as reasoning tokens', () => {
    expect(toUsage(undefined)).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(
      toUsage({
        input_tokens: 5,
        output_tokens: 9,
        cache_read_input_tokens: null,
        output_tokens_details: { thinking_tokens: 4 },
      }),
    ).toEqual({ inputTokens: 5, outputTokens: 9, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 4 });
  });
});

describe('mergeUsage', () => {
  it('takes each cumulative count instead of adding it to the previous one', () => {
    const start: AnthropicUsage = { input_tokens: 25, cache_read_input_tokens: 100, output_tokens: 1 };
    const firstDelta: AnthropicUsage = { output_tokens: 8 };
    const lastDelta: AnthropicUsage = { input_tokens: 25, cache_read_input_tokens: 100, output_tokens: 15 };
    const totals = [start, firstDelta, lastDelta].reduce(mergeUsage, EMPTY_TOTALS);
    expect(totalsToUsage(totals)).toEqual({
      inputTokens: 125,
      outputTokens: 15,
      cacheReadTokens: 100,
      cacheWriteTokens: 0,
    });
  });

  it('keeps a count a later report leaves out', () => {
    const totals = mergeUsage(mergeUsage(EMPTY_TOTALS, { input_tokens: 472, output_tokens: 2 }), { output_tokens: 89 });
    expect(totals).toEqual({ input: 472, output: 89, cacheRead: 0, cacheWrite: 0 });
  });
});
