/**
 * The usage and requests admin routes and `GET /admin/models`, through handleAdmin against dynalite, with rows
 * written by the gateway's own accounting step (lib/gateway/account.ts).
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleAdmin } from '../../lib/admin/index.js';
import { parseUsageQuery } from '../../lib/admin/usage.js';
import { catalog } from '../../lib/catalog.js';
import { account } from '../../lib/gateway/account.js';
import type { RequestOutcome } from '../../lib/gateway/outcome.js';
import { priceFor, priceFromCustomModel } from '../../lib/pricing/index.js';
import { UsageStore } from '../../lib/usage/store.js';
import { usdToUnits } from '../../lib/usage/units.js';
import { startTestStorage, type TestStorage, testRecorder } from '../storage/helpers.js';

let storage: TestStorage;
let usage: UsageStore;
let project: string;
let other: string;

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON answers are inspected freely in tests
async function get(path: string, query: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await handleAdmin({ method: 'GET', path, query, headers: {} }, { stores: storage.stores });
  return { status: response.status, json: JSON.parse(response.body) };
}

interface Seed {
  at: string;
  key: string;
  model?: string;
  provider?: string;
  providerModel?: string;
  status?: number;
  tokens?: [input: number, output: number, cacheRead?: number, cacheWrite?: number];
  /** Overrides the catalog price; `null` for a model without one. */
  price?: { input: number; output: number } | null;
  latency?: number;
  ttft?: number | null;
}

let seq = 0;
function outcome(projectId: string, seed: Seed): RequestOutcome {
  const at = new Date(seed.at);
  const [inputTokens, outputTokens, cacheReadTokens = 0, cacheWriteTokens = 0] = seed.tokens ?? [0, 0];
  const price =
    seed.price === null
      ? undefined
      : seed.price
        ? priceFromCustomModel({ input_per_million: seed.price.input, output_per_million: seed.price.output })
        : seed.provider
          ? priceFor(seed.provider, seed.providerModel ?? '', at)
          : undefined;
  seq += 1;
  return {
    requestId: `req_test${String(seq).padStart(6, '0')}`,
    at,
    projectId,
    keyId: seed.key,
    model: seed.model,
    provider: seed.provider,
    providerModel: seed.providerModel,
    price,
    stream: false,
    status: seed.status ?? 200,
    usage: seed.tokens ? { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } : undefined,
    latencyMs: seed.latency ?? 10,
    ttftMs: seed.ttft === null ? undefined : (seed.ttft ?? 5),
  };
}

const mini = { model: 'openai/gpt-4o-mini', provider: 'openai', providerModel: 'gpt-4o-mini' };
const four = { model: 'gpt-4o', provider: 'openai', providerModel: 'gpt-4o' };
const llama = { model: 'acme/llama-3', provider: 'acme', providerModel: 'llama-3' };

/** In the range 2025-03-01..2025-03-05, and two outside it. Costs by hand below, from the catalog's prices. */
const seeds: Seed[] = [
  // gpt-4o-mini (0.15 in, 0.075 cached, 0.6 out per million): 800×0.15 + 200×0.075 + 500×0.6 = 435 µUSD
  { at: '2025-03-01T10:00:00.000Z', key: 'key_a', ...mini, tokens: [1000, 500, 200], latency: 100, ttft: 20 },
  // gpt-4o (2.5 in, 10 out): 2000×2.5 + 100×10 = 6000 µUSD
  { at: '2025-03-01T23:59:59.999Z', key: 'key_b', ...four, tokens: [2000, 100], latency: 300, ttft: null },
  // custom 1 in, 2 out: 1000×1 + 500×2 = 2000 µUSD
  {
    at: '2025-03-02T00:00:00.000Z',
    key: 'key_a',
    ...llama,
    tokens: [1000, 500],
    price: { input: 1, output: 2 },
    latency: 50,
  },
  // a custom model without prices: tokens counted, no cost, one unpriced request
  {
    at: '2025-03-02T12:00:00.000Z',
    key: 'key_b',
    ...llama,
    model: 'acme/free',
    tokens: [300, 30],
    price: null,
    latency: 200,
  },
  // a validation error after auth: no model, no provider, no tokens
  { at: '2025-03-03T08:00:00.000Z', key: 'key_a', status: 400 },
  // a client that went away before any usage: priced model, zero cost
  { at: '2025-03-05T18:00:00.000Z', key: 'key_a', ...mini, status: 499 },
  // an upstream 500 after retries: a 502 with the catalog price and no tokens
  { at: '2025-03-05T19:00:00.000Z', key: 'key_b', ...four, status: 502 },
  { at: '2025-02-28T23:59:59.999Z', key: 'key_a', ...mini, tokens: [100, 100], latency: 9000 },
  { at: '2025-03-06T00:00:00.000Z', key: 'key_a', ...mini, tokens: [100, 100], latency: 9000 },
];
const RANGE = { from: '2025-03-01', to: '2025-03-05' };
const EXPECTED_COST_USD = 0.000435 + 0.006 + 0.002;

