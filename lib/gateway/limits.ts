/**
 * A key's own limits (CONTRACT.md §2), checked right after authentication: `rpm`, requests per minute (429
 * `rate_limit_exceeded` with `retry-after`), and `budget_usd`, spend per UTC calendar month (403 `budget_exceeded`
 * once the month's spend has reached it).
 */
import type { KeyRecord } from '../storage/types.js';
import { accountingSettled } from '../usage/settled.js';
import type { UsageStore } from '../usage/store.js';
import { GatewayError } from './errors.js';

export async function enforceKeyLimits(key: KeyRecord, usage: UsageStore, at: Date): Promise<void> {
  if (key.rpm !== null) {
    const count = await usage.countRequestThisMinute(key.id, at);
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
  if (key.budget_usd !== null) {
    // The previous answer's spend may still be being written: a client sending requests back to back must not get
    // ahead of its own budget.
    await accountingSettled();
    const spent = await usage.monthSpendUsd(key.project_id, key.id, at);
    if (spent >= key.budget_usd) {
      throw new GatewayError({
        status: 403,
        type: 'permission_error',
        code: 'budget_exceeded',
        message: `This key has spent its budget of ${key.budget_usd} USD for this month.`,
      });
    }
  }
}
