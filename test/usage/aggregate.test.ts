import { describe, expect, it } from 'vitest';
import { aggregateDailyUsage, aggregateUsage } from '../../lib/usage/aggregate.js';
import { addDays, daySpan, daysBetween, parseDay } from '../../lib/usage/days.js';
import type { DailyCounters } from '../../lib/usage/store.js';

function counters(day: string, model: string, provider: string, key: string, costUnits: number): DailyCounters {
  return {
    day,
    model,
    provider,
    key_id: key,
    requests: 1,
    input_tokens: 10,
    output_tokens: 1,
    cached_input_tokens: 2,
    cache_write_tokens: 3,
    cost_units: costUnits,
    unpriced_requests: 0,
    estimated_requests: day === '2025-01-02' ? 1 : 0,
    error_requests: model === '-' ? 1 : 0,
  };
}

describe('aggregateUsage', () => {
  // 0.1 + 0.2 µUSD style amounts: summed as floats they drift, summed as units they do not.
  const items = [
    counters('2025-01-02', 'b', 'p', 'k1', 1_000),
    counters('2025-01-01', 'a', 'p', 'k2', 2_000),
    counters('2025-01-01', '-', '-', 'k1', 0),
    counters('2025-01-02', 'a', 'q', 'k1', 1),
  ];

  it('sums each group and the total in integer units, converting to USD once', () => {
    const report = aggregateUsage(items, 'model');
    expect(report.data.map((g) => [g.group, g.requests, g.cost_usd])).toEqual([
      ['a', 2, 0.0000002001],
      ['b', 1, 0.0000001],
      [null, 1, 0],
    ]);
    expect(report.total).toEqual({
      requests: 4,
      input_tokens: 40,
      output_tokens: 4,
      cached_input_tokens: 8,
      cache_write_tokens: 12,
      cost_usd: 0.0000003001,
      unpriced_requests: 0,
      estimated_requests: 2,
      error_requests: 1,
    });
  });

  it('orders days chronologically and keys by id', () => {
    expect(aggregateUsage(items, 'day').data.map((g) => g.group)).toEqual(['2025-01-01', '2025-01-02']);
    expect(aggregateUsage(items, 'key').data.map((g) => [g.group, g.requests])).toEqual([
      ['k1', 3],
      ['k2', 1],
    ]);
    expect(aggregateUsage(items, 'provider').data.map((g) => g.group)).toEqual(['p', 'q', null]);
  });

  it('answers no groups and zero totals for no counters', () => {
    expect(aggregateUsage([], 'model')).toEqual({
      data: [],
      total: {
        requests: 0,
        input_tokens: 0,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: 0,
        unpriced_requests: 0,
        estimated_requests: 0,
        error_requests: 0,
      },
    });
  });
});

describe('aggregateDailyUsage', () => {
  const items = [
    counters('2025-01-02', 'b', 'p', 'k1', 1_000),
    counters('2025-01-01', 'a', 'p', 'k2', 2_000),
    counters('2025-01-01', '-', '-', 'k1', 0),
    counters('2025-01-02', 'a', 'q', 'k1', 1),
    counters('2025-01-02', 'a', 'p', 'k2', 3),
  ];

  it('sums one cell per day and model, ordered by day then model, requests without a model last', () => {
    const report = aggregateDailyUsage(items, 'model');
    expect(report.data.map((cell) => [cell.day, cell.group, cell.requests, cell.cost_usd])).toEqual([
      ['2025-01-01', 'a', 1, 0.0000002],
      ['2025-01-01', null, 1, 0],
      ['2025-01-02', 'a', 2, 0.0000000004],
      ['2025-01-02', 'b', 1, 0.0000001],
    ]);
    expect(report.total).toEqual(aggregateUsage(items, 'model').total);
  });

  it('has cells that add up to the day groups and the model groups of aggregateUsage', () => {
    const cells = aggregateDailyUsage(items, 'model').data;
    for (const [groupBy, pick] of [
      ['day', (cell: { day: string }) => cell.day],
      ['model', (cell: { group: string | null }) => cell.group],
    ] as const) {
      for (const group of aggregateUsage(items, groupBy).data) {
        const members = cells.filter((cell) => pick(cell) === group.group);
        expect(members.reduce((sum, cell) => sum + cell.requests, 0)).toBe(group.requests);
        expect(members.reduce((sum, cell) => sum + Math.round(cell.cost_usd * 1e10), 0)).toBe(
          Math.round(group.cost_usd * 1e10),
        );
      }
    }
  });

  it('splits by key or provider too', () => {
    expect(aggregateDailyUsage(items, 'key').data.map((cell) => [cell.day, cell.group])).toEqual([
      ['2025-01-01', 'k1'],
      ['2025-01-01', 'k2'],
      ['2025-01-02', 'k1'],
      ['2025-01-02', 'k2'],
    ]);
    expect(aggregateDailyUsage(items, 'provider').data.map((cell) => cell.group)).toEqual(['p', null, 'p', 'q']);
  });
});

describe('days', () => {
  it('accepts only real calendar dates', () => {
    expect(parseDay('2024-02-29')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseDay('2025-02-29')).toBeUndefined();
    expect(parseDay('2025-1-01')).toBeUndefined();
    expect(parseDay('2025-01-01T00:00:00Z')).toBeUndefined();
  });

  it('counts both ends and crosses months and leap days', () => {
    expect(daySpan('2025-03-01', '2025-03-01')).toBe(1);
    expect(daysBetween('2024-02-27', '2024-03-01')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(daySpan('2025-03-02', '2025-03-01')).toBe(0);
    expect(addDays('2025-03-10', -29)).toBe('2025-02-09');
  });
});
