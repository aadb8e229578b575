/**
 * The gateway in one stack (DESIGN.md §6): four DynamoDB tables, the chat function behind a response-streaming
 * Function URL (auth NONE: the gateway key is the auth), the admin function behind an `AWS_IAM` Function URL,
 * the metering path (the usage stream's aggregator, the usage spool queue and its redrive), X-Ray tracing, and
 * least-privilege roles. Settings come from CDK context (./config.ts).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { type IRole, type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  FilterCriteria,
  FilterRule,
  FunctionUrlAuthType,
  InvokeMode,
  Function as LambdaFunction,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BEDROCK_DEFAULT_CHAIN_VARIABLE } from '../lib/gateway/defaults.js';
import { CACHE_TTL_VARIABLE } from '../lib/storage/index.js';
import { SPOOL_QUEUE_URL_VARIABLE } from '../lib/usage/sqs-spool.js';
import { type FunctionName, LAMBDA_HANDLER, SOURCE_MAPS_NODE_OPTION } from './bundling.js';
import type { GatewayConfig } from './config.js';
import { FUNCTION_RUNTIME, functionCode } from './function-code.js';
import { acknowledgeFindings } from './nag.js';
import { adminStatements, aggregatorStatements, chatStatements, spoolRedriveStatements } from './permissions.js';
import { createTables, type GatewayTables } from './tables.js';

export interface GatewayStackProps extends StackProps {
  config: GatewayConfig;
}

/** How long SQS and the on-failure queue keep a message: their maximum, time to notice and redrive by hand. */
const QUEUE_RETENTION = Duration.days(14);
/** The redrive function's timeout; the spool queue hides a received message six times as long (AWS's advice). */
const REDRIVE_TIMEOUT = Duration.seconds(30);

export class GatewayStack extends Stack {
  readonly tables: GatewayTables;
  readonly chatFunction: LambdaFunction;
  readonly adminFunction: LambdaFunction;
  readonly aggregatorFunction: LambdaFunction;
  readonly spoolRedriveFunction: LambdaFunction;
  readonly spoolQueue: Queue;

