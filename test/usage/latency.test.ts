import { describe, expect, it } from 'vitest';
import { latencyReport, nearestRank } from '../../lib/usage/latency.js';
import type { RowTiming } from '../../lib/usage/store.js';

const row = (model: string | null, latency: number, ttft: number | null = null, status = 200): RowTiming => ({
  model,
  status,
  latency_ms: latency,
  ttft_ms: ttft,
});

describe('nearestRank', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the smallest value with at least p % of the samples at or below it', () => {
    expect(nearestRank(hundred, 50)).toBe(50);
    expect(nearestRank(hundred, 95)).toBe(95);
    expect(nearestRank([10, 20, 30], 50)).toBe(20);
    expect(nearestRank([10, 20, 30], 95)).toBe(30);
    expect(nearestRank([7], 95)).toBe(7);
  });

  it('is null without samples', () => {
    expect(nearestRank([], 50)).toBeNull();
  });
});

describe('latencyReport', () => {
  it('gives p50 and p95 per model over successful requests, and over all of them', () => {
    const rows = [
      ...[100, 300, 200, 400].map((ms) => row('b', ms, ms / 10)),
      row('a', 50),
      row('a', 70, 7),
      row('a', 1, null, 429),
      row(null, 2, null, 400),
    ];
    const report = latencyReport(rows);
    expect(report.data).toEqual([
      { group: 'a', requests: 2, latency_ms: { p50: 50, p95: 70 }, ttft_requests: 1, ttft_ms: { p50: 7, p95: 7 } },
      {
        group: 'b',
        requests: 4,
        latency_ms: { p50: 200, p95: 400 },
        ttft_requests: 4,
        ttft_ms: { p50: 20, p95: 40 },
      },
    ]);
    expect(report.total).toEqual({
      requests: 6,
      latency_ms: { p50: 100, p95: 400 },
      ttft_requests: 5,
      ttft_ms: { p50: 20, p95: 40 },
    });
  });

  it('answers nulls for a period without successful requests', () => {
    expect(latencyReport([row('a', 5, null, 502)])).toEqual({
      data: [],
      total: { requests: 0, latency_ms: { p50: null, p95: null }, ttft_requests: 0, ttft_ms: { p50: null, p95: null } },
    });
  });
});
