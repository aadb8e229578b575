/**
 * "Like Lambda": the chat handler as one warm Lambda instance (bench/lambda-child.ts, its own process), DynamoDB as
 * dynalite behind bench/delay-proxy.ts (every call +5 ms), the provider the OpenAI simulator of this process. On
 * Lambda the instance is billed, and cannot take the next request, until the handler returns; the gateway writes
 * its accounting after the response has ended, so the time from the response's end to the handler's return is the
 * billed tail. Reported per key kind (no limits, `rpm`, `budget_usd`), with the DynamoDB calls each request made
 * before its response ended, in its tail, and after the handler returned (frozen on Lambda), and one DynamoDB round
 * trip through the same proxy for comparison.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo } from '../lib/storage/local-dynamo.js';
import { type DynamoCall, startDelayProxy } from './delay-proxy.js';
import type { LambdaChildResult, LambdaInvocation } from './lambda-child.js';
import { baseEnv, runNode } from './spawn.js';
import { ms, ratio, type Summary, summarize } from './stats.js';

export interface LambdaOptions {
  projectRoot: string;
  simUrl: string;
  /** Invocations per key kind (timed), after `warmup` each. */
  n: number;
  warmup: number;
  delayMs: number;
  rttN: number;
}

export interface LambdaKeyFigures {
  key: string;
  /** Invocation to the response's end. */
  toEnd: Summary;
  /** The response's end to the handler's return. */
  tail: Summary;
  /** Invocation to the handler's return: the billed duration. */
  billed: Summary;
  cpu: Summary;
  /** Mean DynamoDB calls per request: arrived before the response ended, after it, after the handler returned. */
  callsBefore: number;
  callsTail: number;
  callsAfter: number;
  /** Operations in the tail, summed over the timed requests. */
  tailOps: Record<string, number>;
}

export interface LambdaFigures {
  delayMs: number;
  rtt: Summary;
  keys: LambdaKeyFigures[];
}

function attribute(runs: LambdaInvocation[], calls: DynamoCall[]) {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  const ordered = [...runs].sort((a, b) => a.start - b.start);
  const perRun = new Map<LambdaInvocation, { before: number; tail: number; after: number; tailOps: string[] }>();
  let c = 0;
  for (let i = 0; i < ordered.length; i++) {
    const run = ordered[i]!;
    const next = ordered[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    const counts = { before: 0, tail: 0, after: 0, tailOps: [] as string[] };
    while (c < sorted.length && sorted[c]!.at < run.start) c++;
    for (; c < sorted.length && sorted[c]!.at < next; c++) {
      const call = sorted[c]!;
      if (call.at < run.end) counts.before++;
      else if (call.at <= run.settled) {
        counts.tail++;
        counts.tailOps.push(call.op);
      } else counts.after++;
    }
    perRun.set(run, counts);
  }
  return perRun;
}

export async function likeLambda(options: LambdaOptions): Promise<LambdaFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-bench-lambda-'));
  const dynamo = await startLocalDynamo(dataDir, { mode: 'child' });
  const proxy = await startDelayProxy(dynamo.endpoint, options.delayMs);
  try {
    const stdout = await runNode({
      name: 'the Lambda worker (bench/lambda-child.ts)',
      args: ['--import', 'tsx', 'bench/lambda-child.ts'],
      cwd: options.projectRoot,
      env: {
        ...baseEnv,
        DYNAMODB_ENDPOINT: proxy.url,
        GATEWAY_CREDENTIAL_STORE: 'local',
        GATEWAY_DATA_DIR: dataDir,
        GATEWAY_ADMIN_TOKEN: `bench-admin-${Math.random().toString(36).slice(2)}`,
        BENCH_SIM_URL: options.simUrl,
        BENCH_N: String(options.n),
        BENCH_WARMUP: String(options.warmup),
        BENCH_RTT_N: String(options.rttN),
      },
    });
    const line = /^BENCH-RESULT (.+)$/m.exec(stdout)?.[1];
    if (!line) throw new Error(`the Lambda worker printed no result: ${stdout.slice(-2000)}`);
    const result = JSON.parse(line) as LambdaChildResult;
    const perRun = attribute(result.runs, proxy.calls);
    const keys = result.keys.map((key): LambdaKeyFigures => {
      const runs = result.runs.filter((run) => run.key === key);
      const counts = runs.map((run) => perRun.get(run)!);
      const mean = (pick: (c: (typeof counts)[number]) => number) =>
        counts.reduce((sum, c) => sum + pick(c), 0) / (counts.length || 1);
      const tailOps: Record<string, number> = {};
      for (const c of counts) for (const op of c.tailOps) tailOps[op] = (tailOps[op] ?? 0) + 1;
      return {
        key,
        toEnd: summarize(runs.map((run) => run.end - run.start)),
        tail: summarize(runs.map((run) => run.settled - run.end)),
        billed: summarize(runs.map((run) => run.settled - run.start)),
        cpu: summarize(runs.map((run) => run.cpuMs)),
        callsBefore: mean((c) => c.before),
        callsTail: mean((c) => c.tail),
        callsAfter: mean((c) => c.after),
        tailOps,
      };
    });
    return { delayMs: options.delayMs, rtt: summarize(result.rttMs), keys };
  } finally {
    await proxy.close();
    await dynamo.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The like-Lambda table (rows for stats.table or markdownTable) and the lines under it. */
export function lambdaReport(figures: LambdaFigures): { rows: string[][]; notes: string[] } {
  const rows = [
    [
      `key (DynamoDB +${figures.delayMs} ms/call)`,
      'to response end p50',
      'billed tail p50',
      'tail p99',
      'billed duration p50',
      'p99',
      'DynamoDB calls before end',
      'in tail',
      'after return',
      'CPU ms/req p50',
    ],
    ...figures.keys.map((k) => [
      k.key,
      ms(k.toEnd.p50),
      ms(k.tail.p50),
      ms(k.tail.p99),
      ms(k.billed.p50),
      ms(k.billed.p99),
      k.callsBefore.toFixed(1),
      k.callsTail.toFixed(1),
      k.callsAfter.toFixed(1),
      ms(k.cpu.p50),
    ]),
  ];
  const plain = figures.keys[0];
  const notes = [
    `one DynamoDB round trip through the proxy (GetItem, the handler's client): p50 ${ms(figures.rtt.p50)} ms, p99 ${ms(figures.rtt.p99)} ms`,
    plain
      ? `billed tail p50 of a key without limits = ${ratio(plain.tail.p50, figures.rtt.p50)} that round trip (issue's target: ≤ 1×)`
      : '',
    ...figures.keys.map(
      (k) =>
        `tail calls, key ${k.key}: ${
          Object.entries(k.tailOps)
            .map(([op, count]) => `${op} ×${count}`)
            .join(', ') || 'none'
        }`,
    ),
  ].filter(Boolean);
  return { rows, notes };
}
