import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { queryItems, scanItems } from '../../lib/storage/read-pages.js';

const dynamo = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const key = (n: number) => marshall({ pk: 'p', sk: `s${n}` });
const items = (...ns: number[]) => ns.map((n) => marshall({ pk: 'p', sk: `s${n}`, n }));

afterEach(() => {
  dynamo.reset();
});

// The suite shares one module graph per worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => {
  dynamo.restore();
});

describe('queryItems', () => {
  it('follows LastEvaluatedKey to the last page and unmarshalls every item in order', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: items(1, 2), LastEvaluatedKey: key(2) })
      .resolvesOnce({ Items: [], LastEvaluatedKey: key(3) })
      .resolvesOnce({ Items: items(4) });
    const read = await queryItems(client, { TableName: 't', KeyConditionExpression: 'pk = :p' });
    expect(read.map((item) => item.n)).toEqual([1, 2, 4]);
    const sent = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => input.ExclusiveStartKey)).toEqual([undefined, key(2), key(3)]);
    expect(sent.every((input) => input.Limit === undefined)).toBe(true);
  });

  it('stops at atMost, asking each page for only what is still wanted, from the cursor given', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: items(1, 2), LastEvaluatedKey: key(2) })
      .resolvesOnce({ Items: items(3, 4, 5), LastEvaluatedKey: key(5) });
    const read = await queryItems(client, { TableName: 't' }, { atMost: 4, startAfter: key(0) });
    expect(read.map((item) => item.n)).toEqual([1, 2, 3, 4]);
    const sent = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => [input.Limit, input.ExclusiveStartKey])).toEqual([
      [4, key(0)],
      [2, key(2)],
    ]);
  });

  it('reads filtered pages whole: Limit would count the items read, not those kept', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: key(9) })
      .resolvesOnce({ Items: items(7), LastEvaluatedKey: key(10) });
    const read = await queryItems(client, { TableName: 't', FilterExpression: '#id = :id' }, { atMost: 1 });
    expect(read.map((item) => item.n)).toEqual([7]);
    const sent = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(sent).toHaveLength(2);
    expect(sent.every((input) => input.Limit === undefined)).toBe(true);
  });
});

describe('scanItems', () => {
  it('scans page after page with the input it is given', async () => {
    dynamo
      .on(ScanCommand)
      .resolvesOnce({ Items: items(1), LastEvaluatedKey: key(1) })
      .resolvesOnce({ Items: items(2) });
    const read = await scanItems(client, { TableName: 'projects', ConsistentRead: true });
    expect(read.map((item) => item.n)).toEqual([1, 2]);
    const sent = dynamo.commandCalls(ScanCommand).map((call) => call.args[0].input);
    expect(sent.every((input) => input.ConsistentRead === true && input.TableName === 'projects')).toBe(true);
  });
});
