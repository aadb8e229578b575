/**
 * The process's X-Ray tracer (DESIGN.md §7). Powertools switches it off by itself outside Lambda: it traces only
 * when `AWS_EXECUTION_ENV` is set (and not under SAM local or Amplify mock), so locally and in tests every call here
 * is a cheap no-op. `POWERTOOLS_SERVICE_NAME` names the service; `POWERTOOLS_TRACE_ENABLED=false` turns it off.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export const DEFAULT_SERVICE_NAME = 'llm-gateway';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME });

/**
 * Traces an AWS SDK v3 client (DynamoDB, Secrets Manager, Bedrock Runtime): each call becomes a subsegment. Call it
 * once where the client is built, at module scope or in a cached factory. Returns the client untouched when tracing
 * is off or instrumenting fails: tracing never stops the gateway.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/#patching-aws-sdk-clients
 */
export function captureAWSv3Client<T>(client: T, using: Tracer = tracer): T {
  try {
    return using.captureAWSv3Client(client);
  } catch {
    return client;
  }
}
