import { rm } from 'node:fs/promises';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../../lib/storage/local-dynamo.js';
import {
  createTableInput,
  defaultTableNames,
  ensureTables,
  tableDefinitions,
  tableNamesFromEnv,
} from '../../lib/storage/tables.js';
import { makeTempDir } from './helpers.js';

describe('table names', () => {
  it('defaults to the gateway-* names', () => {
    expect(tableNamesFromEnv({})).toEqual({
      projects: 'gateway-projects',
      keys: 'gateway-keys',
      usage: 'gateway-usage',
      usageDaily: 'gateway-usage-daily',
    });
  });

  it('reads each name from its environment variable', () => {
    expect(
      tableNamesFromEnv({ PROJECTS_TABLE: 'p', KEYS_TABLE: 'k', USAGE_TABLE: 'u', USAGE_DAILY_TABLE: 'd' }),
    ).toEqual({ projects: 'p', keys: 'k', usage: 'u', usageDaily: 'd' });
  });
});

describe('createTableInput', () => {
  it('declares the keys table with its by_project index on project_id + created_at, on demand', () => {
    const input = createTableInput('t', tableDefinitions.keys);
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.KeySchema).toEqual([{ AttributeName: 'hash', KeyType: 'HASH' }]);
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'by_project',
        KeySchema: [
          { AttributeName: 'project_id', KeyType: 'HASH' },
          { AttributeName: 'created_at', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'hash', AttributeType: 'S' },
      { AttributeName: 'project_id', AttributeType: 'S' },
      { AttributeName: 'created_at', AttributeType: 'S' },
    ]);
  });
});

describe('ensureTables against dynalite', () => {
  let dataDir: string;
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dataDir = await makeTempDir();
    dynamo = await startLocalDynamo(dataDir);
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await dynamo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the four tables with their keys, ACTIVE, and is a no-op the second time', async () => {
    await ensureTables(client, defaultTableNames);
    await ensureTables(client, defaultTableNames);

    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect([...(TableNames ?? [])].sort()).toEqual([
      'gateway-keys',
      'gateway-projects',
      'gateway-usage',
      'gateway-usage-daily',
    ]);
    const usage = await client.send(new DescribeTableCommand({ TableName: 'gateway-usage' }));
    expect(usage.Table?.TableStatus).toBe('ACTIVE');
    expect(usage.Table?.KeySchema).toEqual([
      { AttributeName: 'project_id', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const daily = await client.send(new DescribeTableCommand({ TableName: 'gateway-usage-daily' }));
    expect(daily.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const keys = await client.send(new DescribeTableCommand({ TableName: 'gateway-keys' }));
    expect(keys.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('by_project');
    expect(keys.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('creates only what is missing under other names', async () => {
    const names = { ...defaultTableNames, projects: 'other-projects' };
    await ensureTables(client, names);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toContain('other-projects');
    expect(TableNames).toHaveLength(5);
  });
});
