/** UTC calendar days as `YYYY-MM-DD`, the unit of the daily counters and of the usage query's `from`/`to`. */

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day's midnight UTC in ms, or undefined unless `value` is a real `YYYY-MM-DD` date (no `2025-02-30`). */
export function parseDay(value: string): number | undefined {
  if (!DAY.test(value)) return undefined;
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) return undefined;
  return time;
}

export function formatDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function addDays(day: string, count: number): string {
  return formatDay(Date.parse(`${day}T00:00:00Z`) + count * DAY_MS);
}

/** How many days `from`..`to` covers, both included (0 when `to` is before `from`). */
export function daySpan(from: string, to: string): number {
  const span = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  return Math.max(0, span);
}

/** Every day from `from` to `to`, both included, in order. */
export function daysBetween(from: string, to: string): string[] {
  return Array.from({ length: daySpan(from, to) }, (_, i) => addDays(from, i));
}
