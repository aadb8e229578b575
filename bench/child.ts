/**
 * The gateway as `npm start` runs it (local/server.ts in its own node process), so its latency is not shared with
 * the client's and simulator's event loop, and its memory can be read from /proc/<pid>/status.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concurrent, fetchComplete, fetchStream, serial, type Target } from './clients.js';
import { adminClient, provision } from './setup.js';
import { mib, ms, summarize, table } from './stats.js';

export interface ChildGateway {
  url: string;
  pid: number;
  key: string;
  /** VmRSS and VmHWM (peak RSS) in bytes, or undefined where /proc is missing. */
  memory(): Promise<{ rss: number; peak: number } | undefined>;
  close(): Promise<void>;
}

export async function startChildGateway(simUrl: string, projectRoot: string): Promise<ChildGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-bench-child-'));
  const adminToken = `bench-admin-${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', GATEWAY_DATA_DIR: dataDir, GATEWAY_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the child gateway did not start: ${stderr}`)), 30_000);
    child.stdout?.on('data', (data: Buffer) => {
      stdout += data.toString();
      const found = /on (http:\/\/[\d.]+:\d+)/.exec(stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the child gateway exited (${code}): ${stderr}`));
    });
  });
  const key = await provision(adminClient(url, adminToken), simUrl);
  const pid = child.pid!;
  return {
    url,
    pid,
    key,
    async memory() {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
        return { rss: kib('VmRSS'), peak: kib('VmHWM') };
      } catch {
        return undefined;
      }
    },
    async close() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ChildSectionOptions {
  simUrl: string;
  direct: Target;
  n: number;
  warmup: number;
  projectRoot: string;
  /** Drops the simulator's request log. */
  forget(): void;
}

/** Latency, throughput and RSS of the gateway in its own process; prints its table. */
export async function childSection({
  simUrl,
  direct,
  n,
  warmup,
  projectRoot,
  forget,
}: ChildSectionOptions): Promise<void> {
  const child = await startChildGateway(simUrl, projectRoot);
  try {
    const target: Target = {
      name: 'child',
      baseURL: `${child.url}/v1`,
      apiKey: child.key,
      model: 'openai/gpt-4o-mini',
    };
    const idle = await child.memory();
    const json = summarize((await serial(fetchComplete(target), n, warmup)).map((t) => t.totalMs));
    const direct1 = summarize((await serial(fetchComplete(direct), n, warmup)).map((t) => t.totalMs));
    const sse = await serial(fetchStream(target), n, warmup);
    const tp = await concurrent(fetchComplete(target), n, 32);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const loaded = await child.memory();
    forget();
    console.log(`\nGateway in its own process (node --import tsx local/server.ts, pid ${child.pid})`);
    console.log(
      table([
        ['child gateway', 'p50', 'p90', 'p99'],
        ['JSON fetch, direct', ms(direct1.p50), ms(direct1.p90), ms(direct1.p99)],
        ['JSON fetch, via gateway', ms(json.p50), ms(json.p90), ms(json.p99)],
        ['  added', ms(json.p50 - direct1.p50), ms(json.p90 - direct1.p90), ms(json.p99 - direct1.p99)],
        [
          'SSE fetch TTFT',
          ...['p50', 'p90', 'p99'].map((p) => ms(summarize(sse.map((t) => t.ttftMs ?? Number.NaN))[p as 'p50'])),
        ],
        ['SSE fetch total', ...['p50', 'p90', 'p99'].map((p) => ms(summarize(sse.map((t) => t.totalMs))[p as 'p50']))],
      ]),
    );
    console.log(`JSON fetch at concurrency 32: ${tp.rps.toFixed(0)} req/s`);
    if (idle && loaded) {
      console.log(
        `child RSS: ${mib(idle.rss)} idle after start, ${mib(loaded.rss)} after ${4 * n + 3 * warmup} requests, peak ${mib(loaded.peak)}`,
      );
    } else console.log('child RSS: /proc not available on this system');
  } finally {
    await child.close();
  }
}
