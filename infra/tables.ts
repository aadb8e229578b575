/**
 * The four DynamoDB tables, built from the same definitions local mode uses (lib/storage/tables.ts), so the keys
 * and the index the code queries cannot drift from what is deployed. On-demand billing, point-in-time recovery.
 * The usage table streams its new rows to the counter aggregator (DESIGN.md §4, metering path).
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_dynamodb.Table.html
 */
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { type TableAttribute, type TableId, tableDefinitions } from '../lib/storage/tables.js';

export type GatewayTables = Record<TableId, Table>;

/** The numeric (epoch seconds) attribute DynamoDB's TTL reads; the rate-limit counters already carry it. */
export const TTL_ATTRIBUTE = 'expires_at';

const CONSTRUCT_IDS: Record<TableId, string> = {
  projects: 'ProjectsTable',
  keys: 'KeysTable',
  usage: 'UsageTable',
  usageDaily: 'UsageDailyTable',
};

function attribute(definition: TableAttribute) {
  return { name: definition.name, type: definition.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING };
}

export interface TableOptions {
  /** TTL on `usage` (opt-in: it deletes request history). */
  usageTtl: boolean;
}

export function createTables(scope: Construct, options: TableOptions): GatewayTables {
  const make = (id: TableId, ttl: boolean, stream?: StreamViewType): Table => {
    const definition = tableDefinitions[id];
    const table = new Table(scope, CONSTRUCT_IDS[id], {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(ttl ? { timeToLiveAttribute: TTL_ATTRIBUTE } : {}),
      ...(stream ? { stream } : {}),
    });
    for (const index of definition.globalSecondaryIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  };
  return {
    projects: make('projects', false),
    keys: make('keys', false),
    // NEW_IMAGE: the aggregator counts each INSERT from the row it carries, and needs nothing older.
    usage: make('usage', options.usageTtl, StreamViewType.NEW_IMAGE),
    // Always on: only the per-minute rate-limit counters carry a numeric `expires_at`; the daily totals do not.
    usageDaily: make('usageDaily', true),
  };
}
