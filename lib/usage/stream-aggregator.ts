/**
 * The usage table's DynamoDB Stream turned into counters (DESIGN.md §4, metering path). Each INSERT is one request's
 * row; a batch of them is merged per counter (./counters.ts) and written to `usage_daily` as `TransactWriteItems`,
 * one transaction per chunk of contiguous records. A chunk's `ClientRequestToken` is a hash of its records' sequence
 * numbers, so when Lambda hands the same records again (a retry after a timeout whose write did land), DynamoDB
 * answers from its idempotency record instead of adding twice — within its 10-minute window.
 *
 * What the token cannot cover: a retry more than 10 minutes later, or a retried batch that grew, so that the failed
 * chunk (the batch's last, ended by the batch and not by the 100-action limit) now holds more records and hashes
 * differently. Both need a write that landed yet was reported failed; the SDK's own retries inside one invocation
 * send the same token, which keeps that rare.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#DDB-TransactWriteItems-request-ClientRequestToken
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-apis-txwriteitems
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */
import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type CounterDelta, counterDeltasOf, counterUpdate, mergeCounterDeltas, type UsageItem } from './counters.js';

/** DynamoDB's limit of actions in one `TransactWriteItems`. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** `ClientRequestToken` is 1 to 36 characters. */
const TOKEN_LENGTH = 36;

export interface CounterTarget {
  client: DynamoDBClient;
  /** The `usage_daily` table's name. */
  usageDailyTable: string;
}

/** A run of contiguous stream records whose merged counters fit in one transaction. */
export interface StreamChunk {
  /** Every record of the run, counted or not, in stream order: a failure reports them all. */
  sequenceNumbers: string[];
  /** The rows the run's INSERTs wrote. */
  items: UsageItem[];
  /** One delta per counter item the rows add to (at most MAX_TRANSACTION_ACTIONS). */
  deltas: CounterDelta[];
}

export interface SkippedRecord {
  sequenceNumber: string;
  problem: string;
}

export interface AggregationResult {
  /** Rows added to the counters (or found already added, by their token). */
  counted: number;
  /** Transactions that succeeded. */
  transactions: number;
  /**
   * INSERTs whose image is not a usage row: left out rather than failed, because a record that can never be counted
   * would otherwise hold its shard back until the retries run out and take the good records down with it.
   */
  skipped: SkippedRecord[];
  /** The first failed chunk's records and every later one's, in stream order: empty when all was written. */
  failedSequenceNumbers: string[];
  /** Why the first failed chunk was not written. */
  error?: unknown;
}

const NUMBER_FIELDS = ['input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens'] as const;

/**
 * Checks that a value read from outside (a stream image, a spooled message) has what counting and storing a row
 * need, and returns it typed; throws a TypeError naming the first field that is wrong.
 */
export function asUsageItem(value: unknown): UsageItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('not an object');
  const row = value as Record<string, unknown>;
  for (const field of ['project_id', 'sk', 'id', 'key_id'] as const) {
    if (typeof row[field] !== 'string' || row[field] === '') throw new TypeError(`${field} is not a string`);
  }
  if (typeof row.at !== 'string' || Number.isNaN(Date.parse(row.at))) throw new TypeError('at is not a time');
  for (const field of ['model', 'provider'] as const) {
    if (row[field] != null && typeof row[field] !== 'string') throw new TypeError(`${field} is not a string`);
  }
  for (const field of NUMBER_FIELDS) {
    const amount = row[field];
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      throw new TypeError(`${field} is not a count`);
    }
  }
  if (row.cost_units != null && (typeof row.cost_units !== 'number' || !Number.isFinite(row.cost_units))) {
    throw new TypeError('cost_units is not a number');
  }
  return value as UsageItem;
}

const sequenceNumberOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';
const counterId = (delta: CounterDelta): string => `${delta.key.pk}\u0000${delta.key.sk}`;

/**
 * Cuts the records, in order, into chunks whose merged counters fit in one transaction. Only INSERTs count: a
 * MODIFY or REMOVE (a TTL expiry, an admin clean-up) never changes what was requested. A row's counters never
 * straddle two chunks, so a chunk is a whole number of requests.
 */
