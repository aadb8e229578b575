/**
 * The process's X-Ray tracer (DESIGN.md §7), on Lambda only: it traces when `AWS_EXECUTION_ENV` is set (and not
 * under SAM local or Amplify mock, and unless `POWERTOOLS_TRACE_ENABLED=false`), as Powertools itself decides.
 * Elsewhere the tracer is not even loaded: the X-Ray SDK installs an async hook on every promise at import, which
 * measured 4× slower promise handling and ~1 ms of CPU per request in the local gateway, tracing off or not
 * (docs/benchmarks.md). `POWERTOOLS_SERVICE_NAME` names the service.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

export const DEFAULT_SERVICE_NAME = 'llm-gateway';

/** Whether this process traces: the environment Powertools checks, read once at load. */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    Boolean(env.AWS_EXECUTION_ENV) &&
    env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false' &&
    !env.AWS_SAM_LOCAL &&
    !env.AWS_AMPLIFY_MOCK
  );
}

/** The process's tracer on Lambda; undefined elsewhere, where every tracing call is a no-op. */
export const tracer: Tracer | undefined = tracingWanted()
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({
      serviceName: process.env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME,
    })
  : undefined;

/**
 * Traces an AWS SDK v3 client (DynamoDB, Secrets Manager, Bedrock Runtime): each call becomes a subsegment. Call it
 * once where the client is built, at module scope or in a cached factory. Returns the client untouched when tracing
 * is off or instrumenting fails: tracing never stops the gateway.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/#patching-aws-sdk-clients
 */
export function captureAWSv3Client<T>(client: T, using: Tracer | undefined = tracer): T {
  if (!using) return client;
  try {
    return using.captureAWSv3Client(client);
  } catch {
    return client;
  }
}
