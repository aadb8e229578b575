/**
 * The Lambda Node.js runtime's response-streaming globals. They exist only inside Lambda; locally and in tests,
 * local/lambda-shim.ts installs a stand-in before a handler is loaded.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

declare global {
  type StreamingHandler = (event: APIGatewayProxyEventV2, responseStream: Writable, context: Context) => Promise<void>;

  interface HttpResponseMetadata {
    statusCode: number;
    headers?: Record<string, string>;
    cookies?: string[];
  }

  var awslambda:
    | {
        streamifyResponse(handler: StreamingHandler): StreamingHandler;
        HttpResponseStream: { from(stream: Writable, metadata: HttpResponseMetadata): Writable };
      }
    | undefined;
}
