/**
 * A lookup keyed by user input that sees only the record's own entries: `own(TYPES, 'constructor')` is undefined,
 * where `TYPES['constructor']` is `Object` (CONTRACT.md §6: no name gives a 500).
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
