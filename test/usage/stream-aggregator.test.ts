import {
  DynamoDBClient,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { UsageItem } from '../../lib/usage/counters.js';
import {
  aggregateUsageStream,
  asUsageItem,
  chunkToken,
  MAX_TRANSACTION_ACTIONS,
  planChunks,
} from '../../lib/usage/stream-aggregator.js';
import { usageItem } from '../helpers/usage-rows.js';

const TABLE = 'gateway-usage-daily';
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/gateway-usage/stream/2026-12-01T00:00:00.000';

const dynamo = mockClient(DynamoDBClient);
const target = { client: new DynamoDBClient({}), usageDailyTable: TABLE };

afterEach(() => {
  dynamo.reset();
});

function row(n: number, overrides: Partial<UsageItem> = {}): UsageItem {
  return usageItem({ id: `req_${n}`, ...overrides });
}

const sequenceOf = (n: number) => String(1_000_000_000_000_000_000n + BigInt(n));

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', n: number, item: object = row(n)): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as Record<string, LambdaAttributeValue>;
  return {
    eventName,
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      SequenceNumber: sequenceOf(n),
      Keys: { project_id: { S: 'proj_1' }, sk: { S: `x#${n}` } },
      ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image }),
    },
  };
}

const insert = (n: number, overrides: Partial<UsageItem> = {}) => record('INSERT', n, row(n, overrides));

/** Rows whose counters are all different: one per model, unpriced, so each adds exactly one daily counter. */
const distinctRows = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => insert(from + i, { model: `model-${from + i}` }));

function transactions(): TransactWriteItemsCommandInput[] {
  return dynamo.commandCalls(TransactWriteItemsCommand).map((call) => call.args[0].input);
}

/** The Update actions of a call as plain objects: key, expression, names and values. */
function updatesOf(input: TransactWriteItemsCommandInput) {
  return (input.TransactItems ?? []).map(({ Update }) => ({
    table: Update!.TableName,
    key: unmarshall(Update!.Key!),
    expression: Update!.UpdateExpression,
    values: unmarshall(Update!.ExpressionAttributeValues!),
    names: Update!.ExpressionAttributeNames ?? {},
  }));
}

interface FakeTableOptions {
  /** 1-based calls that throw this error; `landed` applies the transaction first (an answer lost on the way back). */
  failures?: Record<number, { error: Error; landed: boolean }>;
}

/**
 * A counters table that behaves like DynamoDB for these calls: applies each transaction's SET and ADD, and answers a
 * token it has already seen without applying anything again (the 10-minute idempotency window).
 */
function idempotentCounterTable({ failures = {} }: FakeTableOptions = {}) {
  const items = new Map<string, Record<string, string | number>>();
  const tokens = new Set<string>();
  let calls = 0;
  const apply = (input: TransactWriteItemsCommandInput) => {
    for (const { Update } of input.TransactItems ?? []) {
      const key = unmarshall(Update!.Key!);
      const id = `${key.pk}|${key.sk}`;
      const item = items.get(id) ?? { ...key };
      const values = unmarshall(Update!.ExpressionAttributeValues!);
      const names = Update!.ExpressionAttributeNames!;
      const [, sets = '', adds = ''] = /^(?:SET (.*?))?\s*(?:ADD (.*))?$/.exec(Update!.UpdateExpression!) ?? [];
      for (const part of sets.split(', ').filter(Boolean)) {
        const [name, value] = part.split(' = ');
        item[names[name!]!] = values[value!];
      }
      for (const part of adds.split(', ').filter(Boolean)) {
        const [name, value] = part.split(' ');
        const attribute = names[name!]!;
        item[attribute] = Number(item[attribute] ?? 0) + Number(values[value!]);
      }
      items.set(id, item);
    }
  };
  dynamo.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
    calls += 1;
    const failure = failures[calls];
    if (failure && !failure.landed) throw failure.error;
    const token = input.ClientRequestToken!;
    if (!tokens.has(token)) {
      tokens.add(token);
      apply(input);
    }
    if (failure) throw failure.error;
    return {};
  });
  return items;
}