  constructor(scope: Construct, id: string, props: GatewayStackProps) {
    super(scope, id, props);
    const { config } = props;
    const secretPrefix = this.stackName;
    this.tables = createTables(this, { usageTtl: config.usageTtlDays !== undefined });

    const environment: Record<string, string> = {
      PROJECTS_TABLE: this.tables.projects.tableName,
      KEYS_TABLE: this.tables.keys.tableName,
      USAGE_TABLE: this.tables.usage.tableName,
      USAGE_DAILY_TABLE: this.tables.usageDaily.tableName,
      GATEWAY_SECRET_PREFIX: secretPrefix,
      [CACHE_TTL_VARIABLE]: String(config.cacheTtlSeconds * 1000),
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      // Stack traces through the bundle's source maps, when the operator pays their cold-start cost for them.
      ...(config.sourceMaps ? { NODE_OPTIONS: SOURCE_MAPS_NODE_OPTION } : {}),
    };

    // The durable spool for rows the usage table could not take (CONTRACT.md §4), drained by the redrive function.
    const spoolDeadLetters = this.queue('UsageSpoolDeadLetters');
    this.spoolQueue = this.queue('UsageSpool', {
      visibilityTimeout: Duration.seconds(REDRIVE_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: spoolDeadLetters, maxReceiveCount: 5 },
    });

    this.chatFunction = this.gatewayFunction('Chat', {
      name: 'chat',
      memorySize: config.chatMemoryMb,
      // Long generations stream for minutes; a Function URL invocation may run up to Lambda's 15-minute limit.
      timeout: Duration.minutes(15),
      environment: {
        ...environment,
        POWERTOOLS_SERVICE_NAME: 'llm-gateway',
        [SPOOL_QUEUE_URL_VARIABLE]: this.spoolQueue.queueUrl,
        GATEWAY_KEEPALIVE_AFTER_MS: String(config.keepAliveSeconds * 1000),
        GATEWAY_KEEPALIVE_INTERVAL_MS: String(Math.max(1, config.keepAliveSeconds) * 1000),
        ...(config.usageTtlDays !== undefined ? { USAGE_TTL_DAYS: String(config.usageTtlDays) } : {}),
        ...(config.bedrockModels.length > 0 ? { [BEDROCK_DEFAULT_CHAIN_VARIABLE]: 'true' } : {}),
      },
      statements: chatStatements(this, {
        tables: this.tables,
        secretPrefix,
        spoolQueue: this.spoolQueue,
        bedrockModels: config.bedrockModels,
      }),
      ...(config.chatReservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: config.chatReservedConcurrency }),
      logRetentionDays: config.logRetentionDays,
    });
    this.adminFunction = this.gatewayFunction('Admin', {
      name: 'admin',
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'llm-gateway-admin' },
      statements: adminStatements(this, { tables: this.tables, secretPrefix }),
      logRetentionDays: config.logRetentionDays,
    });

    this.aggregatorFunction = this.gatewayFunction('Aggregator', {
      name: 'aggregator',
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'llm-gateway-aggregator' },
      statements: aggregatorStatements({ tables: this.tables }),
      logRetentionDays: config.logRetentionDays,
    });
    // Where a batch goes once its retries are spent: its shard and sequence range (not its rows), to redrive by hand
    // while the stream still holds it (24 hours). The rows stay in the usage table either way.
    const aggregatorFailures = this.queue('UsageAggregatorFailures');
    this.aggregatorFunction.addEventSource(
      new DynamoEventSource(this.tables.usage, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        // Only new rows count: TTL expiries and other removals never wake the function.
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
        reportBatchItemFailures: true,
        // Off: a halved batch gets other chunks, so other idempotency tokens, and could count a written chunk twice.
        bisectBatchOnError: false,
        retryAttempts: 10,
        onFailure: new SqsDlq(aggregatorFailures),
      }),
    );

    this.spoolRedriveFunction = this.gatewayFunction('SpoolRedrive', {
      name: 'spool-redrive',
      memorySize: 256,
      timeout: REDRIVE_TIMEOUT,
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'llm-gateway-spool-redrive' },
      statements: spoolRedriveStatements({ tables: this.tables }),
      logRetentionDays: config.logRetentionDays,
    });
    this.spoolRedriveFunction.addEventSource(
      new SqsEventSource(this.spoolQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    const chatUrl = this.chatFunction.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
    const adminUrl = this.adminFunction.addFunctionUrl({
      authType: FunctionUrlAuthType.AWS_IAM,
      invokeMode: InvokeMode.BUFFERED,
    });

    new CfnOutput(this, 'ChatUrl', {
      value: chatUrl.url,
      description: 'OpenAI-compatible base URL: append v1 (e.g. <ChatUrl>v1/chat/completions)',
    });
    new CfnOutput(this, 'AdminUrl', {
      value: adminUrl.url,
      description: 'Admin API (SigV4-signed requests, service lambda), e.g. <AdminUrl>admin/projects',
    });

    acknowledgeFindings({
      chatFunction: this.chatFunction,
      adminFunction: this.adminFunction,
      aggregatorFunction: this.aggregatorFunction,
      spoolRedriveFunction: this.spoolRedriveFunction,
      aggregatorFailures,
      secretPrefix,
      bedrockModels: config.bedrockModels,
    });
  }

  /** An SQS queue as every queue here is: SQS-managed encryption, TLS only, messages kept 14 days. */
  private queue(id: string, props: Omit<QueueProps, 'encryption' | 'enforceSSL' | 'retentionPeriod'> = {}): Queue {
    return new Queue(this, id, {
      ...props,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
    });
  }

  private gatewayFunction(
    id: string,
    options: {
      name: FunctionName;
      memorySize: number;
      timeout: Duration;
      environment: Record<string, string>;
      statements: PolicyStatement[];
      logRetentionDays: number;
      reservedConcurrentExecutions?: number;
    },
  ): LambdaFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: options.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the default one, whose AWS-managed policy may write to any log group.
    const role: IRole = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `LLM gateway ${options.name} function`,
    });
    const fn = new LambdaFunction(this, `${id}Function`, {
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      handler: LAMBDA_HANDLER,
      code: functionCode(options.name),
      memorySize: options.memorySize,
      timeout: options.timeout,
      tracing: Tracing.ACTIVE,
      environment: options.environment,
      logGroup,
      role,
      description: `LLM gateway: ${options.name}`,
      ...(options.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
    });
    logGroup.grantWrite(role);
    for (const statement of options.statements) role.addToPrincipalPolicy(statement);
    return fn;
  }
}
