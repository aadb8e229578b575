/**
 * The dashboard in a real browser (CONTRACT.md §7): after traffic through the local server (the OpenAI simulator
 * behind it: plain answers, streams, upstream errors, a provider that is not configured), headless Chromium logs in
 * with the admin token, picks the project and a period, and every figure the page shows — totals, the chart's bars,
 * the model and key tables, both pages of the latest requests — equals the admin API's answer to the same query.
 * No console error, no failed request; a screenshot goes to test-artifacts/ (gitignored).
 *
 * Skipped, with a message, only where no Chromium binary exists (a developer box without it); CI installs Debian's
 * `chromium` in .ci/run and fails here if it is missing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardProxy, startDashboardProxy } from '../../scripts/dashboard-proxy.js';
import type { Simulator } from '../../simulators/base.js';
import { errorReply, startOpenAISimulator, textReply } from '../../simulators/openai.js';
import {
  chromiumPath,
  launchChromium,
  readDashboard,
  type ShownDashboard,
  watchProblems,
} from '../helpers/dashboard-browser.js';
import { setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';
import { type SigV4StandIn, startSigV4StandIn, TEST_CREDENTIALS, TEST_REGION } from '../helpers/sigv4-stand-in.js';

const executable = chromiumPath();
if (!executable) {
  if (process.env.CI)
    throw new Error('CI runs the dashboard browser test: install chromium (apt-get install -y chromium)');
  console.warn(
    'dashboard browser test skipped: no Chromium binary (apt-get install -y chromium, or set CHROMIUM_PATH)',
  );
}

export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

let gateway: TestGateway;
let sim: Simulator;
let browser: Browser;
let standIn: SigV4StandIn;
let proxy: DashboardProxy;
let restoreEnv: () => void;
let projectId: string;

/** Requests sent: more than one page of the dashboard's 20 latest. */
const REQUESTS = 22;

// biome-ignore lint/suspicious/noExplicitAny: admin answers are read as the page reads them, as plain JSON
type Json = any;

