/**
 * DynamoDB for local mode and tests: dynalite (DynamoDB's wire protocol on LevelDB), in this process or a child, on a loopback
 * port, with its data under `<dataDir>/dynamodb` so it survives restarts. Tables change state instantly.
 * dynalite has no transactions and no TTL: the stores use neither.
 * @see https://github.com/architect/dynalite
 */

import { fork } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';
import { type Clock, systemClock } from '../core/clock.js';
import { listenOnLoopback } from '../core/loopback.js';

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: give it to the DynamoDB client as `endpoint`. */
  endpoint: string;
  /** The child process's pid (child mode), for tests that take storage away. */
  pid?: () => number | undefined;
  close(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** Listening port; 0 (the default) picks a free one. Inline mode only. */
  port?: number;
  /**
   * `child` runs dynalite in a child process, so its LevelDB work runs beside the gateway's event loop rather than
   * on it (measured: 1.24 → 0.73 ms of the gateway's CPU per write, +35% writes/s); the local server uses it.
   * `inline` (the default) keeps it in this process, which starts faster for tests.
   */
  mode?: 'inline' | 'child';
  /** Child mode: how long after the child died it is started again (default 500 ms). */
  restartDelayMs?: number;
  /** Child mode: what the restart delay counts on (tests bring storage back by moving a clock). */
  clock?: Clock;
}

export async function startLocalDynamo(dataDir: string, options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const path = join(dataDir, 'dynamodb');
  await mkdir(path, { recursive: true, mode: 0o700 });
  // LevelDB reports an unwritable directory only on the first request; say so now, where the caller can act.
  await access(path, constants.R_OK | constants.W_OK);
  if (options.mode === 'child')
    return startChildDynamo(path, options.restartDelayMs ?? RESTART_DELAY_MS, options.clock ?? systemClock);
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listening = await listenOnLoopback(server, options.port);
  return { endpoint: listening.url, close: listening.close };
}

/**
 * dynalite in a child process (lib/storage/dynalite-process.mjs), which exits with this one. A child that dies
 * (killed, crashed) is started again on the same port, so the gateway's clients find storage back where it was;
 * meanwhile rows go to the spool (CONTRACT.md §4).
 */
async function startChildDynamo(path: string, restartDelayMs: number, clock: Clock): Promise<LocalDynamo> {
  const script = fileURLToPath(new URL('./dynalite-process.mjs', import.meta.url));
  let closing: Promise<void> | undefined;
  const spawn = (port: number) => {
    const child = fork(script, [path, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    const listening = new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port?: number; error?: string }) => {
        if (message.port) resolve(message.port);
        else reject(new Error(message.error ?? 'dynalite did not start'));
      });
      child.once('exit', (code) => reject(new Error(`dynalite exited with code ${code}`)));
      child.once('error', reject);
    });
    return { child, listening };
  };
  let current = spawn(0);
  const port = await current.listening;
  const supervise = () => {
    current.child.once('exit', () => {
      if (closing) return;
      const restart = () => {
        if (closing) return;
        current = spawn(port);
        current.listening.then(supervise, () => clock.after(restartDelayMs, restart));
      };
      clock.after(restartDelayMs, restart);
    });
  };
  supervise();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: () => current.child.pid,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const { child } = current;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('close');
      });
      return closing;
    },
  };
}

const RESTART_DELAY_MS = 500;
