import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { UsageStore } from '../../lib/usage/store.js';
import { usageRow } from '../helpers/usage-rows.js';

const row = usageRow({ at: '2026-11-25T10:00:00.000Z', cost_usd: 0.000001, priced: true });

describe('usage row TTL', () => {
  it('writes expires_at the configured number of days after the request', async () => {
    const dynamo = mockClient(DynamoDBClient);
    dynamo.on(PutItemCommand).resolves({});
    await new UsageStore(new DynamoDBClient({}), { usage: 'u', usageDaily: 'd' }, 30).putRow(row, 10_000);
    const item = unmarshall(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!);
    expect(item.expires_at).toBe(Date.parse(row.at) / 1000 + 30 * 86_400);
    dynamo.restore();
  });

  it('writes no expires_at without a TTL', async () => {
    const dynamo = mockClient(DynamoDBClient);
    dynamo.on(PutItemCommand).resolves({});
    await new UsageStore(new DynamoDBClient({}), { usage: 'u', usageDaily: 'd' }).putRow(row, null);
    const item = unmarshall(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!);
    expect(item.expires_at).toBeUndefined();
    expect(item.cost_units).toBeUndefined();
    dynamo.restore();
  });
});
