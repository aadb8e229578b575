/**
 * The cdk-nag AWS Solutions findings this stack accepts, each on the one construct it concerns, with its reason.
 * Everything else the rules report fails the synth.
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md#awssolutions
 */
import { Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

export interface NagSubjects {
  chatFunction: IFunction;
  adminFunction: IFunction;
  aggregatorFunction: IFunction;
  spoolRedriveFunction: IFunction;
  /** The aggregator's on-failure destination. */
  aggregatorFailures: IQueue;
  secretPrefix: string;
  /** Context `bedrockModels`: the chat role's Bedrock resources, each with the region wildcard. */
  bedrockModels: readonly string[];
}

const PARTITION = '<AWS::Partition>';
const REGION = '<AWS::Region>';
const ACCOUNT = '<AWS::AccountId>';

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

export function acknowledgeFindings(subjects: NagSubjects): void {
  const { chatFunction, adminFunction, aggregatorFunction, spoolRedriveFunction, secretPrefix } = subjects;
  const projectSecrets = `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretPrefix}/projects/*`;
  for (const fn of [chatFunction, adminFunction, aggregatorFunction, spoolRedriveFunction]) {
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'DESIGN.md pins nodejs22.x, the version the code is built and tested for (esbuild target node22).',
    );
  }
  for (const fn of [chatFunction, adminFunction, spoolRedriveFunction]) {
    // Policy findings sit on the role's DefaultPolicy, a child of the role.
    acknowledge(
      fn.role ?? fn,
      'AwsSolutions-IAM5[Resource::*]',
      'Added by tracing ACTIVE: xray:PutTraceSegments and PutTelemetryRecords have no resource-level permissions.',
    );
  }
  acknowledge(
    aggregatorFunction.role ?? aggregatorFunction,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray PutTraceSegments/PutTelemetryRecords (tracing) and the stream mapping’s dynamodb:ListStreams take no resource.',
  );
  acknowledge(
    subjects.aggregatorFailures,
    'AwsSolutions-SQS3',
    'This queue is itself the last stop: the stream mapping’s on-failure destination, read by an operator, not redriven.',
  );
  for (const fn of [chatFunction, adminFunction]) {
    acknowledge(
      fn.role ?? fn,
      `AwsSolutions-IAM5[Resource::${projectSecrets}]`,
      'One secret per project, created at run time: the wildcard is the project id, under this stack’s prefix.',
    );
  }
  const chatRole = chatFunction.role ?? chatFunction;
  for (const model of subjects.bedrockModels) {
    acknowledge(
      chatRole,
      `AwsSolutions-IAM5[Resource::arn:${PARTITION}:bedrock:*::foundation-model/${model}]`,
      'A model the operator listed in bedrockModels; cross-region inference reaches it in other regions.',
    );
    acknowledge(
      chatRole,
      `AwsSolutions-IAM5[Resource::arn:${PARTITION}:bedrock:*:${ACCOUNT}:inference-profile/${model}]`,
      'An inference profile the operator listed in bedrockModels; profiles route across regions.',
    );
  }
}