async function api(path: string): Promise<Json> {
  const answer = await gateway.admin('GET', path);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

async function sendTraffic(): Promise<void> {
  const budgeted = (
    await gateway.admin<{ key: string }>('POST', `/admin/projects/${projectId}/keys`, {
      name: 'budgeted',
      budget_usd: 2,
    })
  ).body.key;
  const plain = (await gateway.admin<{ key: string }>('POST', `/admin/projects/${projectId}/keys`, { name: 'plain' }))
    .body.key;
  const chat = (key: string, body: Record<string, unknown>) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((response) => response.text());
  for (let i = 0; i < 12; i++) {
    sim.script(textReply(`answer ${i}`, { usage: { prompt_tokens: 100 + i, completion_tokens: 20 + i } }));
    await chat(budgeted, { model: 'openai/gpt-4o-mini', messages: user(`question ${i}`) });
  }
  for (let i = 0; i < 6; i++) {
    sim.script(
      textReply(['a', ' streamed', ' answer'], {
        delayMs: 2 * i,
        firstByteDelayMs: 3 * i,
        usage: { prompt_tokens: 300, completion_tokens: 40 },
      }),
    );
    await chat(plain, {
      model: 'gpt-4o',
      messages: user('stream it'),
      stream: true,
      stream_options: { include_usage: true },
    });
  }
  for (let i = 0; i < 2; i++) {
    sim.script(errorReply(500));
    await chat(plain, { model: 'openai/gpt-4o-mini', messages: user('fail') });
  }
  for (let i = 0; i < 2; i++)
    await chat(budgeted, { model: 'anthropic/claude-3-5-haiku-20241022', messages: user('x') });
  // Rows and counters are written in batches after each answer: wait until the API counts all of them.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const usage = await api(`/admin/projects/${projectId}/usage`);
    if (usage.total.requests === REQUESTS) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the usage counters never reached the requests sent');
}

beforeAll(async () => {
  if (!executable) return;
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    VLLORA_OPENAI_API_KEY: undefined,
    ANTHROPIC_API_KEY: undefined,
    VLLORA_ANTHROPIC_API_KEY: undefined,
    GATEWAY_MAX_RETRIES: '0',
  });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  // A first project with no traffic: the page opens on it, so picking the right one is part of the test.
  await gateway.admin('POST', '/admin/projects', { name: 'a quiet project' });
  projectId = (await gateway.admin<{ id: string }>('POST', '/admin/projects', { name: 'busy' })).body.id;
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-test', base_url: `${sim.url}/v1` });
  await sendTraffic();
  // What `npm run dashboard -- --url <AdminUrl>` starts, in front of a stand-in for the IAM-authorised Function URL.
  standIn = await startSigV4StandIn(gateway.url, gateway.gateway.adminToken);
  proxy = await startDashboardProxy({
    adminUrl: standIn.url,
    port: 0,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  browser = await launchChromium(executable);
  await mkdir(ARTIFACTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await standIn?.close();
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

/** Opens the page, logs in when it asks, picks the project and the 7-day period, and returns what it shows. */
async function openDashboard(page: Page, base: string, token: string | undefined): Promise<ShownDashboard> {
  await page.goto(`${base}/dashboard`);
  if (token !== undefined) {
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', token);
    await page.click('#login button[type="submit"]');
  }
  await page.waitForSelector('body[data-state="ready"]');
  await page.selectOption('#project', projectId);
  await readDashboard(page, projectId);
  await page.selectOption('#period', '7');
  return readDashboard(page, projectId);
}

/** Every figure on the page against the admin API's answers for the same project and period. */
async function expectShownEqualsApi(page: Page, shown: ShownDashboard): Promise<void> {
  const base = `/admin/projects/${projectId}`;
  const period = `from=${shown.range.from}&to=${shown.range.to}`;
  const [byModel, byKey, daily, latency, keys, firstPage] = await Promise.all([
    api(`${base}/usage?${period}&group_by=model`),
    api(`${base}/usage?${period}&group_by=key`),
    api(`${base}/usage/daily?${period}&split_by=model`),
    api(`${base}/latency?${period}`),
    api(`${base}/keys`),
    api(`${base}/requests?${period}&limit=20`),
  ]);

  expect(shown.totals).toEqual({
    spend: byModel.total.cost_usd,
    requests: byModel.total.requests,
    input: byModel.total.input_tokens,
    output: byModel.total.output_tokens,
    errors: byModel.total.error_requests,
    errorRate: String(byModel.total.error_requests / byModel.total.requests),
  });
  expect(shown.totals.requests).toBe(REQUESTS);
  expect(shown.totals.errors).toBe(4);

  const bar = (entry: { day: string; model: string | null; cost: number }) => `${entry.day} ${entry.model}`;
  expect([...shown.bars].sort((a, b) => bar(a).localeCompare(bar(b)))).toEqual(
    daily.data
      .map((cell: Json) => ({ day: cell.day, model: cell.group, cost: cell.cost_usd }))
      .sort((a: Json, b: Json) => bar(a).localeCompare(bar(b))),
  );
  expect(shown.bars.length).toBeGreaterThanOrEqual(3);

  const timings = new Map(latency.data.map((g: Json) => [g.group, g]));
  expect(shown.models).toHaveLength(byModel.data.length);
  for (const group of byModel.data) {
    const t: Json = timings.get(group.group);
    expect(shown.models.find((row) => row.model === group.group)).toEqual({
      model: group.group,
      requests: group.requests,
      cost: group.cost_usd,
      errors: group.error_requests,
      latency: t ? [t.latency_ms.p50, t.latency_ms.p95, t.ttft_ms.p50, t.ttft_ms.p95] : [null, null, null, null],
    });
  }
  expect(shown.models.map((row) => row.cost)).toEqual([...shown.models.map((row) => row.cost)].sort((a, b) => b - a));
  expect(timings.get('gpt-4o')).toMatchObject({ requests: 6, ttft_requests: 6 });

  const spendOf = new Map(byKey.data.map((g: Json) => [g.group, g]));
  expect(shown.keys).toHaveLength(keys.data.length);
  for (const key of keys.data) {
    const g: Json = spendOf.get(key.id);
    expect(shown.keys.find((row) => row.id === key.id)).toEqual({
      id: key.id,
      requests: g?.requests ?? 0,
      cost: g?.cost_usd ?? 0,
      month: key.month_spend_usd,
      budget: key.budget_usd,
    });
  }
  expect(shown.keys.find((row) => row.budget === 2)?.month).toBeGreaterThan(0);

  const rowView = (row: Json) => ({
    id: row.id,
    status: row.status,
    model: row.model ?? '',
    provider: row.provider ?? '',
    cost: row.cost_usd,
    estimated: row.usage_estimated,
    latency: row.latency_ms,
    ttft: row.ttft_ms,
  });
  expect(shown.requests).toEqual(firstPage.data.map(rowView));
  expect(firstPage.next_cursor).not.toBeNull();

  await page.click('#older');
  await page.waitForSelector('body[data-state="ready"]');
  const older = await readDashboard(page, projectId);
  const secondPage = await api(
    `${base}/requests?${period}&limit=20&cursor=${encodeURIComponent(firstPage.next_cursor)}`,
  );
  expect(older.requests).toEqual(secondPage.data.map(rowView));
  expect(older.requests).toHaveLength(REQUESTS - 20);
  await page.click('#newer');
  await page.waitForSelector('body[data-state="ready"]');
  expect((await readDashboard(page, projectId)).requests).toEqual(firstPage.data.map(rowView));
}

describe.skipIf(!executable)('the dashboard in Chromium', () => {
  it('served by the local server: logs in with the admin token and shows what the admin API answers', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems = watchProblems(page);
    const shown = await openDashboard(page, gateway.url, gateway.gateway.adminToken);
    await expectShownEqualsApi(page, shown);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-local.png'), fullPage: true });
    expect(problems).toEqual({ console: [], failedRequests: [] });
    await page.close();
  }, 60_000);

  it('served by npm run dashboard: every admin call SigV4-signed, no token asked, the same figures', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems = watchProblems(page);
    const shown = await openDashboard(page, proxy.url, undefined);
    expect(await page.isHidden('#login')).toBe(true);
    await expectShownEqualsApi(page, shown);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sigv4.png'), fullPage: true });
    expect(problems).toEqual({ console: [], failedRequests: [] });
    expect(standIn.counts.refused).toBe(0);
    expect(standIn.counts.verified).toBeGreaterThanOrEqual(10);
    await page.close();
  }, 60_000);

  it('asks again for a token the server refuses, and keeps it out of the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/dashboard`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', 'not-the-token');
    await page.click('#login button[type="submit"]');
    await page.waitForSelector('body[data-state="login"] #error:not([hidden])');
    expect(await page.textContent('#error')).toBe('The admin token was refused.');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem(
          'gateway-admin-token',
        ),
      ),
    ).toBeNull();
    expect(await page.isHidden('#dashboard')).toBe(true);
    await page.close();
  });
});
