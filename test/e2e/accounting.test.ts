/**
 * Accounting end to end, through the local gateway with the official openai SDK and the OpenAI simulator registered
 * as `openai` (so the catalog's prices apply) and as a custom provider with its own prices: one row per request for
 * every outcome, each with the right tokens and cost; usage totals equal to the rows for every `group_by`; and the
 * key limits (`rpm`, `budget_usd`) tripping at the right request.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceFor } from '../../lib/pricing/index.js';
import { UsageStore } from '../../lib/usage/store.js';
import { usdToUnits } from '../../lib/usage/units.js';
import { Gate, type Simulator, sleep } from '../../simulators/base.js';
import { errorReply, startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { failure, setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';
import { ManualClock } from '../helpers/manual-clock.js';

interface Row {
  id: string;
  at: string;
  key_id: string;
  model: string | null;
  provider: string | null;
  provider_model: string | null;
  status: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  finish_reason: string | null;
  error_code: string | null;
  stream: boolean;
  endpoint: string;
  usage_estimated: boolean;
}

interface UsageGroup {
  group: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  estimated_requests: number;
}

/** The gateway's timeouts and dates run on this clock; its wall time follows the real one until a test moves it. */
const clock = new ManualClock();
let gateway: TestGateway;
let sim: Simulator;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    VLLORA_OPENAI_API_KEY: undefined,
    // No backoff: retries would otherwise wait on the hand-moved clock.
    GATEWAY_RETRY_BACKOFF_MS: '0',
  });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway({ clock });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

