/**
 * The local counter writer against dynalite: rows and their counters, and the watermark that makes a batch written
 * twice (a retry after an ambiguous failure, a spool drained after a crash) count once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterWriter } from '../../lib/usage/counter-writer.js';
import type { UsageItem } from '../../lib/usage/counters.js';
import type { SequencedItem } from '../../lib/usage/file-spool.js';
import { UsageStore } from '../../lib/usage/store.js';
import { usageItem } from '../helpers/usage-rows.js';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';

let storage: TestStorage;
let usage: UsageStore;
let writer: CounterWriter;

beforeAll(async () => {
  storage = await startTestStorage();
  usage = new UsageStore(storage.stores.dynamodb, storage.stores.tables);
  writer = new CounterWriter(storage.stores.dynamodb, storage.stores.tables, async () => {});
});

afterAll(async () => {
  await storage.close();
});

function item(project: string, id: string, overrides: Partial<UsageItem> = {}): UsageItem {
  return usageItem({
    id,
    at: '2026-12-01T10:00:00.000Z',
    project_id: project,
    stream: true,
    cost_usd: 0.000001,
    priced: true,
    cost_units: 10_000,
    latency_ms: 3,
    ttft_ms: 1,
    ...overrides,
  });
}

const sequenced = (shard: string, items: UsageItem[], from = 0): SequencedItem[] =>
  items.map((entry, i) => ({ shard, seq: from + i, item: entry }));

async function counters(project: string) {
  return usage.dailyCounters(project, ['2026-12-01']);
}

describe('CounterWriter', () => {
  it('writes the rows and adds them to their day and month counters', async () => {
    const rows = [item('p1', 'r1'), item('p1', 'r2', { usage_estimated: true }), item('p1', 'r3', { model: 'x' })];
    await writer.write(sequenced('s1', rows));
    const page = await usage.listRequests('p1', 10);
    expect(page.data.map((row) => row.id).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(page.data.find((row) => row.id === 'r2')?.usage_estimated).toBe(true);
    const byModel = Object.fromEntries((await counters('p1')).map((c) => [c.model, c]));
    expect(byModel['gpt-4o-mini']).toMatchObject({
      requests: 2,
      input_tokens: 20,
      cost_units: 20_000,
      estimated_requests: 1,
    });
    expect(byModel.x).toMatchObject({ requests: 1, estimated_requests: 0 });
    expect(await usage.monthSpendUsd('p1', 'key_1', new Date('2026-12-15T00:00:00Z'))).toBe(0.000003);
  });

  it('counts a batch written twice once', async () => {
    const records = sequenced('s2', [item('p2', 'a'), item('p2', 'b')]);
    await writer.write(records);
    await writer.write(records);
    expect((await counters('p2'))[0]).toMatchObject({ requests: 2, cost_units: 20_000 });
    expect((await usage.listRequests('p2', 10)).data).toHaveLength(2);
  });

  it('adds only the rows past a counter watermark when a replay overlaps what was written', async () => {
    const rows = [item('p3', 'a'), item('p3', 'b'), item('p3', 'c'), item('p3', 'd')];
    await writer.write(sequenced('s3', rows.slice(0, 2)));
    await writer.write(sequenced('s3', rows));
    expect((await counters('p3'))[0]).toMatchObject({ requests: 4, input_tokens: 40 });
  });

  it('keeps sequences apart: the same numbers in another sequence count again', async () => {
    await writer.write(sequenced('s4', [item('p4', 'a')]));
    await writer.write(sequenced('s5', [item('p4', 'b')]));
    expect((await counters('p4'))[0]).toMatchObject({ requests: 2 });
  });

  it('releases an unsettled budget reservation through the budget ledger', async () => {
    await writer.write(sequenced('s6', [item('p6', 'a', { budget_reserved_units: 50_000 })]));
    const { BudgetLedger } = await import('../../lib/usage/budget.js');
    const ledger = new BudgetLedger(storage.stores.dynamodb, storage.stores.tables.usageDaily);
    expect(await ledger.committed({ projectId: 'p6', keyId: 'key_1', month: '2026-12' })).toBe(10_000 - 50_000);
  });
});
