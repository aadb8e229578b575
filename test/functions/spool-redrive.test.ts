/**
 * The spool redrive Lambda as the SQS event source mapping calls it: spooled rows in, each written once into the
 * usage table, and `{ batchItemFailures: [{ itemIdentifier: <messageId> }] }` for the rows to deliver again.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { spoolRedriveHandler } from '../../functions/spool-redrive/handler.js';
import type { UsageItem } from '../../lib/usage/counters.js';
import { encodeSpooledRow } from '../../lib/usage/sqs-spool.js';
import { UsageStore } from '../../lib/usage/store.js';
import { usageItem } from '../helpers/usage-rows.js';

const dynamo = mockClient(DynamoDBClient);
const handler = spoolRedriveHandler(new UsageStore(new DynamoDBClient({}), { usage: 'usage', usageDaily: 'daily' }));
const context = { functionName: 'spool-redrive', awsRequestId: 'req' } as Context;
let stderr: MockInstance;

beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  dynamo.reset();
  stderr.mockRestore();
});

// The suite shares one module graph per worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => {
  dynamo.restore();
});

function row(n: number): UsageItem {
  return usageItem({ id: `req_${n}`, ttft_ms: null });
}

function message(id: string, body: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:UsageSpool',
    awsRegion: 'us-east-1',
  };
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const putItems = () => dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input);

describe('spool redrive handler', () => {
  it('writes each spooled row into the usage table, only if it is not there yet', async () => {
    dynamo.on(PutItemCommand).resolves({});

    const response = await handler(
      event(message('m1', encodeSpooledRow(row(1))), message('m2', encodeSpooledRow(row(2)))),
      context,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    const puts = putItems();
    expect(puts.map((put) => unmarshall(put.Item!))).toEqual([row(1), row(2)]);
    expect(
      puts.every((put) => put.TableName === 'usage' && put.ConditionExpression === 'attribute_not_exists(sk)'),
    ).toBe(true);
  });

  it('treats a row already in the table (a replay) as done, not as a failure', async () => {
    dynamo.on(PutItemCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));

    await expect(handler(event(message('m1', encodeSpooledRow(row(1)))), context)).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it('reports the rows the table did not take, by message id, for SQS to deliver again', async () => {
    dynamo
      .on(PutItemCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));

    const response = await handler(
      event(message('m1', encodeSpooledRow(row(1))), message('m2', encodeSpooledRow(row(2)))),
      context,
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  });

  it('logs and drops a message that is not a usage row, so it is not retried forever', async () => {
    dynamo.on(PutItemCommand).resolves({});

    const response = await handler(
      event(
        message('bad-json', '{"project_id":'),
        message('bad-row', '{"project_id":"p"}'),
        message('ok', encodeSpooledRow(row(3))),
      ),
      context,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(putItems()).toHaveLength(1);
    const warnings = stderr.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(warnings.map((w) => w.message_id)).toEqual(['bad-json', 'bad-row']);
    expect(warnings[1]).toMatchObject({ level: 'warn', problem: 'sk is not a string' });
  });
});
