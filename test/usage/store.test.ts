/** UsageStore against dynalite: the requests listing's pages and cursors, and the daily counters it reads back. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCursorError, type UsageRow, UsageStore } from '../../lib/usage/store.js';
import { usageRow } from '../helpers/usage-rows.js';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';

let storage: TestStorage;
let usage: UsageStore;

beforeAll(async () => {
  storage = await startTestStorage();
  usage = new UsageStore(storage.stores.dynamodb, storage.stores.tables);
});

afterAll(async () => {
  await storage.close();
});

function row(projectId: string, at: string, id: string): UsageRow {
  return usageRow({ id, at, project_id: projectId, cost_usd: 0.0000045, priced: true, ttft_ms: 7 });
}

/** Six rows, two of them in the same millisecond (told apart by id). */
async function seedSix(projectId: string): Promise<string[]> {
  const rows = [
    row(projectId, '2025-05-01T00:00:00.000Z', 'req_a'),
    row(projectId, '2025-05-01T00:00:01.000Z', 'req_b'),
    row(projectId, '2025-05-01T00:00:01.000Z', 'req_c'),
    row(projectId, '2025-05-02T00:00:00.000Z', 'req_d'),
    row(projectId, '2025-05-03T00:00:00.000Z', 'req_e'),
    row(projectId, '2025-05-04T00:00:00.000Z', 'req_f'),
  ];
  for (const r of rows) await usage.putRow(r, 45_000);
  return ['req_f', 'req_e', 'req_d', 'req_c', 'req_b', 'req_a'];
}

async function allPages(projectId: string, limit: number) {
  const pages: { ids: string[]; next: string | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = await usage.listRequests(projectId, limit, cursor);
    pages.push({ ids: page.data.map((r) => r.id), next: page.next_cursor });
    cursor = page.next_cursor ?? undefined;
  } while (cursor && pages.length < 20);
  return pages;
}

describe('listRequests', () => {
  it('pages newest first and gives no cursor after a page that ends the listing exactly', async () => {
    const expected = await seedSix('proj_pages');
    const byThree = await allPages('proj_pages', 3);
    expect(byThree).toEqual([
      { ids: expected.slice(0, 3), next: expect.any(String) },
      { ids: expected.slice(3, 6), next: null },
    ]);
    const byTwo = await allPages('proj_pages', 2);
    expect(byTwo.map((p) => p.ids)).toEqual([expected.slice(0, 2), expected.slice(2, 4), expected.slice(4, 6)]);
    expect(byTwo.at(-1)?.next).toBeNull();
    expect(await allPages('proj_pages', 6)).toEqual([{ ids: expected, next: null }]);
    expect(await allPages('proj_pages', 7)).toEqual([{ ids: expected, next: null }]);
    const byFour = await allPages('proj_pages', 4);
    expect(byFour.map((p) => p.ids)).toEqual([expected.slice(0, 4), expected.slice(4)]);
    expect(byFour.at(-1)?.next).toBeNull();
  });

  it('reads the row back as written, with the cost from its integer units', async () => {
    await usage.putRow(row('proj_one', '2025-05-01T00:00:00.000Z', 'req_x'), 45_000);
    const page = await usage.listRequests('proj_one', 10);
    expect(page).toEqual({ data: [row('proj_one', '2025-05-01T00:00:00.000Z', 'req_x')], next_cursor: null });
  });

  it('answers an empty page for a project without rows', async () => {
    expect(await usage.listRequests('proj_none', 100)).toEqual({ data: [], next_cursor: null });
  });

  it('refuses a cursor it did not hand out', async () => {
    await expect(usage.listRequests('proj_pages', 3, 'garbage')).rejects.toBeInstanceOf(InvalidCursorError);
    const forged = Buffer.from(JSON.stringify({ sk: 'x' })).toString('base64url');
    await expect(usage.listRequests('proj_pages', 3, forged)).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('dailyCounters', () => {
  it('adds requests of a day, model, provider and key into one counter, and reads every day asked', async () => {
    const first = row('proj_count', '2025-06-01T01:00:00.000Z', 'req_1');
    await usage.addToCounters(first, 45_000);
    await usage.addToCounters({ ...first, id: 'req_2', at: '2025-06-01T02:00:00.000Z', input_tokens: 90 }, 55_000);
    await usage.addToCounters(
      { ...first, id: 'req_3', model: null, provider: null, input_tokens: 0, output_tokens: 0 },
      null,
    );
    await usage.addToCounters({ ...first, id: 'req_4', at: '2025-06-03T00:00:00.000Z', model: 'free' }, null);

    const counters = await usage.dailyCounters('proj_count', ['2025-06-01', '2025-06-02', '2025-06-03']);
    const byKey = Object.fromEntries(counters.map((c) => [`${c.day} ${c.model}`, c]));
    expect(Object.keys(byKey).sort()).toEqual(['2025-06-01 -', '2025-06-01 gpt-4o-mini', '2025-06-03 free']);
    expect(byKey['2025-06-01 gpt-4o-mini']).toMatchObject({
      requests: 2,
      input_tokens: 100,
      output_tokens: 10,
      cost_units: 100_000,
      unpriced_requests: 0,
    });
    // No tokens and no price is not an unpriced request; tokens without a price are.
    expect(byKey['2025-06-01 -']).toMatchObject({ requests: 1, provider: '-', unpriced_requests: 0 });
    expect(byKey['2025-06-03 free']).toMatchObject({ requests: 1, cost_units: 0, unpriced_requests: 1 });
  });
});
