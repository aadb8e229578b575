/**
 * The gateway's accounting (usage row and counters) runs after the response ended, in the same process. Back to back,
 * one request's writes compete with the next request for the event loop; on Lambda they cannot (one request per
 * instance at a time, and the instance takes the next one only once the handler returned). These helpers measure
 * both sides: the latency a client sees when every accounting has finished first, and the accounting's own tail
 * (wall time and CPU after the response ended).
 */
import { accountingSettled } from '../lib/usage/settled.js';
import type { Call, Timing } from './clients.js';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Waits for every accounting begun so far (in this process); returns how long that took, in ms. */
export async function drainAccounting(): Promise<number> {
  const started = performance.now();
  await accountingSettled(120_000);
  return performance.now() - started;
}

export interface SettledRun {
  timings: Timing[];
  /** Wall time from the response's end until its accounting was written. */
  tailMs: number[];
  /** CPU of this process spent in that tail (the accounting's writes, and dynalite answering them locally). */
  tailCpuMs: number[];
}

/** Sequential calls, each followed by its accounting before the next starts: the latency a Lambda client sees. */
export async function settledSerial(call: Call, n: number, warmup: number): Promise<SettledRun> {
  const run: SettledRun = { timings: [], tailMs: [], tailCpuMs: [] };
  for (let i = 0; i < warmup + n; i++) {
    await drainAccounting();
    const timing = await call();
    const cpu = cpuMs();
    const tail = await drainAccounting();
    if (i < warmup) continue;
    run.timings.push(timing);
    run.tailMs.push(tail);
    run.tailCpuMs.push(cpuMs() - cpu);
  }
  return run;
}
