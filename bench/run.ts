/**
 * `npm run bench`: the gateway's overhead against a direct call to the OpenAI simulator, on loopback, offline.
 * First in this process: latency (non-streaming p50/p90/p99), streaming time to first token and total, throughput
 * at several concurrencies, CPU per request, memory. Then the headline (bench/compare.ts): direct, a bare node
 * pass-through, Portkey and this gateway (`npm start`), each proxy in its own process, interleaved; and "like Lambda"
 * (bench/lambda.ts): the chat handler with every DynamoDB call 5 ms slower, and its billed tail. Last, the bundle's
 * size. Prints figures and ratios; asserts nothing. docs/benchmarks.md says how each figure is measured.
 *
 *   npm run bench -- --n 300 --warmup 30 --chunks 20                     # the in-process sections
 *     --compare-n 300 --concurrent-n 1200 --concurrency 64 --rounds 3    # the comparison
 *     --lambda-n 100 --lambda-delay 5                                    # like Lambda
 *     [--no-inprocess] [--no-compare] [--no-portkey] [--no-lambda] [--no-child] [--write-docs]
 */
import '../local/quiet-warnings.js';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Simulator } from '../simulators/base.js';
import { drainAccounting, settledSerial } from './accounting.js';
import { chatBundle } from './bundle.js';
import { startChildGateway } from './child.js';
import {
  type Call,
  concurrent,
  fetchComplete,
  fetchStream,
  sdkClient,
  sdkComplete,
  sdkStream,
  serial,
  type Target,
} from './clients.js';
import { type CompareFigures, type CompareTarget, compareReport, compareTargets } from './compare.js';
import { writeLatest } from './docs.js';
import { type LambdaFigures, lambdaReport, likeLambda } from './lambda.js';
import { portkeyTarget, startPortkey } from './portkey.js';
import { forgetRequests, startGateway, startSimulator } from './setup.js';
import { spawnServer } from './spawn.js';
import { markdownTable, mib, ms, ratio, summarize, table } from './stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    chunks: { type: 'string', default: '20' },
    'compare-n': { type: 'string', default: '300' },
    'concurrent-n': { type: 'string', default: '1200' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    'lambda-n': { type: 'string', default: '100' },
    'lambda-delay': { type: 'string', default: '5' },
    'no-inprocess': { type: 'boolean', default: false },
    'no-compare': { type: 'boolean', default: false },
    'no-portkey': { type: 'boolean', default: false },
    'no-lambda': { type: 'boolean', default: false },
    /** No child processes at all: neither the comparison nor like Lambda. */
    'no-child': { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
  },
});
const N = Number(args.n);
const WARMUP = Number(args.warmup);
const CHUNKS = Number(args.chunks);
const COMMAND = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const CONCURRENCY = [1, 8, 32] as const;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();

interface Pair {
  label: string;
  direct: Call;
  gateway: Call;
}

