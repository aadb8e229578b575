import type { Writable } from 'node:stream';
import type { ResponseSink } from '../../lib/gateway/http.js';
import { lambdaRuntime } from '../shared/lambda-runtime.js';

/**
 * The ResponseSink over a Lambda response stream (or the local server's stand-in): `start` writes the status and
 * headers through `awslambda.HttpResponseStream.from`, each `write` resolves once the stream took the bytes.
 */
export function streamSink(responseStream: Writable): ResponseSink {
  const closed = new AbortController();
  let body: Writable | undefined;
  let ended = false;
  const onGone = () => {
    if (!ended) closed.abort();
  };
  responseStream.once('close', onGone);
  responseStream.once('error', onGone);

  const open = (status: number, headers: Record<string, string>): Writable => {
    const lambda = lambdaRuntime();
    if (!lambda)
      throw new Error('awslambda is not installed: off Lambda, install a stand-in (bench/lambda-shim.ts) first');
    return lambda.HttpResponseStream.from(responseStream, { statusCode: status, headers });
  };

  return {
    closed: closed.signal,
    start(status, headers) {
      if (body) throw new Error('response already started');
      body = open(status, headers);
    },
    write(data) {
      body ??= open(200, {});
      const target = body;
      if (closed.signal.aborted || target.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        target.write(data, () => resolve());
      });
    },
    end() {
      ended = true;
      body ??= open(200, {});
      const target = body;
      if (target.destroyed || target.writableEnded) return Promise.resolve();
      // A client that left as the stream ended never lets `end` finish: 'close' settles it too (see local/node-http.ts).
      return new Promise((resolve) => {
        const done = () => {
          target.off('close', done);
          resolve();
        };
        target.once('close', done);
        target.end(done);
      });
    },
  };
}
