/**
 * The latency report (`GET /admin/projects/{p}/latency`): per model, the 50th and 95th percentile of latency and of
 * time to first token over the period's successful requests, from their usage rows. Percentiles are exact and by
 * nearest rank — the smallest value with at least p % of the samples at or below it — so each is a time some
 * request really took, and two reads of the same rows agree to the millisecond.
 * @see https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method
 */
import type { RowTiming } from './store.js';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface LatencyGroup {
  /** The model as callers wrote it (as `/usage?group_by=model` groups); null for requests that named none. */
  group: string | null;
  /** Successful requests (status below 400): the samples of `latency_ms`. */
  requests: number;
  latency_ms: Percentiles;
  /** Successful requests that streamed a first token: the samples of `ttft_ms`. */
  ttft_requests: number;
  ttft_ms: Percentiles;
}

export interface LatencyReport {
  data: LatencyGroup[];
  total: Omit<LatencyGroup, 'group'>;
}

/** The nearest-rank percentile of values sorted ascending; null without values. */
export function nearestRank(sorted: readonly number[], percent: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

function summarise(latencies: number[], ttfts: number[]): Omit<LatencyGroup, 'group'> {
  latencies.sort((a, b) => a - b);
  ttfts.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    latency_ms: { p50: nearestRank(latencies, 50), p95: nearestRank(latencies, 95) },
    ttft_requests: ttfts.length,
    ttft_ms: { p50: nearestRank(ttfts, 50), p95: nearestRank(ttfts, 95) },
  };
}

/**
 * Groups rows by model and summarises each group and all of them. Failed requests are left out: a 400 or a 429
 * answers in a millisecond and would pull the percentiles of what users wait for down.
 */
export function latencyReport(rows: readonly RowTiming[]): LatencyReport {
  const groups = new Map<string | null, { latencies: number[]; ttfts: number[] }>();
  const all = { latencies: [] as number[], ttfts: [] as number[] };
  for (const row of rows) {
    if (row.status >= 400) continue;
    let samples = groups.get(row.model);
    if (!samples) {
      samples = { latencies: [], ttfts: [] };
      groups.set(row.model, samples);
    }
    for (const into of [samples, all]) {
      into.latencies.push(row.latency_ms);
      if (row.ttft_ms !== null) into.ttfts.push(row.ttft_ms);
    }
  }
  const data = [...groups.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    .map(([group, samples]) => ({ group, ...summarise(samples.latencies, samples.ttfts) }));
  return { data, total: summarise(all.latencies, all.ttfts) };
}