async function main(): Promise<void> {
  process.env.GATEWAY_LOG_LEVEL ??= 'warn';
  console.log(
    `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} RAM, ` +
      `${process.platform}/${process.arch}`,
  );
  console.log(`${N} timed requests per row after ${WARMUP} warm-up, ${CHUNKS} content chunks per stream\n`);

  const sim = await startSimulator({ chunks: CHUNKS });
  const direct: Target = {
    name: 'direct',
    baseURL: `${sim.url}/v1`,
    apiKey: 'sk-bench-0000000000',
    model: 'gpt-4o-mini',
  };
  if (!args['no-inprocess']) await inProcessSections(sim, direct);

  // 4. Side by side, each proxy in its own process; then like Lambda.
  let compared: CompareFigures | undefined;
  let lambda: LambdaFigures | undefined;
  if (!args['no-child'] && !args['no-compare'])
    compared = await compareSection(sim.url, direct, () => forgetRequests(sim));
  if (!args['no-child'] && !args['no-lambda']) {
    lambda = await likeLambda({
      projectRoot: ROOT,
      simUrl: sim.url,
      n: Number(args['lambda-n']),
      warmup: WARMUP,
      delayMs: Number(args['lambda-delay']),
      rttN: 200,
    });
    const report = lambdaReport(lambda);
    console.log(`\nLike Lambda: the chat handler as one warm instance, DynamoDB +${lambda.delayMs} ms per call (ms)`);
    console.log(table(report.rows));
    for (const note of report.notes) console.log(`  ${note}`);
  }
  await sim.close();
  if (args['write-docs'] && (compared || lambda)) {
    await writeLatest(join(ROOT, 'docs', 'benchmarks.md'), latestMarkdown(compared, lambda));
    console.log('\ndocs/benchmarks.md: the latest tables written');
  }

  // 5. Bundle.
  const bundle = await chatBundle(ROOT);
  console.log(
    bundle
      ? `\nchat bundle: entry index.mjs ${(bundle.entryBytes / 1024).toFixed(1)} KiB, ${bundle.files} .mjs files ${(bundle.codeBytes / 1024).toFixed(1)} KiB in all (from the last \`npm run bundle\`; it also measures cold import)`
      : '\nchat bundle: dist/functions/chat not found; run `npm run bundle` for bundle sizes and cold-import times',
  );
}

