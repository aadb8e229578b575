/**
 * The headline comparison: the same OpenAI simulator called directly, through a bare node:http pass-through (the
 * floor), through Portkey, and through this gateway as `npm start` runs it, each proxy in a process of its own.
 * The targets take turns: every round runs one block of each measurement for each target, in an order that
 * rotates from round to round, so drift on the machine (heat, other load, GC) spreads over all of them alike.
 *
 * Measured per target: non-streaming latency at concurrency 1 (p50/p99, and the added ms against direct), streaming
 * time to first content (TTFT) at concurrency 1, non-streaming requests/s at concurrency 64, and the CPU time of the
 * target's process per request (from /proc, so the client's and simulator's work is not in it).
 */
import { type Call, concurrent, fetchComplete, fetchStream, serial, type Target, type Timing } from './clients.js';
import { totalCpuMs } from './proc.js';
import { mib, ms, ratio, type Summary, summarize } from './stats.js';

export type TargetId = 'direct' | 'bare' | 'portkey' | 'ours';

export interface CompareTarget {
  id: TargetId;
  label: string;
  target: Target;
  /** Its own process, charged with its CPU; none for the direct calls. */
  pid?: number;
  /** Processes it started (dynalite for this gateway): their CPU is shown on a line of its own. */
  helperPids?: number[];
  memory?: () => Promise<{ rss: number; peak: number } | undefined>;
}

export interface CompareOptions {
  /** Sequential requests per target, JSON and SSE each (over all rounds). */
  serialN: number;
  /** Requests per target at `concurrency` (over all rounds). */
  concurrentN: number;
  concurrency: number;
  warmup: number;
  rounds: number;
  /** Called after every block (drops the simulator's request log). */
  afterBlock(): void;
  progress?(line: string): void;
}

type Phase = 'json' | 'sse' | 'concurrent';

interface Accumulated {
  json: Timing[];
  sse: Timing[];
  concurrentRequests: number;
  concurrentMs: number;
  cpu: Record<Phase, { ms: number; helperMs: number; requests: number; known: boolean }>;
}

export interface TargetFigures {
  id: TargetId;
  label: string;
  json: Summary;
  ttft: Summary;
  sseTotal: Summary;
  rps: number;
  /** CPU ms per request of the target's own process (undefined: none, or no /proc). */
  cpuJson?: number;
  cpuSse?: number;
  cpuConcurrent?: number;
  helperCpuJson?: number;
  helperCpuConcurrent?: number;
  memory?: { rss: number; peak: number };
}

export interface CompareFigures {
  options: Pick<CompareOptions, 'serialN' | 'concurrentN' | 'concurrency' | 'warmup' | 'rounds'>;
  targets: TargetFigures[];
}

/** Waits until the processes stop using CPU (less than 1 ms in 25 ms), at most 1 s: the gateway's accounting tail. */
async function quiet(pids: readonly number[]): Promise<void> {
  if (pids.length === 0) return;
  let last = await totalCpuMs(pids);
  for (let waited = 0; waited < 1000 && last !== undefined; waited += 25) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = await totalCpuMs(pids);
    if (now === undefined || now - last < 1) return;
    last = now;
  }
}

