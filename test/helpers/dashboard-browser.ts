/**
 * Drives the dashboard page (CONTRACT.md §7) in headless Chromium — Debian's `chromium` package through
 * `playwright-core`, never a browser download — and reads back what it shows: the totals, the chart's bars, the
 * model and key tables and the latest requests, each from the raw `data-*` values the page keeps beside its text.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** The browser binary; Debian's `/usr/bin/chromium` is a shell wrapper around this one, which prints noise. */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((path): path is string => Boolean(path) && existsSync(path as string));
}

export function launchChromium(executablePath: string): Promise<Browser> {
  // Root (CI, containers) cannot use Chromium's sandbox: it refuses to start without this flag.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

export interface PageProblems {
  console: string[];
  failedRequests: string[];
}

/** Collects console errors, uncaught exceptions and failed requests for the page's whole life. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { console: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.console.push(message.text());
  });
  page.on('pageerror', (error) => problems.console.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.method()} ${request.url()}`));
  return problems;
}

export interface ShownDashboard {
  range: { from: string; to: string };
  totals: { spend: number; requests: number; input: number; output: number; errors: number; errorRate: string };
  bars: { day: string; model: string | null; cost: number }[];
  models: {
    model: string | null;
    requests: number;
    cost: number;
    errors: number;
    latency: (number | null)[];
  }[];
  keys: { id: string; requests: number; cost: number; month: number | null; budget: number | null }[];
  requests: {
    id: string;
    status: number;
    model: string;
    provider: string;
    cost: number | null;
    estimated: boolean;
    latency: number;
    ttft: number | null;
  }[];
}

/** The little of the DOM read here: the project's TypeScript setup has Node's types, not the browser's. */
interface Node {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
}

interface Doc {
  body: Node;
  getElementById(id: string): Node;
  querySelectorAll(selector: string): ArrayLike<Node>;
}

/** Waits until the page has loaded `project` and returns every figure it shows, as numbers. */
export async function readDashboard(page: Page, project: string): Promise<ShownDashboard> {
  await page.waitForSelector(`body[data-state="ready"][data-project="${project}"]`);
  return page.evaluate(() => {
    const num = (value: string | undefined | null) => (value === undefined || value === null ? NaN : Number(value));
    const orNull = (value: string | undefined | null) =>
      value === undefined || value === null || value === '' ? null : Number(value);
    const doc = (globalThis as unknown as { document: Doc }).document;
    const all = (selector: string, from: Pick<Node, 'querySelectorAll'> = doc) =>
      Array.from(from.querySelectorAll(selector));
    const byId = (id: string) => doc.getElementById(id);
    const cells = (row: Node) => all('td', row);
    const body = doc.body.dataset;
    return {
      range: { from: body.from as string, to: body.to as string },
      totals: {
        spend: num(byId('total-spend').dataset.value),
        requests: num(byId('total-requests').dataset.value),
        input: num(byId('total-tokens').dataset.input),
        output: num(byId('total-tokens').dataset.output),
        errors: num(byId('total-error-rate').dataset.errors),
        errorRate: byId('total-error-rate').dataset.value as string,
      },
      bars: all('#chart rect').map((rect) => ({
        day: rect.getAttribute('data-day') as string,
        model: rect.getAttribute('data-model') || null,
        cost: num(rect.getAttribute('data-value')),
      })),
      models: all('#models tbody tr[data-model]').map((row) => {
        const [, requests, , cost, errors, ...latency] = cells(row);
        return {
          model: row.dataset.model || null,
          requests: num(requests?.dataset.value),
          cost: num(cost?.dataset.value),
          errors: num(errors?.dataset.value),
          latency: latency.map((cell) => orNull(cell.dataset.value)),
        };
      }),
      keys: all('#keys tbody tr[data-key]').map((row) => {
        const [, requests, cost, month] = cells(row);
        return {
          id: row.dataset.key as string,
          requests: num(requests?.dataset.value),
          cost: num(cost?.dataset.value),
          month: orNull(month?.dataset.month),
          budget: orNull(month?.dataset.budget),
        };
      }),
      requests: all('#requests tbody tr[data-id]').map((row) => {
        const [, status, model, provider, , cost, estimated, latency, ttft] = cells(row);
        return {
          id: row.dataset.id as string,
          status: num(status?.dataset.value),
          model: model?.dataset.value as string,
          provider: provider?.dataset.value as string,
          cost: orNull(cost?.dataset.value),
          estimated: estimated?.dataset.value === 'true',
          latency: num(latency?.dataset.value),
          ttft: orNull(ttft?.dataset.value),
        };
      }),
    };
  });
}
