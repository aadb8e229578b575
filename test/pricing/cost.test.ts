import { describe, expect, it } from 'vitest';
import type { PricePeriod } from '../../lib/catalog.js';
import type { Usage } from '../../lib/core/types.js';
import { cost, costPicoUsd, formatUsd, priceFor, priceFromCustomModel, sumUsd } from '../../lib/pricing/index.js';

const NOW = new Date('2026-11-25T12:00:00Z');

function usage(fields: Partial<Usage>): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, ...fields };
}

function price(provider: string, model: string): PricePeriod {
  const period = priceFor(provider, model, NOW);
  if (!period) throw new Error(`no price for ${provider}/${model}`);
  return period;
}

describe('cost', () => {
  it('charges OpenAI cached tokens (part of prompt_tokens) at the cached rate', () => {
    // prompt_tokens 2000 with prompt_tokens_details.cached_tokens 1024, completion_tokens 500 on gpt-4o ($2.50/$1.25/$10)
    const openai = usage({ inputTokens: 2000, cacheReadTokens: 1024, outputTokens: 500 });
    expect(cost(openai, price('openai', 'gpt-4o'))).toBe((976 * 2.5 + 1024 * 1.25 + 500 * 10) / 1e6);
    expect(cost(openai, price('openai', 'gpt-4o'))).toBe(0.00872);
  });

  it('charges Anthropic cache reads and cache writes apart from uncached input', () => {
    // input_tokens 1000 + cache_read_input_tokens 10000 + cache_creation_input_tokens 5000, output 2000 on Sonnet 4.5
    const anthropic = usage({ inputTokens: 16000, cacheReadTokens: 10000, cacheWriteTokens: 5000, outputTokens: 2000 });
    expect(cost(anthropic, price('anthropic', 'claude-sonnet-4-5'))).toBe(0.05475);
  });

  it('charges Bedrock Claude cache reads and writes through an inference profile', () => {
    // Converse usage: inputTokens 300, cacheReadInputTokens 4000, cacheWriteInputTokens 2000, outputTokens 100
    const bedrock = usage({ inputTokens: 6300, cacheReadTokens: 4000, cacheWriteTokens: 2000, outputTokens: 100 });
    const period = price('bedrock', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(cost(bedrock, period)).toBe((300 * 3 + 4000 * 0.3 + 2000 * 3.75 + 100 * 15) / 1e6);
    expect(cost(bedrock, period)).toBe(0.0111);
  });

  it('charges Gemini cached content (part of promptTokenCount) at the context-caching rate', () => {
    // promptTokenCount 10000 with cachedContentTokenCount 8000, candidates + thoughts 1000 on gemini-2.5-flash
    const gemini = usage({ inputTokens: 10000, cacheReadTokens: 8000, outputTokens: 1000 });
    expect(cost(gemini, price('gemini', 'gemini-2.5-flash'))).toBe(0.00334);
  });

  it('charges cache tokens at the input price when the model has no cache prices', () => {
    const period: PricePeriod = { per_input_token: 2, per_output_token: 4 };
    expect(cost(usage({ inputTokens: 1000, cacheReadTokens: 600, cacheWriteTokens: 100 }), period)).toBe(0.002);
  });

  it('picks the tier by the whole prompt, cached tokens included', () => {
    const pro = price('gemini', 'gemini-2.5-pro');
    expect(cost(usage({ inputTokens: 200_000, outputTokens: 1000 }), pro)).toBe(0.26);
    expect(cost(usage({ inputTokens: 200_001, outputTokens: 1000 }), pro)).toBe(0.5150025);
    const cachedLong = usage({ inputTokens: 250_000, cacheReadTokens: 100_000, outputTokens: 0 });
    expect(cost(cachedLong, pro)).toBe((150_000 * 2.5 + 100_000 * 0.25) / 1e6);
  });

  it('charges Claude Sonnet 4 long-context rates above 200k prompt tokens, cache writes too', () => {
    const sonnet = price('anthropic', 'claude-sonnet-4-20250514');
    const long = usage({ inputTokens: 300_000, cacheWriteTokens: 100_000, outputTokens: 1000 });
    expect(cost(long, sonnet)).toBe((200_000 * 6 + 100_000 * 7.5 + 1000 * 22.5) / 1e6);
  });

  it('is null for an unknown price, never 0', () => {
    expect(cost(usage({ inputTokens: 10, outputTokens: 10 }), undefined)).toBeNull();
    expect(costPicoUsd(usage({ inputTokens: 10 }), undefined)).toBeNull();
    expect(cost(usage({ inputTokens: 10 }), priceFor('openai', 'gpt-unknown', NOW))).toBeNull();
    expect(cost(usage({ inputTokens: 10 }), { per_input_token: Number.NaN, per_output_token: 1 })).toBeNull();
  });

  it('prices a free model at 0', () => {
    expect(cost(usage({ inputTokens: 10, outputTokens: 10 }), { per_input_token: 0, per_output_token: 0 })).toBe(0);
  });

  it('never charges a negative uncached remainder when a provider over-reports cache tokens', () => {
    const odd = usage({ inputTokens: 100, cacheReadTokens: 150, outputTokens: 0 });
    expect(cost(odd, { per_input_token: 1, per_output_token: 1, per_cached_input_token: 0.5 })).toBe(0.000075);
  });
});

describe('exact arithmetic', () => {
  it('is exact to the picodollar for awkward token counts', () => {
    expect(costPicoUsd(usage({ inputTokens: 123_457 }), price('openai', 'gpt-4o-mini'))).toBe(18_518_550_000n);
    expect(cost(usage({ inputTokens: 123_457 }), price('openai', 'gpt-4o-mini'))).toBe(0.01851855);
  });

  it('sums many small costs exactly, where adding floats drifts', () => {
    const nano = price('openai', 'gpt-4.1-nano');
    const one = cost(usage({ inputTokens: 1, outputTokens: 1 }), nano)!;
    const costs = Array.from({ length: 100_000 }, () => one);
    const whole = cost(usage({ inputTokens: 100_000, outputTokens: 100_000 }), nano);
    expect(whole).toBe(0.05);
    expect(sumUsd(costs)).toBe(whole);
    const naive = costs.reduce((total, value) => total + value, 0);
    expect(naive).not.toBe(whole);
    expect(Math.abs(sumUsd(costs) - whole!)).toBeLessThan(1e-10);
  });

  it('skips unpriced (null) costs in sums', () => {
    expect(sumUsd([0.1, null, 0.2, undefined])).toBe(0.3);
  });

  it('formats USD as a plain decimal', () => {
    expect(formatUsd(7.5e-8)).toBe('0.000000075');
    expect(formatUsd(0.05475)).toBe('0.05475');
    expect(formatUsd(12)).toBe('12');
    expect(formatUsd(0)).toBe('0');
  });
});

describe('priceFromCustomModel', () => {
  it("prices a custom provider's model from its credential's models list", () => {
    const period = priceFromCustomModel({ input_per_million: 0.5, output_per_million: 1.5 });
    expect(period).toEqual({ per_input_token: 0.5, per_output_token: 1.5 });
    expect(cost(usage({ inputTokens: 1000, outputTokens: 1000 }), period)).toBe(0.002);
  });

  it('is undefined unless both prices are known', () => {
    expect(priceFromCustomModel({})).toBeUndefined();
    expect(priceFromCustomModel({ input_per_million: 1 })).toBeUndefined();
    expect(priceFromCustomModel({ input_per_million: 1, output_per_million: null })).toBeUndefined();
    expect(priceFromCustomModel({ input_per_million: -1, output_per_million: 1 })).toBeUndefined();
  });
});