/** Sections 1–3: the gateway in this process, beside the client and the simulator. */
async function inProcessSections(sim: Simulator, direct: Target): Promise<void> {
  gc();
  const memBefore = process.memoryUsage();
  const gw = await startGateway(sim.url);
  const viaOpenAI: Target = {
    name: 'gateway',
    baseURL: `${gw.gateway.url}/v1`,
    apiKey: gw.key,
    model: 'openai/gpt-4o-mini',
  };
  const viaCustom: Target = { ...viaOpenAI, name: 'gateway (custom)', model: 'sim/bench-model' };
  const directSdk = sdkClient(direct);
  const gatewaySdk = sdkClient(viaOpenAI);
  gc();
  const memStarted = process.memoryUsage();

  // 1. Latency, one request at a time.
  const pairs: Pair[] = [
    { label: 'JSON, openai SDK', direct: sdkComplete(directSdk, direct), gateway: sdkComplete(gatewaySdk, viaOpenAI) },
    { label: 'JSON, fetch', direct: fetchComplete(direct), gateway: fetchComplete(viaOpenAI) },
    { label: 'JSON, fetch, custom provider', direct: fetchComplete(direct), gateway: fetchComplete(viaCustom) },
    { label: 'SSE, openai SDK', direct: sdkStream(directSdk, direct), gateway: sdkStream(gatewaySdk, viaOpenAI) },
    { label: 'SSE, fetch', direct: fetchStream(direct), gateway: fetchStream(viaOpenAI) },
  ];
  const latencyRows: string[][] = [
    [
      'request (sequential)',
      'metric',
      'direct p50',
      'p90',
      'p99',
      'gateway p50',
      'p90',
      'p99',
      '+p50 ms',
      '+p99 ms',
      'x p50',
      'CPU/req direct',
      'gateway',
    ],
  ];
  for (const pair of pairs) {
    const cpu0 = cpuMs();
    const d = await serial(pair.direct, N, WARMUP);
    const cpu1 = cpuMs();
    forgetRequests(sim);
    const g = await serial(pair.gateway, N, WARMUP);
    await drainAccounting(); // the accounting writes finish after the response: count their CPU too
    const cpu2 = cpuMs();
    forgetRequests(sim);
    const perReq = (cpu: number) => `${ms(cpu / (N + WARMUP))} ms`;
    const metrics: [string, (t: (typeof d)[number]) => number | undefined][] = [['total', (t) => t.totalMs]];
    if (d[0]?.ttftMs !== undefined) metrics.unshift(['TTFT', (t) => t.ttftMs]);
    for (const [metric, pick] of metrics) {
      const ds = summarize(d.map((t) => pick(t) ?? Number.NaN));
      const gs = summarize(g.map((t) => pick(t) ?? Number.NaN));
      latencyRows.push([
        metric === metrics[0]![0] ? pair.label : '',
        metric,
        ms(ds.p50),
        ms(ds.p90),
        ms(ds.p99),
        ms(gs.p50),
        ms(gs.p90),
        ms(gs.p99),
        ms(gs.p50 - ds.p50),
        ms(gs.p99 - ds.p99),
        ratio(gs.p50, ds.p50),
        metric === 'total' ? perReq(cpu1 - cpu0) : '',
        metric === 'total' ? perReq(cpu2 - cpu1) : '',
      ]);
    }
  }
  console.log('Latency, one request at a time (ms; CPU is this whole process: client + simulator [+ gateway])');
  console.log(table(latencyRows));

  // 1b. As on Lambda: each request's accounting written before the next request.
  const settledRows: string[][] = [
    [
      'accounting drained between requests',
      'direct p50',
      'gateway p50',
      'p90',
      'p99',
      '+p50 ms',
      'x p50',
      'tail p50 ms',
      'p99',
      'tail CPU ms',
    ],
  ];
  for (const pair of [pairs[1]!, pairs[2]!, pairs[4]!]) {
    const d = summarize((await serial(pair.direct, N, WARMUP)).map((t) => t.totalMs));
    const run = await settledSerial(pair.gateway, N, WARMUP);
    forgetRequests(sim);
    const g = summarize(run.timings.map((t) => t.totalMs));
    const tail = summarize(run.tailMs);
    settledRows.push([
      pair.label,
      ms(d.p50),
      ms(g.p50),
      ms(g.p90),
      ms(g.p99),
      ms(g.p50 - d.p50),
      ratio(g.p50, d.p50),
      ms(tail.p50),
      ms(tail.p99),
      ms(summarize(run.tailCpuMs).p50),
    ]);
  }
  console.log('\nLike Lambda: one request at a time, its accounting written before the next (ms, SSE: total time)');
  console.log(table(settledRows));

  // 2. Throughput.
  const tpRows: string[][] = [
    [
      'throughput (req/s)',
      'concurrency',
      'direct',
      'gateway',
      'gateway/direct',
      'gateway p50 ms',
      'p99 ms',
      'accounting backlog ms',
    ],
  ];
  const tpPairs: Pair[] = [
    { label: 'JSON, fetch', direct: fetchComplete(direct), gateway: fetchComplete(viaOpenAI) },
    { label: 'SSE, fetch', direct: fetchStream(direct), gateway: fetchStream(viaOpenAI) },
  ];
  for (const pair of tpPairs) {
    for (const c of CONCURRENCY) {
      await concurrent(pair.direct, WARMUP, c);
      const d = await concurrent(pair.direct, N, c);
      forgetRequests(sim);
      await concurrent(pair.gateway, WARMUP, c);
      const g = await concurrent(pair.gateway, N, c);
      const backlog = await drainAccounting();
      forgetRequests(sim);
      const gs = summarize(g.timings.map((t) => t.totalMs));
      tpRows.push([
        c === 1 ? pair.label : '',
        String(c),
        d.rps.toFixed(0),
        g.rps.toFixed(0),
        ratio(g.rps, d.rps),
        ms(gs.p50),
        ms(gs.p99),
        ms(backlog),
      ]);
    }
  }
  console.log('\nThroughput, all in this process (client, simulator and gateway share 1 event loop)');
  console.log(table(tpRows));

  // 3. Memory of this process (gateway in-process).
  await drainAccounting();
  gc();
  const memAfter = process.memoryUsage();
  const memRows = [
    ['memory (this process)', 'rss', 'heap used', 'heap total', 'external'],
    ...(
      [
        ['before start', memBefore],
        ['gateway + simulator started', memStarted],
        ['after all runs', memAfter],
      ] as const
    ).map(([label, m]) => [label, mib(m.rss), mib(m.heapUsed), mib(m.heapTotal), mib(m.external)]),
    [
      'delta, started - before',
      mib(memStarted.rss - memBefore.rss),
      mib(memStarted.heapUsed - memBefore.heapUsed),
      mib(memStarted.heapTotal - memBefore.heapTotal),
      mib(memStarted.external - memBefore.external),
    ],
    [
      'delta, after runs - started',
      mib(memAfter.rss - memStarted.rss),
      mib(memAfter.heapUsed - memStarted.heapUsed),
      mib(memAfter.heapTotal - memStarted.heapTotal),
      mib(memAfter.external - memStarted.external),
    ],
  ];
  console.log(`\n${globalThis.gc ? '' : '(run with NODE_OPTIONS=--expose-gc for heap figures after a GC)\n'}`);
  console.log(table(memRows));
  await gw.close();
}

