/**
 * Least-privilege policies of the functions (DESIGN.md §4, §6), as explicit statements rather than `grant*`
 * helpers, so each action a function may take is listed here and asserted by the tests. The one exception is what
 * an event source mapping needs to read its source (the usage stream, the spool queue), which CDK grants with the
 * mapping itself.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { KEYS_BY_PROJECT_INDEX } from '../lib/storage/tables.js';
import type { GatewayTables } from './tables.js';

export interface PolicyScope {
  tables: GatewayTables;
  /** `GATEWAY_SECRET_PREFIX`: secrets live at `<prefix>/projects/<id>/providers` and `<prefix>/defaults`. */
  secretPrefix: string;
}

export interface ChatPolicyScope extends PolicyScope {
  /** The queue that keeps usage rows the table could not take (CONTRACT.md §4, "Nothing is lost"). */
  spoolQueue: IQueue;
  /** The Bedrock models the role may invoke (context `bedrockModels`); none when empty. */
  bedrockModels: readonly string[];
}

/**
 * What `bedrockModels` lets the chat role invoke: each pattern as a foundation model in any region (cross-region
 * inference routes to other regions) and as an inference profile of this account.
 */
export function bedrockResources(scope: Construct, models: readonly string[]): string[] {
  const { partition, account } = Stack.of(scope);
  return models.flatMap((model) => [
    `arn:${partition}:bedrock:*::foundation-model/${model}`,
    `arn:${partition}:bedrock:*:${account}:inference-profile/${model}`,
  ]);
}

/** An ARN pattern for secrets; Secrets Manager appends `-` and 6 random characters to every secret's name. */
function secretArn(scope: Construct, namePattern: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: namePattern,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export function projectSecretsArn(scope: Construct, prefix: string): string {
  return secretArn(scope, `${prefix}/projects/*`);
}

export function defaultsSecretArn(scope: Construct, prefix: string): string {
  return secretArn(scope, `${prefix}/defaults-??????`);
}

/** The attributes the chat function's UpdateItem on `keys` may name: the key and `last_used_at`, nothing else. */
export const KEY_TOUCH_ATTRIBUTES = ['hash', 'last_used_at'] as const;

/**
 * The chat function: reads keys (and marks one used), appends usage rows (to the spool queue when the table does
 * not answer), updates its per-minute and budget items in `usage_daily` (read back for limits), reads provider
 * credentials under the prefix, and calls the Bedrock models the operator listed (none by default) with its own role.
 */
export function chatStatements(
  scope: Construct,
  { tables, secretPrefix, spoolQueue, bedrockModels }: ChatPolicyScope,
): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'ReadKeys',
      actions: ['dynamodb:GetItem'],
      resources: [tables.keys.tableArn],
    }),
    new PolicyStatement({
      // `last_used_at`, at most once a minute per key: fine-grained access keeps every other attribute read-only.
      sid: 'TouchKeys',
      actions: ['dynamodb:UpdateItem'],
      resources: [tables.keys.tableArn],
      conditions: {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...KEY_TOUCH_ATTRIBUTES] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
      },
    }),
    new PolicyStatement({
      sid: 'AppendUsage',
      actions: ['dynamodb:PutItem'],
      resources: [tables.usage.tableArn],
    }),
    new PolicyStatement({
      // SendMessageBatch is authorised as SendMessage. The queue is SQS-encrypted: no KMS key to grant.
      sid: 'SpoolUsage',
      actions: ['sqs:SendMessage'],
      resources: [spoolQueue.queueArn],
    }),
    new PolicyStatement({
      // Rate-limit (`rate#…`) and budget (`budget#…`) items; the daily counters come from the aggregator.
      sid: 'CountUsage',
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [tables.usageDaily.tableArn],
    }),
    new PolicyStatement({
      sid: 'ReadProviderCredentials',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [projectSecretsArn(scope, secretPrefix), defaultsSecretArn(scope, secretPrefix)],
    }),
    ...(bedrockModels.length === 0
      ? []
      : [
          new PolicyStatement({
            // Opt-in (CONTRACT.md §6): only the models the operator listed, for projects without Bedrock keys.
            sid: 'InvokeBedrock',
            actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
            resources: bedrockResources(scope, bedrockModels),
          }),
        ]),
  ];
}

/** The admin function: every table, and the projects' credential secrets (created on a project's first PUT). */
export function adminStatements(scope: Construct, { tables, secretPrefix }: PolicyScope): PolicyStatement[] {
  const all = Object.values(tables);
  return [
    new PolicyStatement({
      sid: 'ManageTables',
      // What lib/admin and the stores it uses send: no deletes (revoking a key is an update), no batches.
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan'],
      resources: [...all.map((table) => table.tableArn), `${tables.keys.tableArn}/index/${KEYS_BY_PROJECT_INDEX}`],
    }),
    new PolicyStatement({
      sid: 'ManageProviderCredentials',
      effect: Effect.ALLOW,
      // A project's secret is created on its first PUT and rewritten whole after; nothing deletes one.
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue'],
      resources: [projectSecretsArn(scope, secretPrefix)],
    }),
  ];
}

/**
 * The stream aggregator: adds to the counters in `usage_daily` with `TransactWriteItems`, which DynamoDB authorises
 * per action, so an `Update` needs `dynamodb:UpdateItem` on the table and nothing else. Reading the stream and
 * sending a failed batch's record to the on-failure queue are granted by the event source mapping.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */
export function aggregatorStatements({ tables }: Pick<PolicyScope, 'tables'>): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'AddToCounters',
      actions: ['dynamodb:UpdateItem'],
      resources: [tables.usageDaily.tableArn],
    }),
  ];
}

/**
 * The spool redrive: writes spooled rows into `usage` (PutItem with `attribute_not_exists(sk)`, so a replay is a
 * no-op). Receiving and deleting the queue's messages is granted by the event source mapping.
 */
export function spoolRedriveStatements({ tables }: Pick<PolicyScope, 'tables'>): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'AppendUsage',
      actions: ['dynamodb:PutItem'],
      resources: [tables.usage.tableArn],
    }),
  ];
}
