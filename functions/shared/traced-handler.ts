/**
 * The Lambda handlers that return their answer (admin, the usage aggregator, the spool redrive), wrapped as
 * Powertools documents it: middy with the Tracer's `captureLambdaHandler`, which opens the `## index.handler`
 * subsegment, annotates `ColdStart` and `Service`, and records a thrown error. The middleware is used only where
 * this process traces (lib/tracing/tracer.ts); elsewhere the handler runs under middy alone.
 *
 * The chat handler is not one of them: it streams (`awslambda.streamifyResponse`), decides its status at the
 * provider's first chunk and writes the usage row after the body ended. Middy's streaming mode takes the status with
 * the handler's return and ends the invocation when the body ends, and its after-middlewares (the tracer's
 * subsegment) would close before the stream did; the chat function's provider spans hang off the invocation's own
 * segment instead (DESIGN.md §7).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/#lambda-handler
 * @see https://middy.js.org/docs/intro/getting-started
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { tracer } from '../../lib/tracing/index.js';

export interface TracedHandlerOptions {
  /**
   * Whether the handler's answer goes into the subsegment's metadata. Off where it may hold a secret (DESIGN.md §7:
   * an admin answer carries a new gateway key once).
   */
  captureResponse: boolean;
}

export function tracedHandler<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  options: TracedHandlerOptions,
  using: Tracer | undefined = tracer,
) {
  const wrapped = middy<Event, Result, Error, Context>(handler);
  if (using) wrapped.use(captureLambdaHandler(using, { captureResponse: options.captureResponse }));
  return wrapped;
}
