/** `last_used_at` is written at most once a minute per key: it is a hint for humans, not an audit log. */
export const TOUCH_INTERVAL_MS = 60_000;

/** Whether a use at `at` should be recorded, given the last recorded use. */
export function touchDue(lastUsedAt: string | null, at: Date): boolean {
  return !lastUsedAt || at.getTime() - Date.parse(lastUsedAt) >= TOUCH_INTERVAL_MS;
}
