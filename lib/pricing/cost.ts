/**
 * What a request cost, in USD, exactly. Prices are USD per million tokens with at most 6 decimals, so one token at
 * one rate is a whole number of picodollars (1e-12 USD): every cost is computed as an integer sum and turned into a
 * number once, so rows never carry float error and sums of rows stay exact (DESIGN.md §3).
 */
import type { PricePeriod } from '../catalog.js';
import type { Usage } from '../core/types.js';
import { ratesFor } from './period.js';

/** Picodollars per USD: a per-million price × 1e6 is picodollars per token. */
const PICO_PER_USD = 1_000_000_000_000;
const PICO_PER_USD_BIG = 1_000_000_000_000n;

/** A per-million price as whole picodollars per token; undefined for a price that is not a finite number ≥ 0. */
export function picoPerToken(perMillion: number): bigint | undefined {
  if (!Number.isFinite(perMillion) || perMillion < 0) return undefined;
  return BigInt(Math.round(perMillion * 1_000_000));
}

function tokens(count: number | undefined): bigint {
  return count !== undefined && Number.isFinite(count) && count > 0 ? BigInt(Math.trunc(count)) : 0n;
}

/**
 * The cost in picodollars, or null when the price is unknown. Uncached input, cache reads, cache writes and output
 * are charged apart; `usage.inputTokens` counts all prompt tokens, cache reads and writes included, and also picks
 * the tier.
 */
export function costPicoUsd(usage: Usage, price: PricePeriod | undefined): bigint | null {
  if (!price) return null;
  const rates = ratesFor(price, usage.inputTokens);
  const input = picoPerToken(rates.input);
  const output = picoPerToken(rates.output);
  const cacheRead = picoPerToken(rates.cacheRead);
  const cacheWrite = picoPerToken(rates.cacheWrite);
  if (input === undefined || output === undefined || cacheRead === undefined || cacheWrite === undefined) return null;
  const read = tokens(usage.cacheReadTokens);
  const write = tokens(usage.cacheWriteTokens);
  const all = tokens(usage.inputTokens);
  // A provider reporting more cached than prompt tokens is inconsistent; never charge a negative remainder.
  const uncached = all > read + write ? all - read - write : 0n;
  return uncached * input + read * cacheRead + write * cacheWrite + tokens(usage.outputTokens) * output;
}

/**
 * The cost in USD, or null when the price is unknown (never 0 for "unknown").
 * @see https://platform.openai.com/docs/guides/prompt-caching (OpenAI: `cached_tokens` are part of `prompt_tokens`)
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing (cache reads and writes)
 */
export function cost(usage: Usage, price: PricePeriod | undefined): number | null {
  const pico = costPicoUsd(usage, price);
  return pico === null ? null : Number(pico) / PICO_PER_USD;
}

/** A USD amount from `cost` back to whole picodollars (exact for any amount below ~9,000 USD). */
export function usdToPico(usd: number): bigint {
  return BigInt(Math.round(usd * PICO_PER_USD));
}

/** Sums USD amounts in picodollars, so the total of many small costs is exact; nulls (unpriced) are skipped. */
export function sumUsd(amounts: Iterable<number | null | undefined>): number {
  let total = 0n;
  for (const amount of amounts) {
    if (amount !== null && amount !== undefined && Number.isFinite(amount)) total += usdToPico(amount);
  }
  return Number(total) / PICO_PER_USD;
}

/**
 * A USD amount as a plain decimal string (no exponent, trailing zeros trimmed): `7.5e-8` → `"0.000000075"`, for the
 * `x-gateway-cost-usd` header and DynamoDB number attributes.
 */
export function formatUsd(usd: number): string {
  const pico = usdToPico(usd);
  const sign = pico < 0n ? '-' : '';
  const abs = pico < 0n ? -pico : pico;
  const whole = abs / PICO_PER_USD_BIG;
  const fraction = (abs % PICO_PER_USD_BIG).toString().padStart(12, '0').replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
