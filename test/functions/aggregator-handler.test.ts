/**
 * The aggregator Lambda as the DynamoDB Streams event source mapping calls it: a batch of stream records in, and
 * out `{ batchItemFailures: [{ itemIdentifier: <SequenceNumber> }] }`, from which Lambda retries (ReportBatchItemFailures).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { aggregatorHandler } from '../../functions/aggregator/handler.js';

const dynamo = mockClient(DynamoDBClient);
const handler = aggregatorHandler({ client: new DynamoDBClient({}), usageDailyTable: 'daily' });
const context = { functionName: 'aggregator', awsRequestId: 'req' } as Context;
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

const sequenceOf = (n: number) => `4000000000000000000${String(n).padStart(3, '0')}`;

function insert(n: number, model = `model-${n}`): DynamoDBRecord {
  const at = '2026-12-03T10:00:00.000Z';
  const row = {
    id: `req_${n}`,
    at,
    sk: `${at}#req_${n}`,
    project_id: 'proj_1',
    key_id: 'key_1',
    model,
    provider: 'openai',
    input_tokens: 1,
    output_tokens: 1,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
  };
  return {
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/usage/stream/1',
    dynamodb: { SequenceNumber: sequenceOf(n), NewImage: marshall(row) as Record<string, LambdaAttributeValue> },
  };
}

const batch = (count: number): DynamoDBStreamEvent => ({ Records: Array.from({ length: count }, (_, i) => insert(i)) });
const logged = () => stderr.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

describe('aggregator handler', () => {
  it('answers an empty batchItemFailures when every chunk was written', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});

    await expect(handler(batch(3), context)).resolves.toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });

  it('names the failed chunk’s records and every later one by sequence number', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('conflict'), { name: 'TransactionCanceledException' }));

    const response = await handler(batch(150), context);

    const expected = Array.from({ length: 50 }, (_, i) => ({ itemIdentifier: sequenceOf(100 + i) }));
    expect(response).toEqual({ batchItemFailures: expected });
    expect(logged()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        failed_records: 50,
        first_failed: sequenceOf(100),
        error: expect.objectContaining({ name: 'TransactionCanceledException' }),
      }),
    );
  });

  it('fails the whole invocation when nothing could be written, so Lambda retries the batch', async () => {
    dynamo.on(TransactWriteItemsCommand).rejects(new Error('unreachable'));

    await expect(handler(batch(2), context)).rejects.toBeInstanceOf(FullBatchFailureError);
  });

  it('logs and skips a record that is not a usage row instead of failing the shard on it', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});
    const broken: DynamoDBRecord = { ...insert(1), dynamodb: { SequenceNumber: sequenceOf(1) } };

    await expect(handler({ Records: [insert(0), broken] }, context)).resolves.toEqual({ batchItemFailures: [] });
    expect(logged()).toContainEqual(expect.objectContaining({ level: 'warn', sequence_number: sequenceOf(1) }));
  });
});