beforeAll(async () => {
  storage = await startTestStorage();
  usage = new UsageStore(storage.stores.dynamodb, storage.stores.tables);
  project = (await storage.stores.projects.create('usage')).id;
  other = (await storage.stores.projects.create('other')).id;
  const metering = { usage, recorder: testRecorder(storage) };
  for (const seed of seeds) await account(outcome(project, seed), storage.stores, metering);
  await account(outcome(other, seeds[0]!), storage.stores, metering);
  await metering.recorder.close();
});

afterAll(async () => {
  await storage.close();
});

const usagePath = () => `/admin/projects/${project}/usage`;
const units = (usd: number) => usdToUnits(usd);

describe('GET /admin/projects/{p}/usage', () => {
  it('sums by model, with requests that named none in a null group last', async () => {
    const { status, json } = await get(usagePath(), { ...RANGE, group_by: 'model' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ...RANGE, group_by: 'model' });
    expect(json.data).toEqual([
      {
        group: 'acme/free',
        requests: 1,
        input_tokens: 300,
        output_tokens: 30,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: 0,
        unpriced_requests: 1,
        estimated_requests: 0,
        error_requests: 0,
      },
      {
        group: 'acme/llama-3',
        requests: 1,
        input_tokens: 1000,
        output_tokens: 500,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: 0.002,
        unpriced_requests: 0,
        estimated_requests: 0,
        error_requests: 0,
      },
      {
        group: 'gpt-4o',
        requests: 2,
        input_tokens: 2000,
        output_tokens: 100,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: 0.006,
        unpriced_requests: 0,
        estimated_requests: 0,
        error_requests: 1,
      },
      {
        group: 'openai/gpt-4o-mini',
        requests: 2,
        input_tokens: 1000,
        output_tokens: 500,
        cached_input_tokens: 200,
        cache_write_tokens: 0,
        cost_usd: 0.000435,
        unpriced_requests: 0,
        estimated_requests: 0,
        error_requests: 1,
      },
      {
        group: null,
        requests: 1,
        input_tokens: 0,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: 0,
        unpriced_requests: 0,
        estimated_requests: 0,
        error_requests: 1,
      },
    ]);
    expect(json.total).toEqual({
      requests: 7,
      input_tokens: 4300,
      output_tokens: 1130,
      cached_input_tokens: 200,
      cache_write_tokens: 0,
      cost_usd: 0.008435,
      unpriced_requests: 1,
      estimated_requests: 0,
      error_requests: 3,
    });
    expect(units(json.total.cost_usd)).toBe(units(EXPECTED_COST_USD));
  });

  it.each(['model', 'provider', 'key', 'day'])('has totals equal to the sum of the %s groups', async (groupBy) => {
    const { json } = await get(usagePath(), { ...RANGE, group_by: groupBy });
    const fields = ['requests', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens'] as const;
    for (const field of fields) {
      expect(json.data.reduce((sum: number, g: Record<string, number>) => sum + g[field]!, 0)).toBe(json.total[field]);
    }
    const groupUnits = json.data.reduce((sum: number, g: { cost_usd: number }) => sum + units(g.cost_usd), 0);
    expect(groupUnits).toBe(units(json.total.cost_usd));
    expect(json.total.requests).toBe(7);
    expect(units(json.total.cost_usd)).toBe(units(EXPECTED_COST_USD));
  });

  it('groups by provider, key and day with the right members', async () => {
    const byProvider = (await get(usagePath(), { ...RANGE, group_by: 'provider' })).json.data;
    expect(byProvider.map((g: { group: string | null; requests: number }) => [g.group, g.requests])).toEqual([
      ['acme', 2],
      ['openai', 4],
      [null, 1],
    ]);
    const byKey = (await get(usagePath(), { ...RANGE, group_by: 'key' })).json.data;
    expect(byKey.map((g: { group: string; requests: number; cost_usd: number }) => [g.group, g.requests])).toEqual([
      ['key_a', 4],
      ['key_b', 3],
    ]);
    expect(units(byKey[0].cost_usd)).toBe(units(0.000435 + 0.002));
    const byDay = (await get(usagePath(), { ...RANGE, group_by: 'day' })).json.data;
    // Days are UTC: 23:59:59.999 stays on the 1st, 00:00 is the 2nd; days without requests are left out.
    expect(byDay.map((g: { group: string; requests: number }) => [g.group, g.requests])).toEqual([
      ['2025-03-01', 2],
      ['2025-03-02', 2],
      ['2025-03-03', 1],
      ['2025-03-05', 2],
    ]);
  });

  it('includes both ends of the range and nothing outside it', async () => {
    const oneDay = (await get(usagePath(), { from: '2025-02-28', to: '2025-02-28', group_by: 'day' })).json;
    expect(oneDay.total).toMatchObject({ requests: 1, input_tokens: 100 });
    const wide = (await get(usagePath(), { from: '2025-02-28', to: '2025-03-06' })).json;
    expect(wide.total.requests).toBe(9);
    const empty = (await get(usagePath(), { from: '2024-01-01', to: '2024-01-31' })).json;
    expect(empty.data).toEqual([]);
    expect(empty.total).toEqual({
      requests: 0,
      input_tokens: 0,
      output_tokens: 0,
      cached_input_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: 0,
      unpriced_requests: 0,
      estimated_requests: 0,
      error_requests: 0,
    });
  });

  it('counts only the project in the path', async () => {
    const { json } = await get(`/admin/projects/${other}/usage`, RANGE);
    expect(json.total).toMatchObject({ requests: 1, input_tokens: 1000 });
  });

  it('reads the daily counters with one query per day of the range', async () => {
    const send = vi.spyOn(storage.stores.dynamodb, 'send');
    try {
      await get(usagePath(), { from: '2025-01-01', to: '2025-03-31' });
      const queries = send.mock.calls.filter(([command]) => command instanceof QueryCommand);
      expect(queries).toHaveLength(90);
    } finally {
      send.mockRestore();
    }
  });

  it.each([
    [{ from: '2025-03-06', to: '2025-03-05' }, 'from'],
    [{ from: '2025-02-30' }, 'from'],
    [{ from: '2025-3-1' }, 'from'],
    [{ to: 'yesterday' }, 'to'],
    [{ to: '2025-13-01' }, 'to'],
    [{ from: '2024-03-01', to: '2025-03-02' }, 'from'],
    [{ group_by: 'week' }, 'group_by'],
    [{ group_by: 'model,day' }, 'group_by'],
  ])('answers 400 naming the parameter for %o', async (query, param) => {
    const { status, json } = await get(usagePath(), query);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
  });

  it('accepts a range of exactly 366 days', async () => {
    const { status, json } = await get(usagePath(), { from: '2024-03-05', to: '2025-03-05' });
    expect(status).toBe(200);
    expect(json.total.requests).toBe(8);
  });

  it('answers 404 for an unknown project', async () => {
    const { status, json } = await get('/admin/projects/proj_000000000000000000000000/usage', RANGE);
    expect(status).toBe(404);
    expect(json.error.code).toBe('project_not_found');
  });
});

describe('GET /admin/projects/{p}/usage/daily', () => {
  const dailyPath = () => `/admin/projects/${project}/usage/daily`;

  it('answers one cell per day and model, each equal to /usage for that day and model', async () => {
    const { status, json } = await get(dailyPath(), RANGE);
    expect(status).toBe(200);
    expect(json).toMatchObject({ ...RANGE, split_by: 'model' });
    expect(json.data.map((cell: { day: string; group: string | null }) => [cell.day, cell.group])).toEqual([
      ['2025-03-01', 'gpt-4o'],
      ['2025-03-01', 'openai/gpt-4o-mini'],
      ['2025-03-02', 'acme/free'],
      ['2025-03-02', 'acme/llama-3'],
      ['2025-03-03', null],
      ['2025-03-05', 'gpt-4o'],
      ['2025-03-05', 'openai/gpt-4o-mini'],
    ]);
    for (const cell of json.data) {
      const byModel = (await get(usagePath(), { from: cell.day, to: cell.day, group_by: 'model' })).json.data;
      const { day: _day, ...sums } = cell;
      expect(byModel.find((g: { group: string | null }) => g.group === cell.group)).toEqual(sums);
    }
    expect(json.total).toEqual((await get(usagePath(), RANGE)).json.total);
  });

  it('splits by key when asked', async () => {
    const { json } = await get(dailyPath(), { ...RANGE, split_by: 'key' });
    expect(json.data[0]).toMatchObject({ day: '2025-03-01', group: 'key_a', requests: 1 });
  });

  it.each([
    [{ split_by: 'day' }, 'split_by'],
    [{ from: '2025-03-06', to: '2025-03-05' }, 'from'],
  ])('answers 400 naming the parameter for %o', async (query, param) => {
    const { status, json } = await get(dailyPath(), query);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});

describe('GET /admin/projects/{p}/latency', () => {
  const latencyPath = () => `/admin/projects/${project}/latency`;

  it('gives p50/p95 of latency and TTFT per model over the successful rows of the period', async () => {
    const { status, json } = await get(latencyPath(), RANGE);
    expect(status).toBe(200);
    expect(json).toMatchObject({ ...RANGE, rows_read: 7, complete: true });
    const view = (g: { group: string | null; requests: number; latency_ms: object; ttft_ms: object }) => [
      g.group,
      g.requests,
      g.latency_ms,
      g.ttft_ms,
    ];
    expect(json.data.map(view)).toEqual([
      ['acme/free', 1, { p50: 200, p95: 200 }, { p50: 5, p95: 5 }],
      ['acme/llama-3', 1, { p50: 50, p95: 50 }, { p50: 5, p95: 5 }],
      ['gpt-4o', 1, { p50: 300, p95: 300 }, { p50: null, p95: null }],
      ['openai/gpt-4o-mini', 1, { p50: 100, p95: 100 }, { p50: 20, p95: 20 }],
    ]);
    expect(json.total).toEqual({
      requests: 4,
      latency_ms: { p50: 100, p95: 300 },
      ttft_requests: 3,
      ttft_ms: { p50: 5, p95: 20 },
    });
  });

  it('reads only the rows of the period, both end days included', async () => {
    const { json } = await get(latencyPath(), { from: '2025-02-28', to: '2025-02-28' });
    expect(json.rows_read).toBe(1);
    expect(json.total.latency_ms).toEqual({ p50: 9000, p95: 9000 });
    const none = (await get(latencyPath(), { from: '2024-01-01', to: '2024-01-02' })).json;
    expect(none).toMatchObject({ data: [], rows_read: 0, complete: true });
  });

  it('reads the newest rows first and says when it stopped at its limit', async () => {
    const timings = await usage.timingsBetween(project, '2025-02-28', '2025-03-06', 2);
    expect(timings.complete).toBe(false);
    expect(timings.rows.map((row) => row.latency_ms)).toEqual([9000, 10]);
    expect((await usage.timingsBetween(project, '2025-03-06', '2025-03-06', 1)).complete).toBe(true);
  });

  it('answers 400 naming from for a bad period, and 404 for an unknown project', async () => {
    expect((await get(latencyPath(), { from: 'soon' })).json.error.param).toBe('from');
    expect((await get('/admin/projects/proj_000000000000000000000000/latency', RANGE)).status).toBe(404);
  });
});

describe('parseUsageQuery defaults', () => {
  const now = new Date('2025-03-10T23:30:00Z');

  it('is the 30 days ending today (UTC), grouped by model', () => {
    expect(parseUsageQuery({}, now)).toEqual({ from: '2025-02-09', to: '2025-03-10', group_by: 'model' });
  });

  it('ends a range given only its start today, and starts one given only its end 29 days before', () => {
    expect(parseUsageQuery({ from: '2025-03-01' }, now)).toMatchObject({ from: '2025-03-01', to: '2025-03-10' });
    expect(parseUsageQuery({ to: '2024-03-01' }, now)).toMatchObject({ from: '2024-02-01', to: '2024-03-01' });
  });

  it('reads empty parameters as absent', () => {
    expect(parseUsageQuery({ from: '', to: '', group_by: '' }, now)).toEqual(parseUsageQuery({}, now));
  });

  it('refuses a start after today when the end is left out', () => {
    expect(() => parseUsageQuery({ from: '2025-03-11' }, now)).toThrow(expect.objectContaining({ param: 'from' }));
  });
});

describe('GET /admin/projects/{p}/requests', () => {
  it('lists rows newest first with the contract fields', async () => {
    const { status, json } = await get(`/admin/projects/${project}/requests`);
    expect(status).toBe(200);
    expect(json.data).toHaveLength(seeds.length);
    expect(json.next_cursor).toBeNull();
    const ats = json.data.map((row: { at: string }) => row.at);
    expect(ats).toEqual([...ats].sort().reverse());
    const first = json.data.find((row: { at: string }) => row.at === '2025-03-01T10:00:00.000Z');
    expect(first).toEqual({
      id: expect.stringMatching(/^req_test/),
      at: '2025-03-01T10:00:00.000Z',
      key_id: 'key_a',
      model: 'openai/gpt-4o-mini',
      provider: 'openai',
      provider_model: 'gpt-4o-mini',
      status: 200,
      input_tokens: 1000,
      output_tokens: 500,
      cached_input_tokens: 200,
      cache_write_tokens: 0,
      cost_usd: 0.000435,
      latency_ms: 100,
      ttft_ms: 20,
      finish_reason: null,
      error_code: null,
      stream: false,
      priced: true,
      endpoint: 'chat',
      usage_estimated: false,
    });
    const unpriced = json.data.find((row: { model: string }) => row.model === 'acme/free');
    expect(unpriced).toMatchObject({ cost_usd: null, priced: false, input_tokens: 300 });
  });

  it.each(['0', '1001', '-1', '1.5', 'ten', '1e2', ' 5'])('answers 400 naming limit for limit=%j', async (limit) => {
    const { status, json } = await get(`/admin/projects/${project}/requests`, { limit });
    expect(status).toBe(400);
    expect(json.error.param).toBe('limit');
  });

  it.each(['1', '1000'])('accepts limit=%s', async (limit) => {
    const { status, json } = await get(`/admin/projects/${project}/requests`, { limit });
    expect(status).toBe(200);
    expect(json.data).toHaveLength(Math.min(Number(limit), seeds.length));
  });

  it.each([
    'not-a-cursor',
    Buffer.from('{"sk":"drop table"}').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ])('answers 400 naming cursor for a cursor it never handed out (%s)', async (cursor) => {
    const { status, json } = await get(`/admin/projects/${project}/requests`, { cursor });
    expect(status).toBe(400);
    expect(json.error.param).toBe('cursor');
  });

  it('keeps the rows of a period with from and to, paged within it', async () => {
    const { status, json } = await get(`/admin/projects/${project}/requests`, { from: '2025-03-01', to: '2025-03-02' });
    expect(status).toBe(200);
    const ats = json.data.map((row: { at: string }) => row.at);
    expect(ats).toEqual(
      seeds
        .map((seed) => seed.at)
        .filter((at) => at >= '2025-03-01' && at < '2025-03-03')
        .sort()
        .reverse(),
    );
    const first = await get(`/admin/projects/${project}/requests`, {
      from: '2025-03-01',
      to: '2025-03-02',
      limit: '2',
    });
    const rest = await get(`/admin/projects/${project}/requests`, {
      from: '2025-03-01',
      to: '2025-03-02',
      cursor: first.json.next_cursor,
    });
    expect([...first.json.data, ...rest.json.data].map((row: { at: string }) => row.at)).toEqual(ats);
    expect(rest.json.next_cursor).toBeNull();
  });

  it('answers 400 naming from for a period that is not one', async () => {
    const { status, json } = await get(`/admin/projects/${project}/requests`, { from: '2025-13-01' });
    expect(status).toBe(400);
    expect(json.error.param).toBe('from');
  });

  it('answers 404 for an unknown project', async () => {
    const { status } = await get('/admin/projects/proj_000000000000000000000000/requests');
    expect(status).toBe(404);
  });
});

describe('GET /admin/models', () => {
  it('lists the catalog with prices, limits and capabilities, as provider/model', async () => {
    const { status, json } = await get('/admin/models');
    expect(status).toBe(200);
    const ids = new Set(catalog.map((entry) => `${entry.inference_provider.provider}/${entry.model}`));
    expect(json.data).toHaveLength(ids.size);
    const entry = json.data.find((model: { id: string }) => model.id === 'openai/gpt-4o-mini');
    expect(entry).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      provider_model: 'gpt-4o-mini',
      aliases: expect.arrayContaining(['gpt-4o-mini-2024-07-18']),
      price: [
        expect.objectContaining({ per_input_token: 0.15, per_output_token: 0.6, valid_from: expect.any(String) }),
      ],
      limits: { max_context_size: expect.any(Number), max_output_tokens: expect.any(Number) },
      capabilities: expect.arrayContaining(['tools']),
    });
    expect(json.data.every((model: { price: unknown[] }) => Array.isArray(model.price))).toBe(true);
    expect(entry.retired).toBeNull();
    const retired = json.data.find((model: { id: string }) => model.id === 'anthropic/claude-3-opus-20240229');
    expect(retired).toMatchObject({ retired: '2026-01-05', price: [expect.objectContaining({ per_input_token: 15 })] });
  });

  it('answers 405 to anything but GET', async () => {
    const response = await handleAdmin(
      { method: 'POST', path: '/admin/models', query: {}, headers: {} },
      { stores: storage.stores },
    );
    expect(response.status).toBe(405);
  });
});
