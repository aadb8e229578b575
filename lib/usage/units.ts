/**
 * Money in the usage tables is kept as integers of 1e-10 USD, so counters added with DynamoDB's `ADD` and sums
 * across rows are exact (DESIGN.md §3: never accumulate float error). 2^53 units is about 900,000 USD per counter.
 */
export type CostUnits = number;

const UNITS_PER_USD = 1e10;

export function usdToUnits(usd: number): CostUnits {
  return Math.round(usd * UNITS_PER_USD);
}

export function unitsToUsd(units: CostUnits): number {
  return Number((units / UNITS_PER_USD).toFixed(10));
}
