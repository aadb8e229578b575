/**
 * The server behind `npm run dashboard` (CONTRACT.md §7): the dashboard page on 127.0.0.1, and its `/admin` reads
 * forwarded to a deployed admin Function URL, each signed with SigV4 from the caller's AWS credentials
 * (./sigv4.ts, as `npm run admin` signs). Whoever can reach the port acts with those credentials, so it forwards
 * only what the page does — GET under /admin — and only from the page itself: a Host other than its own loopback
 * address (DNS rebinding) or a request from another origin (another site open in the same browser) is refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dashboardPage, isDashboardPath } from '../dashboard/page.js';
import { GatewayError, toErrorBody } from '../lib/core/errors.js';
import { listenOnLoopback } from '../lib/core/loopback.js';
import { type AdminClientOptions, adminClient } from './sigv4.js';

export interface DashboardProxyOptions extends AdminClientOptions {
  /** The stack's AdminUrl output. */
  adminUrl: string;
  /** 0 picks a free port. */
  port: number;
}

export interface DashboardProxy {
  url: string;
  close(): Promise<void>;
}

/** Answers that say why, in the admin API's own error envelope. */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify(toErrorBody(new GatewayError({ status, type: 'invalid_request_error', code, message })));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The reason to refuse a request that does not come from the page on this very address, if any. */
function foreignRequest(req: IncomingMessage, port: number): string | undefined {
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return `Host ${host} is not this server.`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return `Requests from ${origin} are not forwarded.`;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'Only the dashboard page may call.';
  return undefined;
}

export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const admin = adminClient(options.adminUrl, options);
  let port = options.port;

  async function forward(res: ServerResponse, pathAndQuery: string): Promise<void> {
    let upstream: Response;
    try {
      upstream = await admin.send('GET', pathAndQuery);
    } catch (error) {
      // A missing credential or an unreachable URL: the SDK's and fetch's messages name neither a secret nor a key.
      const message = error instanceof Error ? error.message : String(error);
      return refuse(res, 502, 'admin_unreachable', `Could not call the admin URL: ${message}`);
    }
    const body = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const foreign = foreignRequest(req, port);
    if (foreign) return refuse(res, 403, 'forbidden', foreign);
    if (req.method === 'GET' && isDashboardPath(url.pathname)) {
      const page = dashboardPage('sigv4');
      res.writeHead(page.status, { ...page.headers, 'content-length': Buffer.byteLength(page.body) });
      return res.end(page.body);
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(302, { location: '/dashboard' });
      return res.end();
    }
    if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) {
      if (req.method !== 'GET') {
        return refuse(res, 405, 'method_not_allowed', 'The dashboard only reads: use npm run admin to change things.');
      }
      forward(res, `${url.pathname}${url.search}`).catch(() => res.destroy());
      return;
    }
    refuse(res, 404, 'not_found', `Nothing at ${url.pathname}: the dashboard is at /dashboard.`);
  });
  const listening = await listenOnLoopback(server, options.port);
  port = listening.port;
  return { url: listening.url, close: listening.close };
}
