/**
 * The Lambda's recorder: one conditional PutItem per request (the usage table's stream derives every counter), and,
 * when the table does not answer within the client's timeouts and retries, the durable spool (an SQS queue drained
 * into the table by functions/spool-redrive). Losing a row is the last resort, logged loudly.
 */
import type { UsageItem } from './counters.js';
import type { UsageRecorder } from './recorder.js';
import type { RowSpool } from './spool.js';
import type { UsageStore } from './store.js';

export interface RecorderLog {
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export class DirectRecorder implements UsageRecorder {
  constructor(
    private readonly usage: UsageStore,
    private readonly spool: RowSpool | undefined,
    private readonly log: RecorderLog,
  ) {}

  async record(item: UsageItem): Promise<void> {
    try {
      await this.usage.putItem(item);
      return;
    } catch (error) {
      if (!this.spool) {
        this.log.error('ACCOUNTING LOST: could not write the usage row and no spool is configured', {
          requestId: item.id,
          projectId: item.project_id,
          error,
        });
        return;
      }
      this.log.warn('usage table unreachable: row spooled', { requestId: item.id, error });
    }
    try {
      await this.spool.add([item]);
    } catch (error) {
      this.log.error('ACCOUNTING LOST: could neither write nor spool the usage row', {
        requestId: item.id,
        projectId: item.project_id,
        row: item,
        error,
      });
    }
  }

  async close(): Promise<void> {}
}
