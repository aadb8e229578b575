/**
 * Time as a dependency: code that waits (keep-alives, timeouts) takes a Clock, so its tests drive time by hand
 * instead of sleeping on the real one.
 */
export interface Clock {
  /** Milliseconds since the epoch, for what is dated: a request's time, its rate-limit minute, its budget month. */
  wallNow(): number;
  /** Calls `run` once after `ms`; the returned function cancels it (idempotent). */
  after(ms: number, run: () => void): () => void;
}

export const systemClock: Clock = {
  wallNow: () => Date.now(),
  after(ms, run) {
    const timer = setTimeout(run, ms);
    // A pending keep-alive or timeout must never keep a process alive on its own.
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `running`'s outcome, or `TIMED_OUT` when `ms` pass first (the timer is cleared either way). The caller decides
 * what a timeout means: abort the call, give up waiting, answer an error.
 */
export async function withTimeout<T>(
  running: Promise<T>,
  ms: number,
  clock: Clock = systemClock,
): Promise<T | typeof TIMED_OUT> {
  let cancel: (() => void) | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    cancel = clock.after(ms, () => resolve(TIMED_OUT));
  });
  try {
    return await Promise.race([running, timeout]);
  } finally {
    cancel?.();
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const cancel = clock.after(ms, done);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
