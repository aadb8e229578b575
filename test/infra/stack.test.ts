import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinitions } from '../../lib/storage/tables.js';
import {
  actionsOf,
  allowing,
  buildApp,
  functionRoleId,
  isArnOf,
  logicalId,
  renderJoin,
  resourcesOf,
  roleStatements,
  type Statement,
  type Synthesised,
  synth,
  tableIds,
} from './helpers.js';

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** Actions the admin code never sends (issue 13): the role must not have them. */
const UNUSED_ADMIN_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'secretsmanager:UpdateSecret',
  'secretsmanager:DeleteSecret',
];

/** A synth takes about a second, several on a loaded machine. */
const SYNTH_TIMEOUT = 60_000;

let synthesised: Synthesised;
let ids: {
  chat: string;
  admin: string;
  aggregator: string;
  redrive: string;
  chatRole: string;
  adminRole: string;
  aggregatorRole: string;
  redriveRole: string;
};
let chat: Statement[];
let admin: Statement[];
let aggregator: Statement[];
let redrive: Statement[];

beforeAll(() => {
  synthesised = synth();
  const { template } = synthesised;
  const chatFn = logicalId(template, 'AWS::Lambda::Function', 'ChatFunction');
  const adminFn = logicalId(template, 'AWS::Lambda::Function', 'AdminFunction');
  const aggregatorFn = logicalId(template, 'AWS::Lambda::Function', 'AggregatorFunction');
  const redriveFn = logicalId(template, 'AWS::Lambda::Function', 'SpoolRedriveFunction');
  ids = {
    chat: chatFn,
    admin: adminFn,
    aggregator: aggregatorFn,
    redrive: redriveFn,
    chatRole: functionRoleId(template, chatFn),
    adminRole: functionRoleId(template, adminFn),
    aggregatorRole: functionRoleId(template, aggregatorFn),
    redriveRole: functionRoleId(template, redriveFn),
  };
  chat = roleStatements(template, ids.chatRole);
  admin = roleStatements(template, ids.adminRole);
  aggregator = roleStatements(template, ids.aggregatorRole);
  redrive = roleStatements(template, ids.redriveRole);
}, SYNTH_TIMEOUT);

describe('Function URLs', () => {
  it('serves chat through a RESPONSE_STREAM Function URL with auth NONE', () => {
    synthesised.template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [ids.chat, 'Arn'] },
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  it('serves admin through an AWS_IAM Function URL and grants nobody public invoke on it', () => {
    synthesised.template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [ids.admin, 'Arn'] },
      AuthType: 'AWS_IAM',
    });
    const permissions = Object.values(synthesised.template.findResources('AWS::Lambda::Permission'));
    const onAdmin = permissions.filter((p) => JSON.stringify(p.Properties.FunctionName).includes(ids.admin));
    expect(onAdmin).toEqual([]);
  });

  it('outputs both URLs', () => {
    const urls = synthesised.template.findResources('AWS::Lambda::Url');
    const urlOf = (fnId: string) =>
      Object.entries(urls).find(([, url]) => JSON.stringify(url.Properties.TargetFunctionArn).includes(fnId))![0];
    synthesised.template.hasOutput('ChatUrl', { Value: { 'Fn::GetAtt': [urlOf(ids.chat), 'FunctionUrl'] } });
    synthesised.template.hasOutput('AdminUrl', { Value: { 'Fn::GetAtt': [urlOf(ids.admin), 'FunctionUrl'] } });
  });
});