/** Section 4: direct, the bare pass-through, Portkey and this gateway (`npm start`), interleaved (bench/compare.ts). */
async function compareSection(simUrl: string, direct: Target, forget: () => void): Promise<CompareFigures> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const bare = await spawnServer({
      name: 'the bare pass-through',
      args: ['--import', 'tsx', 'bench/bare-proxy.ts', simUrl],
      cwd: ROOT,
      ready: /bare proxy on (http:\/\/[\d.]+:\d+)/,
    });
    started.push(bare);
    const ours = await startChildGateway(simUrl, ROOT);
    started.push(ours);
    let portkey: Awaited<ReturnType<typeof startPortkey>> | undefined;
    if (!args['no-portkey']) {
      portkey = await startPortkey(ROOT).catch((error: unknown) => {
        console.log(`\nPortkey did not start (${error instanceof Error ? error.message : String(error)}); left out`);
        return undefined;
      });
      if (portkey) started.push(portkey);
    }
    const targets: CompareTarget[] = [
      { id: 'direct', label: 'direct (no proxy)', target: direct },
      {
        id: 'bare',
        label: 'bare node pass-through',
        target: { ...direct, name: 'bare', baseURL: `${bare.url}/v1` },
        pid: bare.pid,
      },
      ...(portkey
        ? [
            {
              id: 'portkey' as const,
              label: `Portkey ${portkey.version}`,
              target: portkeyTarget(portkey.url, simUrl, direct.apiKey, direct.model),
              pid: portkey.pid,
            },
          ]
        : []),
      {
        id: 'ours',
        label: 'this gateway (npm start)',
        target: { name: 'gateway', baseURL: `${ours.url}/v1`, apiKey: ours.key, model: 'openai/gpt-4o-mini' },
        pid: ours.pid,
        helperPids: await ours.helperPids(),
        memory: ours.memory,
      },
    ];
    const figures = await compareTargets(targets, {
      serialN: Number(args['compare-n']),
      concurrentN: Number(args['concurrent-n']),
      concurrency: Number(args.concurrency),
      warmup: WARMUP,
      rounds: Number(args.rounds),
      afterBlock: forget,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    const report = compareReport(figures);
    console.log(
      `\nSide by side, each proxy in its own process, ${figures.options.rounds} interleaved rounds ` +
        '(ms; CPU is the target process alone, from /proc)',
    );
    console.log(table(report.rows));
    console.log(table(report.ratios));
    return figures;
  } finally {
    for (const server of started.reverse()) await server.close().catch(() => {});
  }
}

/** The headline tables for docs/benchmarks.md, with the date, the machine and the command. */
function latestMarkdown(compared: CompareFigures | undefined, lambda: LambdaFigures | undefined): string {
  const lines = [
    `Latest run: ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} × ` +
      `${cpus()[0]?.model ?? 'cpu'}, ${process.platform} ${release()}; \`${COMMAND}\`.`,
  ];
  if (compared) {
    const report = compareReport(compared);
    lines.push('', markdownTable(report.rows), '', markdownTable(report.ratios));
  }
  if (lambda) {
    const report = lambdaReport(lambda);
    lines.push('', markdownTable(report.rows), '', ...report.notes.map((note) => `- ${note}`));
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
