/**
 * Accounting runs after a response has ended, so a client that reads the requests listing or sends its next request
 * right after an answer could race it. This process-wide register closes that window where it can be closed: in one
 * process (the local server, a warm Lambda instance) the usage reads and the budget check wait for the accountings
 * of responses that have already ended — a few milliseconds — never for requests still being answered.
 * Process state on purpose: it coordinates requests, it belongs to none of them.
 */
import { withTimeout } from '../core/clock.js';

const pending = new Set<Promise<void>>();

/** Marks the start of one request's accounting; call the returned function once it is written (or given up). */
export function beginAccounting(): () => void {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  pending.add(done);
  return () => {
    pending.delete(done);
    finish();
  };
}

/** Resolves once every accounting begun before this call has finished, or after `maxWaitMs` at the latest. */
export async function accountingSettled(maxWaitMs = 5_000): Promise<void> {
  if (pending.size === 0) return;
  await withTimeout(Promise.all([...pending]), maxWaitMs);
}
