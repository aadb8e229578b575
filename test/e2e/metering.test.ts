/**
 * Metering you can bill from (CONTRACT.md §4), end to end through the local server with the official openai SDK
 * and raw fetch: a stream the provider cuts off is billed at the gateway's estimate; 20 parallel requests never
 * spend past a small budget; a budgeted key cannot reach an unpriced model; with its storage killed the gateway
 * still answers a known key and writes every row exactly once when storage is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToUnits } from '../../lib/usage/units.js';
import type { Simulator } from '../../simulators/base.js';
import { echoReply, startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { failure, setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';
import { ManualClock } from '../helpers/manual-clock.js';

interface Row {
  id: string;
  key_id: string;
  status: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  error_code: string | null;
  usage_estimated: boolean;
  endpoint: string;
}

interface ErrorBody {
  error: { message: string; code: string | null; param: string | null };
}

let gateway: TestGateway;
let sim: Simulator;
let restoreEnv: () => void;
let projectId: string;

/** How long the embedded DynamoDB stays down once killed, on `storageClock`: the outage test ends it by hand. */
const STORAGE_RESTART_MS = 3_000;
const storageClock = new ManualClock();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  restoreEnv = setEnv({ OPENAI_API_KEY: undefined, VLLORA_OPENAI_API_KEY: undefined, GATEWAY_RETRY_BACKOFF_MS: '1' });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway({ storageRestartDelayMs: STORAGE_RESTART_MS, storageClock, spoolRetryMs: 50 });
  const project = await gateway.admin<{ id: string }>('POST', '/admin/projects', { name: 'metering' });
  projectId = project.body.id;
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-test', base_url: `${sim.url}/v1` });
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${sim.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }, { id: 'free' }],
  });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

async function makeKey(limits: Record<string, unknown> = {}) {
  const made = await gateway.admin<{ id: string; key: string }>('POST', `/admin/projects/${projectId}/keys`, limits);
  expect(made.status).toBe(201);
  return { id: made.body.id, key: made.body.key, client: gateway.client(made.body.key) };
}

async function rows(): Promise<Row[]> {
  const listing = await gateway.admin<{ data: Row[] }>('GET', `/admin/projects/${projectId}/requests?limit=1000`);
  expect(listing.status).toBe(200);
  return listing.body.data;
}

/** Polls the listing until `ready` holds (rows are written after the answer; spooled ones once storage is back). */
async function rowsWhen(ready: (rows: Row[]) => boolean, timeoutMs = 15_000): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await rows().catch(() => [] as Row[]);
    if (ready(current) || Date.now() > deadline) return current;
    await sleep(50);
  }
}

