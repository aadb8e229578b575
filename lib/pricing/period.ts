/**
 * Which price applies: the period in force on a date, and within it the tier for the prompt's size (DESIGN.md §3).
 */
import type { PricePeriod } from '../catalog.js';

/** The four per-million rates a request is charged at, fallbacks resolved. */
export interface Rates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** `YYYY-MM-DD` of a date in UTC: `valid_from` days are UTC days. */
function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The period with the latest `valid_from` not after `date` (a period without `valid_from` is in force from the
 * beginning). Undefined when every period starts later, or the date is invalid: an unknown price, not a guess.
 */
export function selectPeriod(periods: readonly PricePeriod[] | undefined, date: Date): PricePeriod | undefined {
  if (!periods || periods.length === 0 || Number.isNaN(date.getTime())) return undefined;
  const day = utcDay(date);
  let chosen: PricePeriod | undefined;
  let chosenFrom = '';
  for (const period of periods) {
    const from = period.valid_from ?? '';
    // ISO days compare as strings; `>=` lets a later-listed period of the same day win.
    if (from <= day && (chosen === undefined || from >= chosenFrom)) {
      chosen = period;
      chosenFrom = from;
    }
  }
  return chosen;
}

/**
 * The rates for a prompt of `inputTokens` tokens (cache reads and writes included): the tier with the highest
 * `above_input_tokens` below the prompt's size overrides the period's fields it names; a missing cache-read or
 * cache-write rate is the input rate (providers without prompt caching bill those tokens as input).
 * @see https://ai.google.dev/gemini-api/docs/pricing (Gemini 2.5 Pro: higher rates for prompts over 200k tokens)
 */
export function ratesFor(period: PricePeriod, inputTokens: number): Rates {
  let tier: NonNullable<PricePeriod['tiers']>[number] | undefined;
  for (const candidate of period.tiers ?? []) {
    if (
      inputTokens > candidate.above_input_tokens &&
      (!tier || candidate.above_input_tokens > tier.above_input_tokens)
    ) {
      tier = candidate;
    }
  }
  const input = tier?.per_input_token ?? period.per_input_token;
  return {
    input,
    output: tier?.per_output_token ?? period.per_output_token,
    cacheRead: tier?.per_cached_input_token ?? period.per_cached_input_token ?? input,
    cacheWrite: tier?.per_cached_input_write_token ?? period.per_cached_input_write_token ?? input,
  };
}
