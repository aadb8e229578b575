/**
 * The counters derived from usage rows (DESIGN.md §4, metering path): per day × model × provider × key in
 * `usage_daily`, and per key × UTC month (`month#…`, the key's month spend for reports). A request writes only its
 * row; these are derived from rows in batches — by the stream aggregator in AWS, by the in-process batcher locally —
 * so both merge with `mergeCounterDeltas` and write with `counterUpdate`.
 */
import type { UsageRow } from './store.js';
import type { CostUnits } from './units.js';

/** What a counter holds for a request that never named a model or reached a provider (e.g. a 400 or a 429). */
export const COUNTER_NONE = '-';

/** The stored form of a row: the row plus its sort key and its cost in integer units (absent when unpriced). */
export interface UsageItem extends UsageRow {
  sk: string;
  cost_units?: CostUnits;
  expires_at?: number;
  /**
   * Set only when the request held a budget reservation that could not be settled when it ended (storage was
   * unreachable): the reserved amount, released by whoever derives counters from this row (./budget.ts).
   */
  budget_reserved_units?: CostUnits;
}

/** What a daily counter counts of the rows it sums: what the usage report adds up. */
export interface RequestCounts {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  /** Cost in units of 1e-10 USD: integers add exactly. */
  cost_units: CostUnits;
  unpriced_requests: number;
  estimated_requests: number;
  /** Requests answered with an HTTP status of 400 or more (499 included: the client left before the answer). */
  error_requests: number;
}

export const REQUEST_COUNT_NAMES = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'cost_units',
  'unpriced_requests',
  'estimated_requests',
  'error_requests',
] as const satisfies readonly (keyof RequestCounts)[];

/** The amounts one or more rows add to one counter item. */
export interface CounterAmounts extends RequestCounts {
  /** Budget items only: spend plus reservations in flight; a settlement adds (actual − reserved). */
  committed_units: CostUnits;
}

export type CounterKind = 'daily' | 'month' | 'budget';

/** One counter item's key, its descriptive attributes (set, not added) and the amounts to add. */
export interface CounterDelta {
  kind: CounterKind;
  key: { pk: string; sk: string };
  /** Written with SET: the day, model, provider and key id that the usage report groups by. */
  labels: Record<string, string>;
  amounts: CounterAmounts;
}

const AMOUNT_NAMES = [...REQUEST_COUNT_NAMES, 'committed_units'] as const satisfies readonly (keyof CounterAmounts)[];

/** A budgeted key's ledger for one UTC month (./budget.ts): `committed_units` = spent + reserved in flight. */
export function budgetKey(projectId: string, keyId: string, month: string): { pk: string; sk: string } {
  return { pk: `budget#${projectId}#${month}`, sk: `key#${keyId}` };
}

export function monthSpendKey(projectId: string, keyId: string, month: string): { pk: string; sk: string } {
  return { pk: `month#${projectId}#${month}`, sk: `key#${keyId}` };
}

export function dailyCounterKey(
  projectId: string,
  day: string,
  model: string,
  provider: string,
  keyId: string,
): { pk: string; sk: string } {
  return { pk: `${projectId}#${day}`, sk: `${model}#${provider}#${keyId}` };
}

/** The amounts of one row. A row with tokens but no price counts as unpriced, never as free. */
export function amountsOf(item: UsageItem): CounterAmounts {
  const costUnits = typeof item.cost_units === 'number' ? item.cost_units : null;
  return {
    requests: 1,
    input_tokens: item.input_tokens,
    output_tokens: item.output_tokens,
    cached_input_tokens: item.cached_input_tokens,
    cache_write_tokens: item.cache_write_tokens,
    cost_units: costUnits ?? 0,
    unpriced_requests: costUnits === null && item.input_tokens + item.output_tokens > 0 ? 1 : 0,
    estimated_requests: item.usage_estimated ? 1 : 0,
    error_requests: item.status >= 400 ? 1 : 0,
    committed_units: 0,
  };
}

/** The counters one row adds to: its day's counter, and its key's month spend when it cost something. */
export function counterDeltasOf(item: UsageItem): CounterDelta[] {
  const day = item.at.slice(0, 10);
  const model = item.model ?? COUNTER_NONE;
  const provider = item.provider ?? COUNTER_NONE;
  const amounts = amountsOf(item);
  const deltas: CounterDelta[] = [
    {
      kind: 'daily',
      key: dailyCounterKey(item.project_id, day, model, provider, item.key_id),
      labels: { day, model, provider, key_id: item.key_id },
      amounts,
    },
  ];
  if (amounts.cost_units > 0) {
    deltas.push({
      kind: 'month',
      key: monthSpendKey(item.project_id, item.key_id, item.at.slice(0, 7)),
      labels: {},
      amounts: { ...zeroAmounts(), cost_units: amounts.cost_units },
    });
  }
  if (typeof item.budget_reserved_units === 'number' && amounts.cost_units !== item.budget_reserved_units) {
    deltas.push({
      kind: 'budget',
      key: budgetKey(item.project_id, item.key_id, item.at.slice(0, 7)),
      labels: {},
      amounts: { ...zeroAmounts(), committed_units: amounts.cost_units - item.budget_reserved_units },
    });
  }
  return deltas;
}

export function zeroRequestCounts(): RequestCounts {
  return Object.fromEntries(REQUEST_COUNT_NAMES.map((name) => [name, 0])) as unknown as RequestCounts;
}

export function addRequestCounts(into: RequestCounts, counts: RequestCounts): void {
  for (const name of REQUEST_COUNT_NAMES) into[name] += counts[name];
}

export function zeroAmounts(): CounterAmounts {
  return { ...zeroRequestCounts(), committed_units: 0 };
}

/** One delta per counter item for a batch of rows, in the order each counter was first met. */
export function mergeCounterDeltas(items: Iterable<UsageItem>): CounterDelta[] {
  const merged = new Map<string, CounterDelta>();
  for (const item of items) {
    for (const delta of counterDeltasOf(item)) {
      const id = `${delta.key.pk}\u0000${delta.key.sk}`;
      const into = merged.get(id);
      if (!into) {
        merged.set(id, { ...delta, amounts: { ...delta.amounts } });
        continue;
      }
      for (const name of AMOUNT_NAMES) into.amounts[name] += delta.amounts[name];
    }
  }
  return [...merged.values()];
}

/**
 * The UpdateItem expression for one delta (plain attribute values, to be marshalled by the caller): SET the
 * labels, ADD the amounts that are not zero. Shared by UpdateItem and TransactWriteItems' `Update`.
 */
export function counterUpdate(delta: CounterDelta): {
  key: { pk: string; sk: string };
  updateExpression: string;
  names: Record<string, string>;
  values: Record<string, string | number>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, string | number> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  Object.entries(delta.labels).forEach(([name, value], i) => {
    names[`#l${i}`] = name;
    values[`:l${i}`] = value;
    sets.push(`#l${i} = :l${i}`);
  });
  AMOUNT_NAMES.forEach((name, i) => {
    const amount = delta.amounts[name];
    if (amount === 0) return;
    names[`#a${i}`] = name;
    values[`:a${i}`] = amount;
    adds.push(`#a${i} :a${i}`);
  });
  const parts: string[] = [];
  if (sets.length > 0) parts.push(`SET ${sets.join(', ')}`);
  if (adds.length > 0) parts.push(`ADD ${adds.join(', ')}`);
  return { key: delta.key, updateExpression: parts.join(' '), names, values };
}
