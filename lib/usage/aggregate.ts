/**
 * The usage report (`GET /admin/projects/{p}/usage`, CONTRACT.md §3): daily counters summed in memory by model,
 * provider, key or day. Money is summed in integer units of 1e-10 USD and turned into USD once per group and once
 * for the total, so the total is exactly the sum of the groups (in units) and never carries float error.
 */
import { addRequestCounts, type RequestCounts, zeroRequestCounts } from './counters.js';
import { COUNTER_NONE, type DailyCounters } from './store.js';
import { unitsToUsd } from './units.js';

export const USAGE_GROUP_BYS = ['model', 'provider', 'key', 'day'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BYS)[number];

/** The sums of a set of requests. `unpriced_requests` counts those with tokens but no known price (not in cost). */
export interface UsageTotals {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  /** USD of the priced requests; a request without a known price adds nothing here and one to `unpriced_requests`. */
  cost_usd: number;
  unpriced_requests: number;
  /** Requests whose tokens are the gateway's estimate (CONTRACT.md §4). */
  estimated_requests: number;
  /** Requests answered with a status of 400 or more, 499 (the client left) included. */
  error_requests: number;
}

export interface UsageGroup extends UsageTotals {
  /** The model as callers wrote it, the provider, the key id, or the day; null for requests that named none. */
  group: string | null;
}

export interface UsageReport {
  data: UsageGroup[];
  total: UsageTotals;
}

function toTotals({ cost_units, ...sums }: RequestCounts): UsageTotals {
  return {
    requests: sums.requests,
    input_tokens: sums.input_tokens,
    output_tokens: sums.output_tokens,
    cached_input_tokens: sums.cached_input_tokens,
    cache_write_tokens: sums.cache_write_tokens,
    cost_usd: unitsToUsd(cost_units),
    unpriced_requests: sums.unpriced_requests,
    estimated_requests: sums.estimated_requests,
    error_requests: sums.error_requests,
  };
}

export function groupOf(counters: DailyCounters, groupBy: UsageGroupBy): string | null {
  switch (groupBy) {
    case 'model':
      return counters.model === COUNTER_NONE ? null : counters.model;
    case 'provider':
      return counters.provider === COUNTER_NONE ? null : counters.provider;
    case 'key':
      return counters.key_id;
    case 'day':
      return counters.day;
  }
}

/** Named groups in ascending order (days chronologically), the group of requests that named none last. */
function compareGroups(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Sums counters into one entry per group that has any (days without requests are left out) and the total. */
export function aggregateUsage(counters: readonly DailyCounters[], groupBy: UsageGroupBy): UsageReport {
  const groups = new Map<string | null, RequestCounts>();
  const total = zeroRequestCounts();
  for (const item of counters) {
    const group = groupOf(item, groupBy);
    let sums = groups.get(group);
    if (!sums) {
      sums = zeroRequestCounts();
      groups.set(group, sums);
    }
    addRequestCounts(sums, item);
    addRequestCounts(total, item);
  }
  const data = [...groups.entries()]
    .sort(([a], [b]) => compareGroups(a, b))
    .map(([group, sums]) => ({ group, ...toTotals(sums) }));
  return { data, total: toTotals(total) };
}

/** A split dimension for the daily series: every group-by but `day` itself. */
export const USAGE_SPLIT_BYS = ['model', 'provider', 'key'] as const;
export type UsageSplitBy = (typeof USAGE_SPLIT_BYS)[number];

export interface DailyUsageGroup extends UsageGroup {
  day: string;
}

export interface DailyUsageReport {
  data: DailyUsageGroup[];
  total: UsageTotals;
}

/**
 * Sums counters per day × group (`GET /admin/projects/{p}/usage/daily`): the cells of a chart of spend per day split
 * by model, say. Summing a day's cells gives that day's `group_by=day` entry, and a group's cells its `group_by=model`
 * entry, exactly (in units). Ordered by day, then as `aggregateUsage` orders groups; empty cells are left out.
 */
export function aggregateDailyUsage(counters: readonly DailyCounters[], splitBy: UsageSplitBy): DailyUsageReport {
  const cells = new Map<string, { day: string; group: string | null; sums: RequestCounts }>();
  const total = zeroRequestCounts();
  for (const item of counters) {
    const group = groupOf(item, splitBy);
    const id = `${item.day}\u0000${group ?? ''}\u0000${group === null ? 'none' : 'named'}`;
    let cell = cells.get(id);
    if (!cell) {
      cell = { day: item.day, group, sums: zeroRequestCounts() };
      cells.set(id, cell);
    }
    addRequestCounts(cell.sums, item);
    addRequestCounts(total, item);
  }
  const data = [...cells.values()]
    .sort((a, b) => (a.day === b.day ? compareGroups(a.group, b.group) : a.day < b.day ? -1 : 1))
    .map(({ day, group, sums }) => ({ day, group, ...toTotals(sums) }));
  return { data, total: toTotals(total) };
}
