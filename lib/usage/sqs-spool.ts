/**
 * The AWS spool for usage rows (CONTRACT.md §4, "Nothing is lost"; DESIGN.md §4): when the usage table cannot take
 * a row, the chat function sends it to an SQS queue, and the redrive function (functions/spool-redrive) writes it to
 * the table with the table's once-only condition. A row sent twice (a retried send; SQS's at-least-once delivery)
 * is still one row and one stream INSERT, so it is counted once.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { AWS_CLIENT_TIMEOUTS } from '../storage/index.js';
import { captureAWSv3Client } from '../tracing/index.js';
import type { UsageItem } from './counters.js';
import type { RowSpool } from './spool.js';
import { asUsageItem } from './stream-aggregator.js';

/** SendMessageBatch takes at most 10 entries. */
const MAX_BATCH_ENTRIES = 10;
/** 256 KiB: SQS's long-standing limit per message and per batch (the larger newer limit is not assumed). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** The variable that names the queue in the chat function (infra/gateway-stack.ts). */
export const SPOOL_QUEUE_URL_VARIABLE = 'USAGE_SPOOL_QUEUE_URL';

export interface SqsRowSpoolOptions {
  /** Sends of the entries SQS reports failed, the first one included. */
  attempts?: number;
  /** Pause before the n-th resend: n times this. */
  retryDelayMs?: number;
}

/** A spooled row: the stored item as JSON. U+FFFE and U+FFFF, which SQS refuses in a body, go as JSON escapes. */
export function encodeSpooledRow(item: UsageItem): string {
  return JSON.stringify(item).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** The row in a spooled message; throws (SyntaxError, TypeError) when the body is not one. */
export function decodeSpooledRow(body: string): UsageItem {
  return asUsageItem(JSON.parse(body));
}

export class SqsRowSpool implements RowSpool {
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsRowSpoolOptions = {},
  ) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  /** Resolves once SQS has accepted every row; throws when one is too large or still refused after the retries. */
  async add(items: readonly UsageItem[]): Promise<void> {
    const bodies = items.map(encodeSpooledRow);
    for (const [index, body] of bodies.entries()) {
      const bytes = Buffer.byteLength(body);
      if (bytes > MAX_MESSAGE_BYTES) {
        throw new Error(`usage row ${items[index]?.id} is ${bytes} bytes, over SQS's ${MAX_MESSAGE_BYTES}`);
      }
    }
    await Promise.all(batchesOf(bodies).map((entries) => this.send(entries)));
  }

  private async send(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const { Failed: failed = [] } = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
      );
      if (failed.length === 0) return;
      // A sender fault (a body SQS refuses) fails the same way every time: only SQS's own faults are worth a resend.
      const senderFault = failed.find((entry) => entry.SenderFault);
      if (senderFault || attempt >= this.attempts) {
        const example = senderFault ?? failed[0];
        throw new Error(
          `SQS refused ${failed.length} of ${pending.length} usage rows after ${attempt} attempt(s): ${example?.Code}`,
        );
      }
      const retry = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => retry.has(entry.Id));
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
    }
  }
}

/** Entries of at most 10 messages and 256 KiB together, ids unique within each batch. */
function batchesOf(bodies: readonly string[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let batch: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (batch.length > 0 && (batch.length === MAX_BATCH_ENTRIES || bytes + size > MAX_MESSAGE_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ Id: String(batch.length), MessageBody: body });
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** An SQS client with the request-path timeouts, traced on Lambda. */
export function createSqsClient(): SQSClient {
  return captureAWSv3Client(new SQSClient({ ...AWS_CLIENT_TIMEOUTS }));
}

let fromEnv: { queueUrl: string; spool: SqsRowSpool } | undefined;

/**
 * The process's spool when `USAGE_SPOOL_QUEUE_URL` is set (the chat function in AWS), built once; undefined
 * otherwise (the local server spools to a file instead).
 */
export function sqsRowSpoolFromEnv(env: NodeJS.ProcessEnv = process.env): SqsRowSpool | undefined {
  const queueUrl = env[SPOOL_QUEUE_URL_VARIABLE];
  if (!queueUrl) return undefined;
  if (fromEnv?.queueUrl !== queueUrl) fromEnv = { queueUrl, spool: new SqsRowSpool(createSqsClient(), queueUrl) };
  return fromEnv.spool;
}
