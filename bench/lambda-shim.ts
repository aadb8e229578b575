/**
 * A stand-in for Lambda's `awslambda` global, so the bench's like-Lambda run (./lambda-child.ts) loads the real
 * streaming handler in a plain Node process. `streamifyResponse` marks the handler; `HttpResponseStream.from` writes the status and headers to the
 * socket and hands back a stream that writes each chunk as it comes (no buffering, with backpressure).
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { type HttpResponseMetadata, lambdaRuntime, setLambdaRuntime } from '../functions/shared/lambda-runtime.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

/** The response stream the local server passes to a streaming handler, writing straight to the HTTP response. */
export class LocalResponseStream extends Writable {
  constructor(private readonly res: ServerResponse) {
    super({ decodeStrings: false });
    // A client that hangs up destroys the stream, which is how the handler learns to abort its upstream call.
    res.on('close', () => {
      if (!res.writableFinished) this.destroy();
    });
  }

  writeHead(metadata: HttpResponseMetadata): void {
    this.res.writeHead(metadata.statusCode, metadata.headers ?? {});
    this.res.flushHeaders();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.res.headersSent) this.writeHead({ statusCode: 200 });
    if (this.res.write(chunk)) callback();
    else this.res.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.res.headersSent) this.writeHead({ statusCode: 200 });
    this.res.end(() => callback());
  }
}

export function installLambdaShim(): void {
  if (lambdaRuntime()) return;
  setLambdaRuntime({
    streamifyResponse(handler) {
      Object.defineProperty(handler, STREAMING, { value: 'response' });
      return handler;
    },
    HttpResponseStream: {
      from(stream, metadata) {
        if (stream instanceof LocalResponseStream) stream.writeHead(metadata);
        return stream;
      },
    },
  });
}
