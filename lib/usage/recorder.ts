/**
 * Where a request's usage row goes once its answer has ended (DESIGN.md §4, metering path): one write on the
 * request path, counters derived elsewhere. In AWS a `DirectRecorder` puts the row (the table's stream feeds the
 * aggregator) and spools it to SQS when the table does not answer; locally a `BatchingRecorder` writes rows in
 * batches and derives the counters itself, spooling to a file in the data directory.
 */
import type { BudgetLedger } from './budget.js';
import type { UsageItem } from './counters.js';
import type { UsageStore } from './store.js';

export interface UsageRecorder {
  /** Resolves once the row is written or durably spooled; never rejects for a storage failure. */
  record(item: UsageItem): Promise<void>;
  /** Writes (or spools) everything still held in memory, then stops background work. */
  close(): Promise<void>;
}

/** What the request pipeline meters through: the row shape and rate counters, where rows go, the budget ledgers. */
export interface Metering {
  usage: UsageStore;
  recorder: UsageRecorder;
  budgets: BudgetLedger;
}
