/**
 * Writes a batch of rows and the counters derived from them, so that writing the same batch again — after a
 * timeout whose write had in fact landed, or from the spool after a crash — counts every row once. Rows are put by
 * key (a second put leaves the same item). Counters carry a watermark per writer sequence (`wm_<shard>`): the
 * highest sequence number already added; an update adds a range of rows only while the watermark is below it, and
 * a counter that already holds part of the range is re-merged from the rows past its watermark. Sequences are
 * written in order (./batching-recorder.ts keeps to that), which is what makes one number per counter enough.
 * This is the local server's writer; in AWS the usage table's stream feeds ./stream-aggregator.ts instead.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isAwsError } from '../storage/aws-errors.js';
import type { TableNames } from '../storage/tables.js';
import { type CounterDelta, counterDeltasOf, counterUpdate } from './counters.js';
import type { SequencedItem } from './file-spool.js';

const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 6;
const CONDITION_RETRIES = 3;

interface CounterRange {
  delta: CounterDelta;
  /** The rows' own contributions, kept to re-merge the part past a watermark. */
  parts: { seq: number; delta: CounterDelta }[];
}

export class CounterWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: Pick<TableNames, 'usage' | 'usageDaily'>,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms)),
  ) {}

  /** Writes the rows, then their counters; throws (having written possibly a part) when storage fails. */
  async write(records: readonly SequencedItem[]): Promise<void> {
    if (records.length === 0) return;
    await this.putRows(records);
    const ranges = [...rangesByCounter(records).entries()];
    await Promise.all(ranges.map(([shard, byCounter]) => this.addCounters(shard, [...byCounter.values()])));
  }

  private async putRows(records: readonly SequencedItem[]): Promise<void> {
    // One row per request id: a record spooled twice is put once.
    const unique = new Map(records.map((record) => [record.item.sk, record.item]));
    const requests: WriteRequest[] = [...unique.values()].map((item) => ({
      PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) },
    }));
    const chunks: WriteRequest[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) {
      chunks.push(requests.slice(start, start + BATCH_WRITE_LIMIT));
    }
    await Promise.all(chunks.map((chunk) => this.batchWrite(chunk)));
  }

  private async batchWrite(chunk: WriteRequest[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`${pending.length} usage rows stayed unprocessed`);
      if (attempt > 0) await this.pause(10 * 2 ** attempt);
      const result = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.tables.usage]: pending } }),
      );
      pending = result.UnprocessedItems?.[this.tables.usage] ?? [];
    }
  }

  private async addCounters(shard: string, ranges: CounterRange[]): Promise<void> {
    await Promise.all(ranges.map((range) => this.addRange(shard, range)));
  }

  private async addRange(shard: string, range: CounterRange): Promise<void> {
    let current = range;
    for (let attempt = 0; ; attempt++) {
      const seqs = current.parts.map((part) => part.seq);
      const low = Math.min(...seqs);
      const high = Math.max(...seqs);
      const update = counterUpdate(current.delta);
      const watermark = `wm_${shard}`;
      const names = { ...update.names, '#wm': watermark };
      const setWatermark = '#wm = :wmHigh';
      const expression = update.updateExpression.startsWith('SET ')
        ? update.updateExpression.replace('SET ', `SET ${setWatermark}, `)
        : `SET ${setWatermark} ${update.updateExpression}`;
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tables.usageDaily,
            Key: marshall(update.key),
            UpdateExpression: expression,
            ConditionExpression: 'attribute_not_exists(#wm) OR #wm < :wmLow',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: marshall({ ...update.values, ':wmLow': low, ':wmHigh': high }),
          }),
        );
        return;
      } catch (error) {
        if (!isAwsError(error, 'ConditionalCheckFailedException') || attempt >= CONDITION_RETRIES) throw error;
      }
      // Part of the range is already in: add only the rows past the counter's watermark.
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tables.usageDaily, Key: marshall(update.key), ConsistentRead: true }),
      );
      const applied = Number((Item ? unmarshall(Item) : {})[watermark] ?? -1);
      const rest = current.parts.filter((part) => part.seq > applied);
      if (rest.length === 0) return;
      current = { parts: rest, delta: sumDeltas(rest.map((part) => part.delta)) };
    }
  }
}

/** The batch's counters, per writer sequence and counter item, each with the rows that add to it. */
function rangesByCounter(records: readonly SequencedItem[]): Map<string, Map<string, CounterRange>> {
  const byShard = new Map<string, Map<string, CounterRange>>();
  for (const record of records) {
    let byCounter = byShard.get(record.shard);
    if (!byCounter) {
      byCounter = new Map();
      byShard.set(record.shard, byCounter);
    }
    for (const delta of counterDeltasOf(record.item)) {
      const id = `${delta.key.pk}\u0000${delta.key.sk}`;
      const range = byCounter.get(id);
      if (range) {
        range.parts.push({ seq: record.seq, delta });
        range.delta = sumDeltas([range.delta, delta]);
      } else {
        byCounter.set(id, { delta: { ...delta, amounts: { ...delta.amounts } }, parts: [{ seq: record.seq, delta }] });
      }
    }
  }
  return byShard;
}

function sumDeltas(deltas: CounterDelta[]): CounterDelta {
  const [first, ...rest] = deltas as [CounterDelta, ...CounterDelta[]];
  const amounts = { ...first.amounts };
  for (const delta of rest) {
    for (const name of Object.keys(amounts) as (keyof typeof amounts)[]) amounts[name] += delta.amounts[name];
  }
  return { ...first, amounts };
}