describe('functions', () => {
  it('runs chat on nodejs22.x arm64 with 1024 MB, 15 minutes, active tracing and the bundle entry', () => {
    synthesised.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 900,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Description: 'LLM gateway: chat',
    });
  });

  it('traces the admin function too', () => {
    const fn = synthesised.template.findResources('AWS::Lambda::Function')[ids.admin]!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('gives both functions the table names, the secret prefix and the Powertools settings', () => {
    const tables = tableIds(synthesised.template);
    for (const [fnId, service] of [
      [ids.chat, 'llm-gateway'],
      [ids.admin, 'llm-gateway-admin'],
    ] as const) {
      const fn = synthesised.template.findResources('AWS::Lambda::Function')[fnId]!;
      expect(fn.Properties.Environment.Variables).toMatchObject({
        PROJECTS_TABLE: { Ref: tables.projects },
        KEYS_TABLE: { Ref: tables.keys },
        USAGE_TABLE: { Ref: tables.usage },
        USAGE_DAILY_TABLE: { Ref: tables.usageDaily },
        GATEWAY_SECRET_PREFIX: 'llm-gateway',
        GATEWAY_CACHE_TTL_MS: '60000',
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
    }
  });

  it('keeps logs in a log group per function with the configured retention', () => {
    synthesised.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 4);
  });
});

describe('tables', () => {
  it('creates the four tables of lib/storage/tables.ts, on demand, with point-in-time recovery', () => {
    const { template } = synthesised;
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    // tableIds finds each table by the key schema of its definition, or throws.
    expect(Object.keys(tableIds(template)).sort()).toEqual(Object.keys(tableDefinitions).sort());
  });

  it('indexes keys by project and creation time', () => {
    const keys = synthesised.template.findResources('AWS::DynamoDB::Table')[tableIds(synthesised.template).keys]!;
    expect(keys.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'by_project',
        KeySchema: [
          { AttributeName: 'project_id', KeyType: 'HASH' },
          { AttributeName: 'created_at', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it(
    'expires usage rows only when usageTtlDays is set, and tells the chat function',
    () => {
      const usageOf = (s: Synthesised) =>
        s.template.findResources('AWS::DynamoDB::Table')[tableIds(s.template).usage]!.Properties;
      expect(usageOf(synthesised).TimeToLiveSpecification).toBeUndefined();

      const withTtl = synth({ context: { usageTtlDays: '90' } });
      expect(usageOf(withTtl).TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
      withTtl.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'LLM gateway: chat',
        Environment: { Variables: Match.objectLike({ USAGE_TTL_DAYS: '90' }) },
      });
    },
    SYNTH_TIMEOUT,
  );
});

describe('metering path', () => {
  it('streams the usage table’s new rows, and no other table', () => {
    const tables = tableIds(synthesised.template);
    const all = synthesised.template.findResources('AWS::DynamoDB::Table');
    expect(all[tables.usage]!.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    for (const id of [tables.projects, tables.keys, tables.usageDaily]) {
      expect(all[id]!.Properties.StreamSpecification, id).toBeUndefined();
    }
  });

  it('runs the aggregator and the redrive on nodejs22.x arm64 with active tracing and their bundles', () => {
    const functions = synthesised.template.findResources('AWS::Lambda::Function');
    for (const [fnId, name] of [
      [ids.aggregator, 'aggregator'],
      [ids.redrive, 'spool-redrive'],
    ] as const) {
      expect(functions[fnId]!.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Description: `LLM gateway: ${name}`,
      });
    }
    const tables = tableIds(synthesised.template);
    expect(functions[ids.aggregator]!.Properties.Environment.Variables).toMatchObject({
      USAGE_DAILY_TABLE: { Ref: tables.usageDaily },
    });
    expect(functions[ids.redrive]!.Properties.Environment.Variables).toMatchObject({
      USAGE_TABLE: { Ref: tables.usage },
    });
  });

  it('feeds the aggregator the usage stream’s INSERTs in order, with partial batch failures and bounded retries', () => {
    const tables = tableIds(synthesised.template);
    const failures = logicalId(synthesised.template, 'AWS::SQS::Queue', 'UsageAggregatorFailures');
    synthesised.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.aggregator },
      EventSourceArn: { 'Fn::GetAtt': [tables.usage, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    });
    expect(allowing(aggregator, 'sqs:SendMessage', failures)).toHaveLength(1);
  });

  it('drains the spool queue into the redrive with partial batch failures', () => {
    const spool = logicalId(synthesised.template, 'AWS::SQS::Queue', 'UsageSpool0');
    synthesised.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.redrive },
      EventSourceArn: { 'Fn::GetAtt': [spool, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const chatEnv = synthesised.template.findResources('AWS::Lambda::Function')[ids.chat]!.Properties.Environment;
    expect(chatEnv.Variables.USAGE_SPOOL_QUEUE_URL).toEqual({ Ref: spool });
  });

  it('encrypts every queue, refuses plain HTTP, keeps messages 14 days, and parks a poison row after 5 receives', () => {
    const { template } = synthesised;
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(3);
    template.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    const spool = logicalId(template, 'AWS::SQS::Queue', 'UsageSpool0');
    const deadLetters = logicalId(template, 'AWS::SQS::Queue', 'UsageSpoolDeadLetters');
    expect(queues[spool]!.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
      maxReceiveCount: 5,
    });
    const redriveTimeout = template.findResources('AWS::Lambda::Function')[ids.redrive]!.Properties.Timeout as number;
    expect(queues[spool]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * redriveTimeout);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    for (const queue of Object.keys(queues)) {
      const policy = policies.find((p) => JSON.stringify(p.Properties.Queues).includes(`"${queue}"`));
      expect(policy?.Properties.PolicyDocument.Statement, queue).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('IAM', () => {
  it('lets chat read keys and write only their last_used_at', () => {
    const keys = tableIds(synthesised.template).keys;
    expect(allowing(chat, 'dynamodb:GetItem', keys)).toHaveLength(1);
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(allowing(chat, action, keys), action).toEqual([]);
    }
    const updates = allowing(chat, 'dynamodb:UpdateItem', keys);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['hash', 'last_used_at'] },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
    });
  });

  it('never lets chat touch the projects table', () => {
    const projects = tableIds(synthesised.template).projects;
    expect(chat.filter((s) => JSON.stringify(s.Resource).includes(`"${projects}"`))).toEqual([]);
  });

  it('lets chat append usage rows and update its rate-limit and budget items', () => {
    const tables = tableIds(synthesised.template);
    expect(allowing(chat, 'dynamodb:PutItem', tables.usage)).toHaveLength(1);
    expect(allowing(chat, 'dynamodb:UpdateItem', tables.usageDaily)).toHaveLength(1);
    expect(allowing(chat, 'dynamodb:DeleteItem', tables.usage)).toEqual([]);
  });

  it('lets chat send to the usage spool queue and to no other queue', () => {
    const spool = logicalId(synthesised.template, 'AWS::SQS::Queue', 'UsageSpool0');
    const sqs = chat.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
    expect(sqs.flatMap(resourcesOf).every((resource) => isArnOf(resource, spool))).toBe(true);
    expect(admin.flatMap(actionsOf).filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets the aggregator update usage_daily, read the usage stream, and write no table else', () => {
    const tables = tableIds(synthesised.template);
    expect(allowing(aggregator, 'dynamodb:UpdateItem', tables.usageDaily)).toHaveLength(1);
    const dynamoActions = aggregator.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(new Set(dynamoActions)).toEqual(
      new Set([
        'dynamodb:UpdateItem',
        'dynamodb:ListStreams',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
      ]),
    );
    const update = aggregator.find((s) => actionsOf(s).includes('dynamodb:UpdateItem'))!;
    expect(resourcesOf(update).every((resource) => isArnOf(resource, tables.usageDaily))).toBe(true);
    const records = aggregator.find((s) => actionsOf(s).includes('dynamodb:GetRecords'))!;
    expect(resourcesOf(records)).toEqual([{ 'Fn::GetAtt': [tables.usage, 'StreamArn'] }]);
  });

  it('lets the spool redrive put usage rows, consume the spool queue, and nothing else in DynamoDB', () => {
    const tables = tableIds(synthesised.template);
    const spool = logicalId(synthesised.template, 'AWS::SQS::Queue', 'UsageSpool0');
    expect(redrive.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:PutItem']);
    expect(allowing(redrive, 'dynamodb:PutItem', tables.usage)).toHaveLength(1);
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
      expect(allowing(redrive, action, spool), action).toHaveLength(1);
    }
  });

  it('lets chat read secrets under the prefix and never write one', () => {
    const actions = chat.flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'));
    expect(actions).toEqual(['secretsmanager:GetSecretValue']);
    const read = chat.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!;
    expect(resourcesOf(read).map(renderJoin)).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:llm-gateway/projects/*',
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:llm-gateway/defaults-??????',
    ]);
  });

  it('gives chat no Bedrock permission and no default-chain switch unless bedrockModels is set', () => {
    expect(chat.flatMap(actionsOf).filter((a) => a.startsWith('bedrock:'))).toEqual([]);
    const variables = synthesised.template.findResources('AWS::Lambda::Function')[ids.chat]!.Properties.Environment
      .Variables as Record<string, unknown>;
    expect(variables).not.toHaveProperty('GATEWAY_BEDROCK_DEFAULT_CHAIN');
  });

  it(
    'with bedrockModels, lets chat invoke exactly those models and profiles, streaming or not',
    () => {
      const opted = synth({ context: { bedrockModels: 'anthropic.claude-sonnet-4-*,amazon.nova-lite-v1:0' } });
      const chatFn = logicalId(opted.template, 'AWS::Lambda::Function', 'ChatFunction');
      const statements = roleStatements(opted.template, functionRoleId(opted.template, chatFn));
      const bedrock = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('bedrock:')));
      expect(bedrock.flatMap(actionsOf).sort()).toEqual([
        'bedrock:InvokeModel',
        'bedrock:InvokeModelWithResponseStream',
      ]);
      expect(bedrock.flatMap(resourcesOf).map(renderJoin)).toEqual([
        'arn:<AWS::Partition>:bedrock:*::foundation-model/anthropic.claude-sonnet-4-*',
        'arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/anthropic.claude-sonnet-4-*',
        'arn:<AWS::Partition>:bedrock:*::foundation-model/amazon.nova-lite-v1:0',
        'arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/amazon.nova-lite-v1:0',
      ]);
      opted.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'LLM gateway: chat',
        Environment: { Variables: Match.objectLike({ GATEWAY_BEDROCK_DEFAULT_CHAIN: 'true' }) },
      });
      const errors = Annotations.fromStack(opted.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      expect(errors).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'caps the chat function with chatReservedConcurrency, and refuses a value out of range',
    () => {
      const capped = synth({ context: { chatReservedConcurrency: '50' } });
      capped.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'LLM gateway: chat',
        ReservedConcurrentExecutions: 50,
      });
      expect(() => synth({ context: { chatReservedConcurrency: '0' } })).toThrow(/chatReservedConcurrency/);
      expect(() => synth({ context: { cacheTtlSeconds: '61' } })).toThrow(/cacheTtlSeconds/);
      expect(() => synth({ context: { keepAliveSeconds: '601' } })).toThrow(/keepAliveSeconds/);
      expect(() => synth({ context: { bedrockModels: 'anthropic/../x' } })).toThrow(/bedrockModels/);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'tells the chat function when to start keep-alives (15 s unless keepAliveSeconds says otherwise), and maps stack traces only with sourceMaps',
    () => {
      const environment = (template: typeof synthesised.template) =>
        Object.values(
          template.findResources('AWS::Lambda::Function', { Properties: { Description: 'LLM gateway: chat' } }),
        )[0]?.Properties.Environment.Variables;
      expect(environment(synthesised.template)).toMatchObject({
        GATEWAY_KEEPALIVE_AFTER_MS: '15000',
        GATEWAY_KEEPALIVE_INTERVAL_MS: '15000',
      });
      expect(environment(synth({ context: { keepAliveSeconds: '0' } }).template)).toMatchObject({
        GATEWAY_KEEPALIVE_AFTER_MS: '0',
      });
      // Source maps cost about a fifth of a cold start: only where the operator asks for them.
      expect(environment(synthesised.template)?.NODE_OPTIONS).toBeUndefined();
      expect(environment(synth({ context: { sourceMaps: 'true' } }).template)).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(() => synth({ context: { sourceMaps: 'yes' } })).toThrow(/sourceMaps/);
    },
    SYNTH_TIMEOUT,
  );

  it('lets admin read and write every table and manage project secrets under the prefix', () => {
    const tables = tableIds(synthesised.template);
    for (const table of Object.values(tables)) {
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query', ...WRITE_ACTIONS]) {
        expect(allowing(admin, action, table), `${action} on ${table}`).toHaveLength(1);
      }
    }
    const secrets = admin.find((s) => actionsOf(s).includes('secretsmanager:CreateSecret'))!;
    expect(actionsOf(secrets).sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    for (const action of UNUSED_ADMIN_ACTIONS) expect(admin.flatMap(actionsOf)).not.toContain(action);
    expect(resourcesOf(secrets).map(renderJoin)).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:llm-gateway/projects/*',
    ]);
  });

  it('grants no service-wide wildcard action to any function', () => {
    for (const statement of [...chat, ...admin, ...aggregator, ...redrive]) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it('writes logs and traces with permissions on the function’s own log group and X-Ray', () => {
    const functions = synthesised.template.findResources('AWS::Lambda::Function');
    for (const [fnId, statements] of [
      [ids.chat, chat],
      [ids.admin, admin],
      [ids.aggregator, aggregator],
      [ids.redrive, redrive],
    ] as const) {
      expect(statements.flatMap(actionsOf)).toEqual(
        expect.arrayContaining(['xray:PutTraceSegments', 'logs:CreateLogStream', 'logs:PutLogEvents']),
      );
      const logGroup = (functions[fnId]!.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logs = statements.filter((s) => actionsOf(s).includes('logs:PutLogEvents'));
      expect(logs.flatMap(resourcesOf).every((resource) => isArnOf(resource, logGroup))).toBe(true);
    }
  });
});

describe('context', () => {
  it(
    'names the stack and the secret prefix, and sizes the chat function',
    () => {
      const custom = synth({ context: { stackName: 'team-gw', chatMemoryMb: '2048', logRetentionDays: '7' } });
      expect(custom.stack.stackName).toBe('team-gw');
      custom.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'LLM gateway: chat',
        MemorySize: 2048,
        Environment: { Variables: Match.objectLike({ GATEWAY_SECRET_PREFIX: 'team-gw' }) },
      });
      custom.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 4);
      expect(JSON.stringify(custom.template.toJSON())).not.toContain('secret:llm-gateway/');
    },
    SYNTH_TIMEOUT,
  );

  it('refuses a context value out of range, naming the key', () => {
    expect(() => synth({ context: { chatMemoryMb: '64' } })).toThrow(/chatMemoryMb/);
    expect(() => synth({ context: { logRetentionDays: '10' } })).toThrow(/logRetentionDays/);
  });
});

describe('cdk-nag', () => {
  it('reports nothing unacknowledged and no warning or error annotation', () => {
    // synth() above ran the AwsSolutions plugin: any unacknowledged finding would have thrown.
    const annotations = Annotations.fromStack(synthesised.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('gives every acknowledged finding a one-line reason', () => {
    const acknowledged = synthesised.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      // Recorded as `{ "Annotation::<rule id>": reason }`.
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([key, reason]) => ({ id: key.replace(/^Annotation::/, ''), reason }));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(20);
      expect(reason, id).not.toContain('\n');
    }
  });

  it(
    'fails the synth on a finding nobody acknowledged',
    () => {
      const { app } = buildApp({
        extend: (stack) => {
          const role = new Role(stack, 'Careless', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
          role.addToPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
        },
      });
      expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
    },
    SYNTH_TIMEOUT,
  );
});
