/**
 * The gateway's four DynamoDB tables as data (DESIGN.md §4), shared by `ensureTables` (local mode, tests) and the
 * CDK stack. Attribute types use DynamoDB's letters, which are also CDK's `AttributeType` values.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isAwsError } from './aws-errors.js';

export interface TableAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableIndex {
  indexName: string;
  partitionKey: TableAttribute;
  sortKey?: TableAttribute;
}

export interface TableDefinition {
  partitionKey: TableAttribute;
  sortKey?: TableAttribute;
  globalSecondaryIndexes?: readonly TableIndex[];
}

export type TableId = 'projects' | 'keys' | 'usage' | 'usageDaily';

export type TableNames = Record<TableId, string>;

/** The keys table's index for listing a project's keys by creation time. */
export const KEYS_BY_PROJECT_INDEX = 'by_project';

export const tableDefinitions: Readonly<Record<TableId, TableDefinition>> = {
  projects: { partitionKey: { name: 'id', type: 'S' } },
  keys: {
    partitionKey: { name: 'hash', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: KEYS_BY_PROJECT_INDEX,
        partitionKey: { name: 'project_id', type: 'S' },
        sortKey: { name: 'created_at', type: 'S' },
      },
    ],
  },
  usage: { partitionKey: { name: 'project_id', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
  usageDaily: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
};

export const defaultTableNames: Readonly<TableNames> = {
  projects: 'gateway-projects',
  keys: 'gateway-keys',
  usage: 'gateway-usage',
  usageDaily: 'gateway-usage-daily',
};

/** Table names from `PROJECTS_TABLE`, `KEYS_TABLE`, `USAGE_TABLE`, `USAGE_DAILY_TABLE`, else the defaults. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TableNames {
  return {
    projects: env.PROJECTS_TABLE || defaultTableNames.projects,
    keys: env.KEYS_TABLE || defaultTableNames.keys,
    usage: env.USAGE_TABLE || defaultTableNames.usage,
    usageDaily: env.USAGE_DAILY_TABLE || defaultTableNames.usageDaily,
  };
}

type KeySchemaElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };

function keySchema(partitionKey: TableAttribute, sortKey?: TableAttribute): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

/** The CreateTable input for one definition (on-demand billing, every index projecting all attributes). */
export function createTableInput(tableName: string, definition: TableDefinition) {
  const attributes = new Map<string, TableAttribute>();
  const add = (attribute?: TableAttribute) => {
    if (attribute) attributes.set(attribute.name, attribute);
  };
  add(definition.partitionKey);
  add(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes ?? []) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  const indexes = definition.globalSecondaryIndexes ?? [];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes.values()].map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

export interface EnsureTablesOptions {
  /** How long to wait for a table to become ACTIVE before giving up. */
  timeoutMs?: number;
  pollMs?: number;
}

/** Creates whichever of the four tables are missing and waits until all are ACTIVE. For local mode and tests. */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: EnsureTablesOptions = {},
): Promise<void> {
  const ids = Object.keys(tableDefinitions) as TableId[];
  await Promise.all(ids.map((id) => ensureTable(client, names[id], tableDefinitions[id], options)));
}

async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
  { timeoutMs = 60_000, pollMs = 100 }: EnsureTablesOptions,
): Promise<void> {
  let status = await tableStatus(client, tableName);
  if (status === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName, definition)));
    } catch (error) {
      // Another process created it first: wait for it like any other table.
      if (!isAwsError(error, 'ResourceInUseException')) throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    status = await tableStatus(client, tableName);
    if (status === 'ACTIVE') return;
    if (Date.now() >= deadline)
      throw new Error(`DynamoDB table ${tableName} is not ACTIVE (status ${status ?? 'missing'})`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}
