/**
 * The local server's adapters from Node's request and response to the gateway core's `HttpRequest` and
 * `ResponseSink` (DESIGN.md §5): the same core the Lambda handler calls, without a stand-in for Lambda's runtime.
 * Writes go straight to the socket as they come, with backpressure; a client that hangs up aborts `closed`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequest, ResponseSink } from '../lib/gateway/http.js';

export function toHttpRequest(req: IncomingMessage, body: Buffer): HttpRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | undefined> = {};
  // Repeated parameters join with commas, as a Function URL event's `queryStringParameters` has them.
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query,
    headers,
    body: body.length > 0 ? body.toString('utf8') : undefined,
  };
}

export function nodeSink(res: ServerResponse): ResponseSink {
  const closed = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) closed.abort();
  });
  const start = (status: number, headers: Record<string, string>) => {
    res.writeHead(status, headers);
    res.flushHeaders();
  };
  return {
    closed: closed.signal,
    start(status, headers) {
      if (res.headersSent) throw new Error('response already started');
      start(status, headers);
    },
    write(data) {
      if (!res.headersSent) start(200, {});
      if (closed.signal.aborted || res.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        if (res.write(data)) resolve();
        else {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        }
      });
    },
    end() {
      if (!res.headersSent) start(200, {});
      if (res.destroyed || res.writableEnded) return Promise.resolve();
      // A client that left while the last bytes were queued never lets `end` finish: its 'close' settles it too,
      // or the request's accounting would wait forever.
      return new Promise((resolve) => {
        const done = () => {
          res.off('close', done);
          resolve();
        };
        res.once('close', done);
        res.end(done);
      });
    },
  };
}
