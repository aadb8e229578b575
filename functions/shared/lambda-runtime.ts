/**
 * The Lambda Node.js runtime's response-streaming global, `awslambda`, typed once. It exists only inside Lambda;
 * in tests and the bench a stand-in is installed before a handler is loaded (bench/lambda-shim.ts).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export type StreamingHandler = (
  event: APIGatewayProxyEventV2,
  responseStream: Writable,
  context: Context,
) => Promise<void>;

export interface HttpResponseMetadata {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

export interface LambdaStreamingRuntime {
  streamifyResponse(handler: StreamingHandler): StreamingHandler;
  HttpResponseStream: { from(stream: Writable, metadata: HttpResponseMetadata): Writable };
}

type WithRuntime = { awslambda?: Partial<LambdaStreamingRuntime> & Record<string, unknown> };

/**
 * The runtime's streaming API, when present. Off Lambda `awslambda` may still exist holding only other things
 * (the AWS SDK's `@aws/lambda-invoke-store` puts an `InvokeStore` there), so presence alone proves nothing.
 */
export function lambdaRuntime(): LambdaStreamingRuntime | undefined {
  const runtime = (globalThis as unknown as WithRuntime).awslambda;
  return typeof runtime?.streamifyResponse === 'function' && runtime.HttpResponseStream
    ? (runtime as LambdaStreamingRuntime)
    : undefined;
}

/** Adds the streaming API to `awslambda`, keeping whatever else is already there. */
export function setLambdaRuntime(runtime: LambdaStreamingRuntime): void {
  const global = globalThis as unknown as WithRuntime;
  global.awslambda = Object.assign(global.awslambda ?? {}, runtime);
}
