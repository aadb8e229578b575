import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type UsageRow, UsageStore } from '../../lib/usage/store.js';

const row: UsageRow = {
  id: 'req_1',
  at: '2026-11-25T10:00:00.000Z',
  project_id: 'proj_1',
  key_id: 'key_1',
  model: 'gpt-4o-mini',
  provider: 'openai',
  provider_model: 'gpt-4o-mini',
  status: 200,
  stream: false,
  input_tokens: 10,
  output_tokens: 5,
  cached_input_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: 0.000001,
  priced: true,
  latency_ms: 12,
  ttft_ms: 12,
  finish_reason: 'stop',
  error_code: null,
  endpoint: 'chat',
  usage_estimated: false,
};

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
