/**
 * Where usage rows go when the usage table cannot take them (CONTRACT.md §4, "Nothing is lost"): somewhere durable
 * from which each is written to the table exactly once when storage answers again. Locally a file in the data
 * directory (./file-spool.ts); in AWS an SQS queue drained into the table by the redrive function
 * (./sqs-spool.ts, functions/spool-redrive).
 */
import type { UsageItem } from './counters.js';

export interface RowSpool {
  /** Keeps the rows durably; resolves once they are safe (fsync'd, or accepted by the queue). */
  add(items: readonly UsageItem[]): Promise<void>;
}
