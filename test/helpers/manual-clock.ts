/**
 * A Clock moved by hand (lib/core/clock.ts): timeouts, backoff and keep-alives fire when a test advances it, never
 * on their own, so a test of a 1.5 s timeout takes no 1.5 s.
 */
import type { Clock } from '../../lib/core/clock.js';

interface Timer {
  at: number;
  ms: number;
  run: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private time = 0;
  private timers: Timer[] = [];

  /**
   * @param wallStart the epoch milliseconds `wallNow` starts from and stays at until advanced; without it, the wall
   * clock runs as the real one, ahead by what the test advanced.
   */
  constructor(private readonly wallStart?: number) {}

  wallNow(): number {
    return (this.wallStart ?? Date.now()) + this.time;
  }

  after(ms: number, run: () => void): () => void {
    const timer: Timer = { at: this.time + ms, ms, run, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves time on by `ms`, running what falls due in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.pending()
        .filter((timer) => timer.at <= until)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = due.at;
      due.run();
    }
    this.time = until;
    this.timers = this.pending();
  }

  /**
   * Resolves once a timer of `ms` is waiting (the code under test got as far as starting it), polling the real
   * event loop in 2 ms steps.
   */
  async waitForTimer(ms: number, giveUpAfterMs = 10_000): Promise<void> {
    const deadline = Date.now() + giveUpAfterMs;
    while (!this.pending().some((timer) => timer.ms === ms)) {
      if (Date.now() > deadline) throw new Error(`no timer of ${ms} ms was started`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private pending(): Timer[] {
    return this.timers.filter((timer) => !timer.cancelled);
  }
}
