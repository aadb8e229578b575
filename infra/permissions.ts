/**
 * Least-privilege policies of the two functions (DESIGN.md §4, §6), as explicit statements rather than `grant*`
 * helpers, so each action a function may take is listed here and asserted by the tests.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { KEYS_BY_PROJECT_INDEX } from '../lib/storage/tables.js';
import type { GatewayTables } from './tables.js';

export interface PolicyScope {
  tables: GatewayTables;
  /** `GATEWAY_SECRET_PREFIX`: secrets live at `<prefix>/projects/<id>/providers` and `<prefix>/defaults`. */
  secretPrefix: string;
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
 * The chat function: reads keys (and marks one used), appends usage rows, updates the daily and per-minute counters
 * (read back for limits), reads provider credentials under the prefix, and calls Bedrock with its own role.
 */
export function chatStatements(scope: Construct, { tables, secretPrefix }: PolicyScope): PolicyStatement[] {
  const { partition, account } = Stack.of(scope);
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
      sid: 'CountUsage',
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [tables.usageDaily.tableArn],
    }),
    new PolicyStatement({
      sid: 'ReadProviderCredentials',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [projectSecretsArn(scope, secretPrefix), defaultsSecretArn(scope, secretPrefix)],
    }),
    new PolicyStatement({
      // Cross-region inference profiles route to foundation models in other regions, hence the region wildcard.
      sid: 'InvokeBedrock',
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: [
        `arn:${partition}:bedrock:*::foundation-model/*`,
        `arn:${partition}:bedrock:*:${account}:inference-profile/*`,
      ],
    }),
  ];
}

/** The admin function: every table, and the projects' credential secrets (created on a project's first PUT). */
export function adminStatements(scope: Construct, { tables, secretPrefix }: PolicyScope): PolicyStatement[] {
  const all = Object.values(tables);
  return [
    new PolicyStatement({
      sid: 'ManageTables',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DescribeTable',
      ],
      resources: [...all.map((table) => table.tableArn), `${tables.keys.tableArn}/index/${KEYS_BY_PROJECT_INDEX}`],
    }),
    new PolicyStatement({
      sid: 'ManageProviderCredentials',
      effect: Effect.ALLOW,
      actions: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
      ],
      resources: [projectSecretsArn(scope, secretPrefix)],
    }),
  ];
}
