/**
 * A key's request-rate limit (CONTRACT.md §2), checked right after authentication: `rpm`, requests per minute (429
 * `rate_limit_exceeded` with `retry-after`). Budgets are held per model once the request is routed
 * (./budget.ts). A counter that storage cannot reach is not enforced for that request (CONTRACT.md §4): logged,
 * never a failed answer.
 */

import { GatewayError } from '../core/errors.js';
import type { KeyRecord } from '../storage/types.js';
import type { UsageStore } from '../usage/store.js';
import { log } from './log.js';

export async function enforceRateLimit(key: KeyRecord, usage: UsageStore, at: Date): Promise<void> {
  if (key.rpm === null) return;
  let count: number;
  try {
    count = await usage.countRequestThisMinute(key.id, at);
  } catch (error) {
    log.warn('rpm limit not enforced: its counter is unreachable', { keyId: key.id, error });
    return;
  }
  if (count > key.rpm) {
    const untilNextMinute = 60_000 - (at.getTime() % 60_000);
    throw new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: `This key is limited to ${key.rpm} requests per minute.`,
      retryAfterMs: untilNextMinute,
    });
  }
}
