/**
 * "Like Lambda": DynamoDB in AWS is a network round trip away, dynalite on loopback is not. This HTTP proxy sits in
 * front of dynalite and holds every call for a fixed time (default 5 ms, counted from the request's arrival) before
 * forwarding it over a keep-alive connection, then pipes the answer back. It records each call's operation
 * (`x-amz-target`, e.g. `DynamoDB_20120810.UpdateItem` → `UpdateItem`) and arrival time (epoch ms, sub-ms), so the
 * bench can tell which calls a request made before its response ended and which in its tail.
 *
 *   node --import tsx bench/delay-proxy.ts http://127.0.0.1:<dynalite port> [delay ms]   # prints `delay proxy on …`
 */
import { Agent, createServer, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { listenOnLoopback } from '../lib/core/loopback.js';

export interface DynamoCall {
  /** Arrival at the proxy: performance.timeOrigin + performance.now(), comparable across processes. */
  at: number;
  op: string;
}

export interface DelayProxy {
  url: string;
  delayMs: number;
  readonly calls: DynamoCall[];
  close(): Promise<void>;
}

export async function startDelayProxy(upstream: string, delayMs = 5): Promise<DelayProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const calls: DynamoCall[] = [];
  const server = createServer({ noDelay: true }, (req, res) => {
    const arrived = performance.now();
    const op =
      String(req.headers['x-amz-target'] ?? req.method)
        .split('.')
        .pop() ?? '?';
    calls.push({ at: performance.timeOrigin + arrived, op });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = () => {
        const upstreamReq = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host, connection: 'keep-alive' },
            agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstreamReq.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
        upstreamReq.end(Buffer.concat(chunks));
      };
      setTimeout(forward, Math.max(0, arrived + delayMs - performance.now()));
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    delayMs,
    calls,
    close: () => {
      agent.destroy();
      return listening.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [upstream, delay] = process.argv.slice(2);
  if (!upstream) throw new Error('usage: delay-proxy.ts <upstream URL> [delay ms]');
  const proxy = await startDelayProxy(upstream, delay ? Number(delay) : 5);
  process.stdout.write(`delay proxy on ${proxy.url} (+${proxy.delayMs} ms per call)\n`);
  process.once('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
}
