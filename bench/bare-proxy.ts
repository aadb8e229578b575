/**
 * The floor: a bare node:http pass-through to one upstream, with nothing a gateway does (no auth, no parsing, no
 * accounting). It forwards method, path, headers and body over a keep-alive agent and pipes the answer back as it
 * comes, so streams stay streams. The bench runs it in its own process, like the other targets:
 *
 *   node --import tsx bench/bare-proxy.ts http://127.0.0.1:<upstream port>   # prints `bare proxy on http://…`
 */
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { listenOnLoopback } from '../lib/core/loopback.js';

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

export interface BareProxy {
  url: string;
  close(): Promise<void>;
}

export async function startBareProxy(upstream: string): Promise<BareProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer({ noDelay: true }, (req, res) => {
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: target.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    forward.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on('close', () => res.writableFinished || forward.destroy());
    req.pipe(forward);
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    close: () => {
      agent.destroy();
      return listening.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = process.argv[2];
  if (!upstream) throw new Error('usage: bare-proxy.ts <upstream URL>');
  const proxy = await startBareProxy(upstream);
  process.stdout.write(`bare proxy on ${proxy.url}\n`);
  process.once('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
}
