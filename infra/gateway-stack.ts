/**
 * The gateway in one stack (DESIGN.md §6): four DynamoDB tables, the chat function behind a response-streaming
 * Function URL (auth NONE: the gateway key is the auth), the admin function behind an `AWS_IAM` Function URL,
 * X-Ray tracing, and least-privilege roles. Settings come from CDK context (./config.ts).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { type IRole, type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  FunctionUrlAuthType,
  InvokeMode,
  Function as LambdaFunction,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_HANDLER } from './bundling.js';
import type { GatewayConfig } from './config.js';
import { FUNCTION_RUNTIME, functionCode } from './function-code.js';
import { acknowledgeFindings } from './nag.js';
import { adminStatements, chatStatements } from './permissions.js';
import { createTables, type GatewayTables } from './tables.js';

export interface GatewayStackProps extends StackProps {
  config: GatewayConfig;
}

export class GatewayStack extends Stack {
  readonly tables: GatewayTables;
  readonly chatFunction: LambdaFunction;
  readonly adminFunction: LambdaFunction;

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
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      // Stack traces through the bundle's source maps (the maps ship beside the chunks).
      NODE_OPTIONS: '--enable-source-maps',
    };

    this.chatFunction = this.gatewayFunction('Chat', {
      name: 'chat',
      memorySize: config.chatMemoryMb,
      // Long generations stream for minutes; a Function URL invocation may run up to Lambda's 15-minute limit.
      timeout: Duration.minutes(15),
      environment: {
        ...environment,
        POWERTOOLS_SERVICE_NAME: 'llm-gateway',
        ...(config.usageTtlDays !== undefined ? { USAGE_TTL_DAYS: String(config.usageTtlDays) } : {}),
      },
      statements: chatStatements(this, { tables: this.tables, secretPrefix }),
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

    acknowledgeFindings({ chatFunction: this.chatFunction, adminFunction: this.adminFunction, secretPrefix });
  }

  private gatewayFunction(
    id: string,
    options: {
      name: 'chat' | 'admin';
      memorySize: number;
      timeout: Duration;
      environment: Record<string, string>;
      statements: PolicyStatement[];
      logRetentionDays: number;
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
    });
    logGroup.grantWrite(role);
    for (const statement of options.statements) role.addToPrincipalPolicy(statement);
    return fn;
  }
}
