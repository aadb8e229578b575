/**
 * Another process's CPU time and memory, read from /proc (Linux), so the bench can charge each target's own work to
 * it: the bare proxy, Portkey and the gateway each run in a process of their own. Elsewhere the figures are absent.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of every thread of `pid` so far, in ms: the sum of the threads' `schedstat` run time
 * (nanoseconds), or `stat`'s utime + stime (10 ms ticks) where schedstat is missing. Undefined without /proc.
 */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const threads = await readdir(`/proc/${pid}/task`);
    let ns = 0;
    for (const tid of threads) {
      const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '');
      ns += Number(text.split(' ')[0]) || 0;
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // no /proc/<pid>/task: fall through
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** CPU ms of several processes together (undefined if any cannot be read). */
export async function totalCpuMs(pids: readonly number[]): Promise<number | undefined> {
  let sum = 0;
  for (const pid of pids) {
    const cpu = await processCpuMs(pid);
    if (cpu === undefined) return undefined;
    sum += cpu;
  }
  return sum;
}

/** The direct children of `pid` (from each process's parent pid in /proc/<pid>/stat); [] without /proc. */
export async function childPids(pid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) found.push(Number(entry));
  }
  return found;
}

/** VmRSS and VmHWM (peak RSS) in bytes, or undefined where /proc is missing. */
export async function processMemory(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  } catch {
    return undefined;
  }
}
