/**
 * Prices of a custom (OpenAI-compatible) provider's models come from its credential's `models` list
 * (CONTRACT.md §3: `{"id", "input_per_million"?, "output_per_million"?}`), not from the catalog.
 */
import type { PricePeriod } from '../catalog.js';

export interface CustomModelPrice {
  input_per_million?: number | null;
  output_per_million?: number | null;
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * The price period of a custom model, or undefined unless both prices are given: half a price is an unknown cost,
 * and an unknown cost is `null`, never 0. The period has no `valid_from`: it is in force whenever it is asked for.
 */
export function priceFromCustomModel(model: CustomModelPrice): PricePeriod | undefined {
  const input = model.input_per_million;
  const output = model.output_per_million;
  if (!isPrice(input) || !isPrice(output)) return undefined;
  return { per_input_token: input, per_output_token: output };
}