/** A project with the simulator as `openai` and as the custom provider `acme` (1 USD in, 2 USD out per million). */
async function setUpProject(name: string): Promise<string> {
  const project = await gateway.admin<{ id: string }>('POST', '/admin/projects', { name });
  await gateway.putProvider(project.body.id, 'openai', { api_key: 'sk-test', base_url: `${sim.url}/v1` });
  await gateway.putProvider(project.body.id, 'acme', {
    type: 'openai-compatible',
    base_url: `${sim.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }, { id: 'free' }],
  });
  return project.body.id;
}

async function makeKey(projectId: string, limits: Record<string, unknown> = {}) {
  const made = await gateway.admin<{ id: string; key: string }>('POST', `/admin/projects/${projectId}/keys`, limits);
  expect(made.status).toBe(201);
  return { id: made.body.id, client: gateway.client(made.body.key), key: made.body.key };
}

async function listRows(projectId: string): Promise<Row[]> {
  const response = await gateway.admin<{ data: Row[]; next_cursor: string | null }>(
    'GET',
    `/admin/projects/${projectId}/requests?limit=1000`,
  );
  expect(response.status).toBe(200);
  expect(response.body.next_cursor).toBeNull();
  return response.body.data;
}

/** Rows are written after the response ended: poll the listing (up to ~3 s) until `count` are there. */
async function waitForRows(projectId: string, count: number): Promise<Row[]> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const rows = await listRows(projectId);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await sleep(25);
  }
}

/** The key's month spend as the budget check reads it, polled until the last request's cost has landed. */
async function waitForSpend(projectId: string, keyId: string, usd: number): Promise<number> {
  const { stores } = gateway.gateway;
  const usage = new UsageStore(stores.dynamodb, stores.tables);
  const deadline = Date.now() + 3_000;
  for (;;) {
    const spent = await usage.monthSpendUsd(projectId, keyId, new Date());
    if (usdToUnits(spent) >= usdToUnits(usd) || Date.now() > deadline) return spent;
    await sleep(25);
  }
}

/** What a row must say, and the cost by hand from the per-million prices. */
interface Expected {
  key_id: string;
  model: string | null;
  provider: string | null;
  provider_model: string | null;
  status: number;
  stream: boolean;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cost_usd: number | null;
  error_code: string | null;
  finish_reason: string | null;
  usage_estimated: boolean;
}

/** USD per million tokens, by hand: uncached input, cache reads and output priced apart. */
function usd(p: { input: number; cached?: number; output: number }, input: number, cached: number, output: number) {
  return ((input - cached) * p.input + cached * (p.cached ?? p.input) + output * p.output) / 1e6;
}

// The catalog's prices today, written out so the expected costs below are computed by hand, not by lib/pricing.
const MINI = { input: 0.15, cached: 0.075, output: 0.6 };
const GPT4O = { input: 2.5, cached: 1.25, output: 10 };
const ACME = { input: 1, output: 2 };
const MINI_ROUTE = { model: 'openai/gpt-4o-mini', provider: 'openai', provider_model: 'gpt-4o-mini' };
const GPT4O_ROUTE = { model: 'gpt-4o', provider: 'openai', provider_model: 'gpt-4o' };
const acme = (id: string) => ({ model: `acme/${id}`, provider: 'acme', provider_model: id });

describe('one row per request, with the right tokens and cost', () => {
  let projectId: string;
  const expected = new Map<string, Expected>();
  /** A row's expectation: no model, tokens, cost or error and a 200, unless said otherwise. */
  const expectRow = (id: string, row: Partial<Expected> & Pick<Expected, 'key_id'>) =>
    expected.set(id, {
      model: null,
      provider: null,
      provider_model: null,
      status: 200,
      stream: false,
      input_tokens: 0,
      output_tokens: 0,
      cached_input_tokens: 0,
      cost_usd: null,
      error_code: null,
      finish_reason: null,
      usage_estimated: false,
      ...row,
    });

  beforeAll(async () => {
    projectId = await setUpProject('accounting');
  });

  it('uses the catalog prices the expected costs are written from', () => {
    const now = new Date();
    expect(priceFor('openai', 'gpt-4o-mini', now)).toMatchObject({
      per_input_token: MINI.input,
      per_cached_input_token: MINI.cached,
      per_output_token: MINI.output,
    });
    expect(priceFor('openai', 'gpt-4o', now)).toMatchObject({
      per_input_token: GPT4O.input,
      per_cached_input_token: GPT4O.cached,
      per_output_token: GPT4O.output,
    });
  });

  it('records N requests of mixed models, keys and outcomes as exactly N rows', async () => {
    const alice = await makeKey(projectId, { name: 'alice' });
    const bob = await makeKey(projectId, { name: 'bob' });

    // 1. Non-streaming, catalog price with cached tokens: the header is the row's cost.
    sim.script(
      textReply('Hello there', { usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 200 } }),
    );
    const one = await alice.client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: user('one') })
      .withResponse();
    expect(sim.lastRequest!.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(one.response.headers.get('x-gateway-cost-usd')).toBe('0.000435');
    expect(usd(MINI, 1000, 200, 500)).toBeCloseTo(0.000435, 12);
    expectRow(one.response.headers.get('x-request-id')!, {
      ...MINI_ROUTE,
      key_id: alice.id,
      input_tokens: 1000,
      output_tokens: 500,
      cached_input_tokens: 200,
      cost_usd: usd(MINI, 1000, 200, 500),
      finish_reason: 'stop',
    });

    // 2. Streaming with include_usage, a bare catalog name.
    sim.script(textReply('Streamed answer', { usage: { prompt_tokens: 2000, completion_tokens: 100 } }));
    const two = await bob.client.chat.completions
      .create({ model: 'gpt-4o', messages: user('two'), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let streamed = '';
    let reported: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of two.data) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      reported = chunk.usage ?? reported;
    }
    expect(streamed).toBe('Streamed answer');
    expect(reported).toMatchObject({ prompt_tokens: 2000, completion_tokens: 100 });
    expect(two.response.headers.get('x-gateway-cost-usd')).toBeNull();
    expectRow(two.response.headers.get('x-request-id')!, {
      ...GPT4O_ROUTE,
      key_id: bob.id,
      stream: true,
      input_tokens: 2000,
      output_tokens: 100,
      cost_usd: usd(GPT4O, 2000, 0, 100),
      finish_reason: 'stop',
    });

    // 3. Streaming without include_usage from a custom provider: the gateway still learns the usage upstream.
    sim.script(textReply('Custom stream', { usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
    const three = await alice.client.chat.completions
      .create({ model: 'acme/llama-3', messages: user('three'), stream: true })
      .withResponse();
    let sawUsage = false;
    for await (const chunk of three.data) sawUsage ||= chunk.usage !== undefined && chunk.usage !== null;
    expect(sawUsage).toBe(false);
    expect(sim.lastRequest!.body).toMatchObject({ model: 'llama-3', stream_options: { include_usage: true } });
    expectRow(three.response.headers.get('x-request-id')!, {
      ...acme('llama-3'),
      key_id: alice.id,
      stream: true,
      input_tokens: 1000,
      output_tokens: 500,
      cost_usd: usd(ACME, 1000, 0, 500),
      finish_reason: 'stop',
    });

    // 4. Non-streaming custom model without prices: tokens counted, cost unknown (null, no header).
    sim.script(textReply('Free answer', { usage: { prompt_tokens: 300, completion_tokens: 30 } }));
    const four = await bob.client.chat.completions
      .create({ model: 'acme/free', messages: user('four') })
      .withResponse();
    expect(four.response.headers.get('x-gateway-cost-usd')).toBeNull();
    expectRow(four.response.headers.get('x-request-id')!, {
      ...acme('free'),
      key_id: bob.id,
      input_tokens: 300,
      output_tokens: 30,
      finish_reason: 'stop',
    });

    // 5. An upstream 500, retried twice, then a 502: one row, not three.
    const before = sim.requests.length;
    sim.script(...Array.from({ length: 3 }, () => errorReply(500, { message: 'down' })));
    const five = await failure(
      bob.client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('5') }),
    );
    expect(five?.status).toBe(502);
    expect(sim.requests.length - before).toBe(3);
    expectRow(five!.headers!.get('x-request-id')!, {
      ...MINI_ROUTE,
      key_id: bob.id,
      status: 502,
      cost_usd: 0,
      error_code: five!.code ?? null,
    });

    // 6. A validation error after authentication: nothing reaches the provider.
    const sent = sim.requests.length;
    const six = await failure(
      alice.client.chat.completions.create({
        model: 'acme/llama-3',
        messages: [{ role: 'user', content: 7 as unknown as string }],
      }),
    );
    expect(six?.status).toBe(400);
    expect(sim.requests.length).toBe(sent);
    expectRow(six!.headers!.get('x-request-id')!, {
      key_id: alice.id,
      status: 400,
      error_code: six!.code ?? six!.type ?? null,
    });

    // 7. A client that disconnects mid-stream: 499, billed at the gateway's estimate (OpenAI reports usage only at
    // the end): o200k_base counts the request as 8 tokens (the message `seven` and the chat format's framing) and
    // the streamed `Hello` as 1.
    const gate = new Gate();
    sim.script(textReply(['Hello', ' world', ' again'], { gate, usage: { prompt_tokens: 50, completion_tokens: 3 } }));
    const controller = new AbortController();
    const seven = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: user('seven'), stream: true }),
      signal: controller.signal,
    });
    expect(seven.status).toBe(200);
    const reader = seven.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    gate.open(); // lets `Hello` through; ` world` stays held
    while (!received.includes('Hello')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    controller.abort();
    await reader.cancel().catch(() => {});
    expectRow(seven.headers.get('x-request-id')!, {
      ...MINI_ROUTE,
      key_id: alice.id,
      status: 499,
      stream: true,
      input_tokens: 8,
      output_tokens: 1,
      cost_usd: usd(MINI, 8, 0, 1),
      error_code: 'client_closed',
      usage_estimated: true,
    });

    const rows = await waitForRows(projectId, expected.size);
    for (let i = 0; i < 5; i++) gate.open(); // lets the simulator's held reply notice its client is gone
    expect(rows).toHaveLength(expected.size);
    expect(sim.lastRequest!.aborted).toBe(true);

    for (const row of rows) {
      const want = expected.get(row.id);
      expect(want, `unexpected row ${row.id}`).toBeDefined();
      const { cost_usd: cost, ...fields } = want!;
      expect(row).toMatchObject({ ...fields, cache_write_tokens: 0, endpoint: 'chat' });
      // Costs compare in the tables' integer units of 1e-10 USD: the by-hand figure is a float.
      expect(row.cost_usd === null ? null : usdToUnits(row.cost_usd)).toBe(cost === null ? null : usdToUnits(cost));
      expect(row.latency_ms).toBeGreaterThanOrEqual(0);
      if (row.status === 200) expect(row.ttft_ms).toEqual(expect.any(Number));
    }
    const withHeader = rows.find((row) => row.id === one.response.headers.get('x-request-id'));
    expect(withHeader!.cost_usd).toBe(Number(one.response.headers.get('x-gateway-cost-usd')));
    const seventh = rows.find((row) => row.id === seven.headers.get('x-request-id'));
    expect(seventh!.ttft_ms).toEqual(expect.any(Number));
    const ats = rows.map((row) => row.at);
    expect(ats).toEqual([...ats].sort().reverse());
  });

  it.each(['model', 'provider', 'key', 'day'] as const)('has usage by %s equal to the sum of the rows', async (by) => {
    const rows = await listRows(projectId);
    expect(rows).toHaveLength(expected.size);
    const groupOf = (row: Row) =>
      by === 'model' ? row.model : by === 'provider' ? row.provider : by === 'key' ? row.key_id : row.at.slice(0, 10);
    const sums = new Map<string | null, UsageGroup & { units: number }>();
    for (const row of rows) {
      const group = groupOf(row);
      const sum = sums.get(group) ?? {
        group,
        requests: 0,
        input_tokens: 0,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: 0,
        estimated_requests: 0,
        units: 0,
      };
      sum.requests += 1;
      if (row.usage_estimated) sum.estimated_requests += 1;
      sum.input_tokens += row.input_tokens;
      sum.output_tokens += row.output_tokens;
      sum.cached_input_tokens += row.cached_input_tokens;
      sum.cache_write_tokens += row.cache_write_tokens;
      sum.units += row.cost_usd === null ? 0 : usdToUnits(row.cost_usd);
      sums.set(group, sum);
    }

    const days = rows.map((row) => row.at.slice(0, 10)).sort();
    const query = `from=${days[0]}&to=${days.at(-1)}&group_by=${by}`;
    const report = await gateway.admin<{ data: UsageGroup[]; total: UsageGroup; group_by: string }>(
      'GET',
      `/admin/projects/${projectId}/usage?${query}`,
    );
    expect(report.status).toBe(200);
    expect(report.body.group_by).toBe(by);
    expect(report.body.data).toHaveLength(sums.size);
    for (const group of report.body.data) {
      const want = sums.get(group.group);
      expect(want, `unexpected group ${group.group}`).toBeDefined();
      const { units, cost_usd: _, ...counts } = want!;
      expect(group).toMatchObject(counts);
      expect(usdToUnits(group.cost_usd)).toBe(units);
    }
    const total = report.body.total;
    expect(total.requests).toBe(rows.length);
    expect(total.input_tokens).toBe(rows.reduce((n, row) => n + row.input_tokens, 0));
    expect(total.output_tokens).toBe(rows.reduce((n, row) => n + row.output_tokens, 0));
    expect(total.cached_input_tokens).toBe(rows.reduce((n, row) => n + row.cached_input_tokens, 0));
    const rowUnits = rows.reduce((n, row) => n + (row.cost_usd === null ? 0 : usdToUnits(row.cost_usd)), 0);
    expect(usdToUnits(total.cost_usd)).toBe(rowUnits);
    expect(rowUnits).toBe(
      usdToUnits(usd(MINI, 1000, 200, 500)) +
        usdToUnits(usd(GPT4O, 2000, 0, 100)) +
        usdToUnits(usd(ACME, 1000, 0, 500)) +
        usdToUnits(usd(MINI, 8, 0, 1)), // the client that left mid-stream, at the gateway's estimate
    );
    expect(total.estimated_requests).toBe(rows.filter((row) => row.usage_estimated).length);
    expect(report.body.data.reduce((n, group) => n + usdToUnits(group.cost_usd), 0)).toBe(rowUnits);
  });
});

describe('key limits', () => {
  let projectId: string;

  beforeAll(async () => {
    projectId = await setUpProject('limits');
  });

  it('answers the 4th request in a minute of an rpm 3 key with 429 and retry-after, and still records it', async () => {
    // Windows are calendar minutes: move the gateway's clock to the start of the next one, so all four share it.
    clock.advance(60_000 - (clock.wallNow() % 60_000) + 100);
    const limited = await makeKey(projectId, { rpm: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      sim.script(textReply(`ok ${i}`));
      const { response } = await limited.client.chat.completions
        .create({ model: 'acme/llama-3', messages: user(`r${i}`) })
        .withResponse();
      ids.push(response.headers.get('x-request-id')!);
    }
    const sent = sim.requests.length;
    const fourth = await failure(
      limited.client.chat.completions.create({ model: 'acme/llama-3', messages: user('4') }),
    );
    expect(fourth?.status).toBe(429);
    expect(fourth?.code).toBe('rate_limit_exceeded');
    const retryAfter = Number(fourth?.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sim.requests.length).toBe(sent);

    const rows = (await waitForRows(projectId, 4)).filter((row) => row.key_id === limited.id);
    expect(rows).toHaveLength(4);
    expect(
      rows
        .filter((row) => row.status === 200)
        .map((row) => row.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(rows.find((row) => row.id === fourth!.headers!.get('x-request-id'))).toMatchObject({
      status: 429,
      error_code: 'rate_limit_exceeded',
      input_tokens: 0,
      output_tokens: 0,
    });

    // The next minute is a new window.
    clock.advance(retryAfter * 1_000);
    sim.script(textReply('next minute'));
    const next = await limited.client.chat.completions.create({ model: 'acme/llama-3', messages: user('5') });
    expect(next.choices[0]?.message.content).toBe('next minute');
  });

  it('answers 403 budget_exceeded once the month spend reached the budget, not before', async () => {
    // Each request costs 1000×1 + 500×2 = 2000 µUSD: the budget is reached exactly by the second. Each reserves
    // its worst case first: a few input tokens and max_tokens 500, about 1000 µUSD, which fits until the second.
    const budgeted = await makeKey(projectId, { budget_usd: 0.004 });
    for (let i = 0; i < 2; i++) {
      sim.script(textReply(`paid ${i}`, { usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
      const { response } = await budgeted.client.chat.completions
        .create({ model: 'acme/llama-3', messages: user(`b${i}`), max_tokens: 500 })
        .withResponse();
      expect(response.headers.get('x-gateway-cost-usd')).toBe('0.002');
      expect(await waitForSpend(projectId, budgeted.id, 0.002 * (i + 1))).toBe(0.002 * (i + 1));
    }
    const sent = sim.requests.length;
    const third = await failure(
      budgeted.client.chat.completions.create({ model: 'acme/llama-3', messages: user('3'), max_tokens: 500 }),
    );
    expect(third?.status).toBe(403);
    expect(third?.code).toBe('budget_exceeded');
    expect(sim.requests.length).toBe(sent);

    const rows = (await waitForRows(projectId, 7)).filter((row) => row.key_id === budgeted.id);
    expect(rows.map((row) => row.status).sort()).toEqual([200, 200, 403]);
    expect(rows.find((row) => row.status === 403)).toMatchObject({ error_code: 'budget_exceeded', cost_usd: 0 });
  });
});