describe('aggregateUsageStream', () => {
  it('merges a batch into one Update per counter: the day’s counters and the key’s month spend', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});
    const records = [
      insert(1, { cost_units: 300, priced: true }),
      insert(2, { input_tokens: 20, output_tokens: 7, cached_input_tokens: 4, cost_units: 200, usage_estimated: true }),
      insert(3, { model: 'claude-haiku-4-5', provider: 'anthropic', cache_write_tokens: 9 }),
    ];

    const result = await aggregateUsageStream(records, target);

    expect(result).toMatchObject({ counted: 3, transactions: 1, failedSequenceNumbers: [], skipped: [] });
    const [call] = transactions();
    expect(call!.ClientRequestToken).toBe(chunkToken([1, 2, 3].map(sequenceOf), STREAM_ARN));
    const updates = updatesOf(call!);
    expect(updates.map((u) => [u.table, u.key])).toEqual([
      [TABLE, { pk: 'proj_1#2026-12-03', sk: 'gpt-4o-mini#openai#key_1' }],
      [TABLE, { pk: 'month#proj_1#2026-12', sk: 'key#key_1' }],
      [TABLE, { pk: 'proj_1#2026-12-03', sk: 'claude-haiku-4-5#anthropic#key_1' }],
    ]);
    const [gpt, month, claude] = updates;
    expect(gpt!.expression).toMatch(/^SET .* ADD /);
    expect(Object.values(gpt!.values)).toEqual(['2026-12-03', 'gpt-4o-mini', 'openai', 'key_1', 2, 30, 12, 4, 500, 1]);
    expect(Object.values(gpt!.names)).toEqual([
      'day',
      'model',
      'provider',
      'key_id',
      'requests',
      'input_tokens',
      'output_tokens',
      'cached_input_tokens',
      'cost_units',
      'estimated_requests',
    ]);
    expect(month!.expression).toBe('ADD #a5 :a5');
    expect(month!.values).toEqual({ ':a5': 500 });
    expect(claude!.values).toMatchObject({ ':a0': 1, ':a4': 9, ':a6': 1 });
  });

  it('counts only INSERTs: a MODIFY or REMOVE of a row never adds to a counter', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});

    const none = await aggregateUsageStream([record('MODIFY', 1), record('REMOVE', 2)], target);
    expect(none).toMatchObject({ counted: 0, transactions: 0, failedSequenceNumbers: [] });
    expect(transactions()).toEqual([]);

    const mixed = await aggregateUsageStream([record('MODIFY', 3), insert(4), record('REMOVE', 5)], target);
    expect(mixed.counted).toBe(1);
    const updates = updatesOf(transactions()[0]!);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.values).toMatchObject({ ':a0': 1, ':a1': 10, ':a2': 5 });
  });

  it('sends a retried batch with the same ClientRequestToken, so its rows are counted once', async () => {
    const table = idempotentCounterTable();
    const batch = [insert(1, { cost_units: 100 }), insert(2, { cost_units: 50 }), record('MODIFY', 3)];

    await aggregateUsageStream(batch, target);
    await aggregateUsageStream(batch, target);

    const [first, retry] = transactions();
    expect(retry!.ClientRequestToken).toBe(first!.ClientRequestToken);
    expect(first!.ClientRequestToken).toMatch(/^[0-9a-f]{36}$/);
    const daily = table.get('proj_1#2026-12-03|gpt-4o-mini#openai#key_1');
    expect(daily).toMatchObject({ requests: 2, input_tokens: 20, output_tokens: 10, cost_units: 150 });
    expect(table.get('month#proj_1#2026-12|key#key_1')).toMatchObject({ cost_units: 150 });

    // Other records are another chunk: another token, counted.
    await aggregateUsageStream([insert(4)], target);
    expect(transactions()[2]!.ClientRequestToken).not.toBe(first!.ClientRequestToken);
    expect(table.get('proj_1#2026-12-03|gpt-4o-mini#openai#key_1')).toMatchObject({ requests: 3 });
  });

  it('stops at the first failed chunk and reports that chunk’s records and every later one', async () => {
    const failure = Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException' });
    const table = idempotentCounterTable({ failures: { 2: { error: failure, landed: false } } });
    const records = [...distinctRows(250), record('MODIFY', 250)];

    const result = await aggregateUsageStream(records, target);

    expect(transactions()).toHaveLength(2);
    expect(result).toMatchObject({ counted: 100, transactions: 1, error: failure });
    expect(result.failedSequenceNumbers).toEqual(records.slice(100).map((r) => r.dynamodb!.SequenceNumber));
    expect(table.size).toBe(100);

    // Lambda's retry starts at the first failed record: the rest is counted, the first chunk not again.
    const retry = await aggregateUsageStream(records.slice(100), target);
    expect(retry).toMatchObject({ counted: 150, transactions: 2, failedSequenceNumbers: [] });
    expect(table.size).toBe(250);
    expect([...table.values()].every((counter) => counter.requests === 1)).toBe(true);
  });

  it('counts a chunk once when its write landed but the answer was lost, and Lambda retries it', async () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const table = idempotentCounterTable({ failures: { 1: { error: timeout, landed: true } } });
    const records = [insert(1, { cost_units: 40 }), insert(2, { cost_units: 2 })];

    const first = await aggregateUsageStream(records, target);
    expect(first.failedSequenceNumbers).toEqual([sequenceOf(1), sequenceOf(2)]);
    const retry = await aggregateUsageStream(records, target);

    expect(retry.failedSequenceNumbers).toEqual([]);
    const [failed, retried] = transactions();
    expect(retried!.ClientRequestToken).toBe(failed!.ClientRequestToken);
    expect(table.get('proj_1#2026-12-03|gpt-4o-mini#openai#key_1')).toMatchObject({ requests: 2 });
    expect(table.get('month#proj_1#2026-12|key#key_1')).toMatchObject({ cost_units: 42 });
  });

  it('cuts chunks at 100 actions, never splitting one row’s counters across two transactions', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});

    await aggregateUsageStream(distinctRows(150), target);
    expect(transactions().map((t) => t.TransactItems!.length)).toEqual([MAX_TRANSACTION_ACTIONS, 50]);

    dynamo.resetHistory();
    // 99 counters, then a priced row that adds two more (its day and its key's month): it opens the next chunk.
    await aggregateUsageStream([...distinctRows(99), insert(500, { model: 'priced', cost_units: 7 })], target);
    expect(transactions().map((t) => t.TransactItems!.length)).toEqual([99, 2]);

    dynamo.resetHistory();
    // Many rows of one counter are one action.
    await aggregateUsageStream(
      Array.from({ length: 300 }, (_, i) => insert(i)),
      target,
    );
    expect(transactions().map((t) => t.TransactItems!.length)).toEqual([1]);
    expect(updatesOf(transactions()[0]!)[0]!.values).toMatchObject({ ':a0': 300 });
  });

  it('skips an INSERT whose image is not a usage row, naming the field, and counts the rest', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});
    const broken = record('INSERT', 2, { ...row(2), input_tokens: 'many' });

    const result = await aggregateUsageStream([insert(1), broken, insert(3)], target);

    expect(result.skipped).toEqual([{ sequenceNumber: sequenceOf(2), problem: 'input_tokens is not a count' }]);
    expect(result).toMatchObject({ counted: 2, failedSequenceNumbers: [] });
  });
});

// The suite shares one module graph per worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => {
  dynamo.restore();
});

describe('planChunks', () => {
  it('keeps every record, counted or not, in exactly one chunk, in stream order', () => {
    const records = [record('REMOVE', 0), ...distinctRows(120, 1), record('MODIFY', 121)];
    const { chunks } = planChunks(records);
    expect(chunks.flatMap((c) => c.sequenceNumbers)).toEqual(records.map((r) => r.dynamodb!.SequenceNumber));
    expect(chunks.map((c) => c.deltas.length)).toEqual([100, 20]);
  });
});

describe('asUsageItem', () => {
  it('accepts a stored row and names what is wrong with anything else', () => {
    expect(asUsageItem(row(1))).toEqual(row(1));
    expect(() => asUsageItem(null)).toThrow('not an object');
    expect(() => asUsageItem({ ...row(1), sk: undefined })).toThrow('sk is not a string');
    expect(() => asUsageItem({ ...row(1), at: 'yesterday' })).toThrow('at is not a time');
    expect(() => asUsageItem({ ...row(1), output_tokens: -1 })).toThrow('output_tokens is not a count');
    expect(() => asUsageItem({ ...row(1), cost_units: '5' })).toThrow('cost_units is not a number');
  });
});