export function planChunks(records: readonly DynamoDBRecord[]): { chunks: StreamChunk[]; skipped: SkippedRecord[] } {
  const chunks: StreamChunk[] = [];
  const skipped: SkippedRecord[] = [];
  let current: StreamChunk = { sequenceNumbers: [], items: [], deltas: [] };
  let counters = new Set<string>();
  for (const record of records) {
    const sequenceNumber = sequenceNumberOf(record);
    const item = record.eventName === 'INSERT' ? insertedItem(record, sequenceNumber, skipped) : undefined;
    if (item) {
      const ids = counterDeltasOf(item).map(counterId);
      const added = ids.filter((id) => !counters.has(id)).length;
      if (counters.size + added > MAX_TRANSACTION_ACTIONS && current.sequenceNumbers.length > 0) {
        chunks.push(current);
        current = { sequenceNumbers: [], items: [], deltas: [] };
        counters = new Set();
      }
      for (const id of ids) counters.add(id);
      current.items.push(item);
    }
    current.sequenceNumbers.push(sequenceNumber);
  }
  if (current.sequenceNumbers.length > 0) chunks.push(current);
  for (const chunk of chunks) chunk.deltas = mergeCounterDeltas(chunk.items);
  return { chunks, skipped };
}

function insertedItem(record: DynamoDBRecord, sequenceNumber: string, skipped: SkippedRecord[]): UsageItem | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image) {
    // The stream must carry NEW_IMAGE (infra/tables.ts); without it no INSERT can be counted.
    skipped.push({ sequenceNumber, problem: 'no NewImage (the stream view type must include new images)' });
    return undefined;
  }
  try {
    // aws-lambda's AttributeValue and the SDK's describe the same JSON; only their TypeScript shapes differ.
    return asUsageItem(unmarshall(image as Record<string, AttributeValue>));
  } catch (error) {
    skipped.push({ sequenceNumber, problem: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/**
 * The chunk's idempotency token: the same records (of the same stream) give the same token, any other set of
 * records another one. sha256, hex, cut to the 36 characters DynamoDB accepts (144 bits).
 */
export function chunkToken(sequenceNumbers: readonly string[], eventSourceArn = ''): string {
  return createHash('sha256')
    .update(eventSourceArn)
    .update('\n')
    .update(sequenceNumbers.join(','))
    .digest('hex')
    .slice(0, TOKEN_LENGTH);
}

/** The `Update` actions of one chunk: SET the labels, ADD the amounts (./counters.ts `counterUpdate`). */
export function transactionItems(deltas: readonly CounterDelta[], tableName: string): TransactWriteItem[] {
  return deltas.map((delta) => {
    const update = counterUpdate(delta);
    return {
      Update: {
        TableName: tableName,
        Key: marshall(update.key),
        UpdateExpression: update.updateExpression,
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: marshall(update.values),
      },
    };
  });
}

/**
 * Adds a batch of stream records to the counters: chunk by chunk in stream order, each one transaction with its own
 * token. At the first chunk that fails, stops: that chunk and every later one are reported failed and nothing after
 * it was written, so Lambda's retry from the first failed record (its checkpoint) neither skips nor repeats a row.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */
export async function aggregateUsageStream(
  records: readonly DynamoDBRecord[],
  target: CounterTarget,
): Promise<AggregationResult> {
  const { chunks, skipped } = planChunks(records);
  const result: AggregationResult = { counted: 0, transactions: 0, skipped, failedSequenceNumbers: [] };
  const eventSourceArn = records.find((record) => record.eventSourceARN)?.eventSourceARN;
  for (const [index, chunk] of chunks.entries()) {
    if (chunk.deltas.length === 0) continue;
    try {
      await target.client.send(
        new TransactWriteItemsCommand({
          TransactItems: transactionItems(chunk.deltas, target.usageDailyTable),
          ClientRequestToken: chunkToken(chunk.sequenceNumbers, eventSourceArn),
        }),
      );
    } catch (error) {
      result.error = error;
      result.failedSequenceNumbers = chunks.slice(index).flatMap((failed) => failed.sequenceNumbers);
      return result;
    }
    result.counted += chunk.items.length;
    result.transactions += 1;
  }
  return result;
}