function chat(key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('streams cut short', () => {
  it('bills a stream the provider cut off mid-way at the estimate: input from the request, output from the text', async () => {
    const { id: keyId, key } = await makeKey();
    sim.script(
      textReply(['The quick brown fox', ' jumps over the lazy dog', ' and more'], {
        dropAfter: 2,
        usage: { prompt_tokens: 50, completion_tokens: 30 },
      }),
    );
    const response = await chat(key, { model: 'openai/gpt-4o-mini', messages: user('tell me'), stream: true });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('The quick brown fox');
    expect(text).not.toContain('jumps'); // the provider went away after its first content chunk
    expect(text).toContain('"error"');
    expect(text).not.toContain('[DONE]');
    const id = response.headers.get('x-request-id')!;

    const [row] = (await rowsWhen((all) => all.some((r) => r.id === id))).filter((r) => r.id === id);
    expect(row).toMatchObject({ key_id: keyId, status: 502, usage_estimated: true, endpoint: 'chat' });
    // o200k_base: "The quick brown fox", all the client was sent, is 4 tokens.
    expect(row!.output_tokens).toBe(4);
    expect(row!.input_tokens).toBeGreaterThan(0);
    expect(row!.cost_usd).toBeGreaterThan(0);
    expect(usdToUnits(row!.cost_usd!)).toBe(usdToUnits((row!.input_tokens * 0.15 + row!.output_tokens * 0.6) / 1e6));
  });
});

describe('hard budgets', () => {
  it('never spends past a small budget with 20 requests in parallel', async () => {
    // Each request reserves ~8 input tokens + max_tokens 1000 at 1/2 USD per million (~0.002008 USD) and costs
    // 5 + 1000 tokens (0.002005 USD): at most 4 fit a 0.01 USD budget, however the 20 interleave.
    const budget = 0.01;
    const { id: keyId, client } = await makeKey({ budget_usd: budget });
    sim.setDefault(textReply('answer', { usage: { prompt_tokens: 5, completion_tokens: 1000 } }));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        client.chat.completions.create({ model: 'acme/llama-3', messages: user(`p${i}`), max_tokens: 1000 }),
      ),
    );
    const answered = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [o.reason as { status?: number; code?: string }] : [],
    );
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThanOrEqual(4);
    expect(refused).toHaveLength(20 - answered);
    for (const error of refused) expect(error).toMatchObject({ status: 403, code: 'budget_exceeded' });
    sim.setDefault(echoReply());

    const mine = (await rowsWhen((all) => all.filter((r) => r.key_id === keyId).length === 20)).filter(
      (r) => r.key_id === keyId,
    );
    expect(mine).toHaveLength(20);
    const spentUnits = mine.reduce((sum, r) => sum + (r.cost_usd === null ? 0 : usdToUnits(r.cost_usd)), 0);
    expect(spentUnits).toBe(answered * usdToUnits(0.002005));
    expect(spentUnits).toBeLessThanOrEqual(usdToUnits(budget));
  });

  it('refuses an unpriced model to a budgeted key, as the model or as a fallback, before calling it', async () => {
    const { key } = await makeKey({ budget_usd: 1 });
    const sent = sim.requests.length;
    const direct = await chat(key, { model: 'acme/free', messages: user('hi') });
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as ErrorBody).error).toMatchObject({ code: 'model_not_priced', param: 'model' });
    const fallback = await chat(key, { model: 'acme/llama-3', models: ['acme/free'], messages: user('hi') });
    expect(fallback.status).toBe(403);
    const { error } = (await fallback.json()) as ErrorBody;
    expect(error).toMatchObject({ code: 'model_not_priced', param: 'models[0]' });
    expect(error.message).toContain('acme/free');
    expect(sim.requests.length).toBe(sent);
  });

  it('lets a key without a budget use an unpriced model', async () => {
    const { client } = await makeKey();
    sim.script(textReply('free answer'));
    const answer = await client.chat.completions.create({ model: 'acme/free', messages: user('hi') });
    expect(answer.choices[0]!.message.content).toBe('free answer');
  });
});

describe('storage killed for a while', () => {
  it('still answers a known key, refuses a budgeted one, and has every row exactly once when storage is back', async () => {
    const plain = await makeKey();
    const budgeted = await makeKey({ budget_usd: 1 });
    // Warm both keys into the gateway's key cache, as any key in use is.
    for (const key of [plain, budgeted]) {
      sim.script(textReply('warm'));
      await key.client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('warm'), max_tokens: 10 });
    }

    const pid = gateway.gateway.storagePid()!;
    expect(pid).toEqual(expect.any(Number));
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid));

    const refused = await failure(
      budgeted.client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('x'), max_tokens: 10 }),
    );
    expect(refused).toMatchObject({ status: 503, code: 'storage_unavailable' });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      sim.script(textReply(`during ${i}`, { usage: { prompt_tokens: 10, completion_tokens: 2 } }));
      const { data, response } = await plain.client.chat.completions
        .create({ model: 'openai/gpt-4o-mini', messages: user(`outage ${i}`) })
        .withResponse();
      expect(data.choices[0]!.message.content).toBe(`during ${i}`);
      ids.push(response.headers.get('x-request-id')!);
    }
    // The outage lasted past every answer: storage is still down until its restart delay is over.
    expect(alive(gateway.gateway.storagePid()!)).toBe(false);
    storageClock.advance(STORAGE_RESTART_MS);

    const all = await rowsWhen((listed) => ids.every((id) => listed.some((r) => r.id === id)));
    const mine = all.filter((r) => r.key_id === plain.id);
    for (const id of ids) expect(mine.filter((r) => r.id === id)).toHaveLength(1);
    expect(mine).toHaveLength(ids.length + 1);
    for (const row of mine.filter((r) => ids.includes(r.id))) {
      expect(row).toMatchObject({ status: 200, input_tokens: 10, output_tokens: 2, usage_estimated: false });
    }
    const budgetedRows = all.filter((r) => r.key_id === budgeted.id);
    expect(budgetedRows.map((r) => r.status).sort()).toEqual([200, 503]);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(10);
  }
}
