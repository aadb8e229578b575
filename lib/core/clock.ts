/**
 * Time as a dependency: code that waits (keep-alives, timeouts) takes a Clock, so its tests drive time by hand
 * instead of sleeping on the real one.
 */
export interface Clock {
  now(): number;
  /** Calls `run` once after `ms`; the returned function cancels it (idempotent). */
  after(ms: number, run: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  after(ms, run) {
    const timer = setTimeout(run, ms);
    // A pending keep-alive or timeout must never keep a process alive on its own.
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};