export async function compareTargets(targets: CompareTarget[], options: CompareOptions): Promise<CompareFigures> {
  const { rounds, concurrency } = options;
  const calls = new Map<TargetId, { json: Call; sse: Call }>(
    targets.map((t) => [t.id, { json: fetchComplete(t.target), sse: fetchStream(t.target) }]),
  );
  const acc = new Map<TargetId, Accumulated>(
    targets.map((t) => [
      t.id,
      {
        json: [],
        sse: [],
        concurrentRequests: 0,
        concurrentMs: 0,
        cpu: {
          json: { ms: 0, helperMs: 0, requests: 0, known: true },
          sse: { ms: 0, helperMs: 0, requests: 0, known: true },
          concurrent: { ms: 0, helperMs: 0, requests: 0, known: true },
        },
      },
    ]),
  );

  for (const t of targets) {
    const call = calls.get(t.id)!;
    await serial(call.json, options.warmup, 0);
    await serial(call.sse, options.warmup, 0);
    await concurrent(call.json, Math.max(options.warmup, 2 * concurrency), concurrency);
    options.afterBlock();
  }

  const share = (total: number, round: number) => Math.floor(total / rounds) + (round < total % rounds ? 1 : 0);
  for (let round = 0; round < rounds; round++) {
    for (const phase of ['json', 'sse', 'concurrent'] as const) {
      const n = share(phase === 'concurrent' ? options.concurrentN : options.serialN, round);
      if (n === 0) continue;
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const t of order) {
        const call = calls.get(t.id)!;
        const a = acc.get(t.id)!;
        const own = t.pid ? [t.pid] : [];
        const helpers = t.helperPids ?? [];
        await quiet([...own, ...helpers]);
        const cpu0 = await totalCpuMs(own);
        const helper0 = await totalCpuMs(helpers);
        if (phase === 'json') a.json.push(...(await serial(call.json, n, 0)));
        else if (phase === 'sse') a.sse.push(...(await serial(call.sse, n, 0)));
        else {
          const run = await concurrent(call.json, n, concurrency);
          a.concurrentRequests += n;
          a.concurrentMs += (n / run.rps) * 1000;
        }
        await quiet([...own, ...helpers]);
        const cpu1 = await totalCpuMs(own);
        const helper1 = await totalCpuMs(helpers);
        const slot = a.cpu[phase];
        if (cpu0 === undefined || cpu1 === undefined || helper0 === undefined || helper1 === undefined)
          slot.known = false;
        else {
          slot.ms += cpu1 - cpu0;
          slot.helperMs += helper1 - helper0;
        }
        slot.requests += n;
        options.afterBlock();
      }
    }
    options.progress?.(`  round ${round + 1}/${rounds} done`);
  }

  const figures: TargetFigures[] = [];
  for (const t of targets) {
    const a = acc.get(t.id)!;
    const perRequest = (phase: Phase, helper = false) => {
      const slot = a.cpu[phase];
      if (!t.pid || !slot.known || slot.requests === 0) return undefined;
      if (helper && !t.helperPids?.length) return undefined;
      return (helper ? slot.helperMs : slot.ms) / slot.requests;
    };
    figures.push({
      id: t.id,
      label: t.label,
      json: summarize(a.json.map((x) => x.totalMs)),
      ttft: summarize(a.sse.map((x) => x.ttftMs ?? Number.NaN)),
      sseTotal: summarize(a.sse.map((x) => x.totalMs)),
      rps: (a.concurrentRequests / a.concurrentMs) * 1000,
      cpuJson: perRequest('json'),
      cpuSse: perRequest('sse'),
      cpuConcurrent: perRequest('concurrent'),
      helperCpuJson: perRequest('json', true),
      helperCpuConcurrent: perRequest('concurrent', true),
      memory: await t.memory?.(),
    });
  }
  return {
    options: {
      serialN: options.serialN,
      concurrentN: options.concurrentN,
      concurrency,
      warmup: options.warmup,
      rounds,
    },
    targets: figures,
  };
}

const cpu = (value: number | undefined) => (value === undefined ? '-' : ms(value));

/** The headline table and the ratios table (rows for stats.table or markdownTable). */
export function compareReport(figures: CompareFigures): { rows: string[][]; ratios: string[][] } {
  const c = figures.options.concurrency;
  const direct = figures.targets.find((t) => t.id === 'direct');
  const added = (t: TargetFigures) => ({
    p50: direct ? t.json.p50 - direct.json.p50 : Number.NaN,
    p99: direct ? t.json.p99 - direct.json.p99 : Number.NaN,
    ttft: direct ? t.ttft.p50 - direct.ttft.p50 : Number.NaN,
  });
  const rows: string[][] = [
    [
      'target',
      'c=1 p50 ms',
      'p99',
      'added p50',
      'added p99',
      'TTFT p50',
      'added TTFT',
      `req/s c=${c}`,
      'CPU ms/req c=1',
      `c=${c}`,
      'RSS after',
    ],
  ];
  for (const t of figures.targets) {
    const a = added(t);
    const isDirect = t.id === 'direct';
    rows.push([
      t.label,
      ms(t.json.p50),
      ms(t.json.p99),
      isDirect ? '' : ms(a.p50),
      isDirect ? '' : ms(a.p99),
      ms(t.ttft.p50),
      isDirect ? '' : ms(a.ttft),
      t.rps.toFixed(0),
      cpu(t.cpuJson),
      cpu(t.cpuConcurrent),
      t.memory ? mib(t.memory.rss) : '',
    ]);
    if (t.helperCpuJson !== undefined || t.helperCpuConcurrent !== undefined) {
      rows.push([
        '  + its dynalite (local DynamoDB)',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        cpu(t.helperCpuJson),
        cpu(t.helperCpuConcurrent),
        '',
      ]);
    }
  }

  const ours = figures.targets.find((t) => t.id === 'ours');
  const others = (['bare', 'portkey'] as const).map((id) => figures.targets.find((t) => t.id === id));
  const ratios: string[][] = [['this gateway ÷', 'bare', 'Portkey', "the issue's target"]];
  if (ours) {
    const row = (label: string, pick: (t: TargetFigures) => number | undefined, target: string) => [
      label,
      ...others.map((other) => {
        const mine = pick(ours);
        const theirs = other ? pick(other) : undefined;
        return mine === undefined || theirs === undefined ? '-' : ratio(mine, theirs);
      }),
      target,
    ];
    ratios.push(
      row('added p50, c=1', (t) => added(t).p50, '≤ 2× bare'),
      row('added p99, c=1', (t) => added(t).p99, ''),
      row('added TTFT p50', (t) => added(t).ttft, '≤ 1.5× bare'),
      row(`req/s, c=${c}`, (t) => t.rps, '≥ 0.3× bare and ≥ 3× Portkey'),
      row(`CPU ms/req, c=${c}`, (t) => t.cpuConcurrent, ''),
      row('CPU ms/req, c=1', (t) => t.cpuJson, ''),
    );
  }
  return { rows, ratios };
}
