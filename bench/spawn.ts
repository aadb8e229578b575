/**
 * Each proxied target (the bare pass-through, Portkey, this gateway) runs in a process of its own, started here:
 * the bench waits for the line that gives its URL, and stops it (SIGTERM, then SIGKILL) at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The environment as the bench started: what every child process starts from. */
export const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GATEWAY_LOG_LEVEL: process.env.GATEWAY_LOG_LEVEL ?? 'warn',
};

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** The last few KiB of its stderr, for error messages. */
  stderr(): string;
  close(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Matched against stdout; the first group is the URL (or a port, then the URL is http://127.0.0.1:<port>). */
  ready: RegExp;
  timeoutMs?: number;
}

/**
 * `BENCH_CPU_PROF_DIR=/tmp/prof npm run bench`: every proxy process writes a V8 CPU profile there when it stops
 * (open it in Chrome's DevTools or speedscope); that is how the figures in docs/benchmarks.md were explained.
 */
function profiled(name: string, args: string[]): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (!dir) return args;
  // One folder per process: each of its threads (tsx's loader is one) writes a profile of its own.
  return ['--cpu-prof', '--cpu-prof-dir', join(dir, name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()), ...args];
}

/** `node <args>` with stdout/stderr piped; resolves once `ready` matched. */
export async function spawnServer({ name, args, cwd, env, ready, timeoutMs = 30_000 }: SpawnOptions) {
  const child = spawn(process.execPath, profiled(name, args), {
    cwd,
    env: env ?? baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      stdout = (stdout + data.toString()).slice(-8000);
      const found = ready.exec(stdout);
      if (!found?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining whatever it prints later
      resolve(/^\d+$/.test(found[1]) ? `http://127.0.0.1:${found[1]}` : found[1]);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
    child.once('error', reject);
  });
  return {
    url,
    pid: child.pid!,
    child,
    stderr: () => stderr,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  } satisfies ServerProcess;
}

/** `node <args>` run to its end; resolves with its stdout, rejects with its stderr when it fails. */
export function runNode({ name, args, cwd, env, timeoutMs = 600_000 }: Omit<SpawnOptions, 'ready'>): Promise<string> {
  const child = spawn(process.execPath, args, { cwd, env: env ?? baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => {
    stdout += data.toString();
  });
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${name} failed (${code ?? signal}): ${stderr}`));
    });
  });
}
