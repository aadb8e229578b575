/**
 * The common core of the provider simulators: a loopback HTTP server (127.0.0.1, port 0) that records every request
 * it receives and answers each one with the next scripted reply (or the default reply once the script is used up).
 * Provider simulators (openai.ts, anthropic.ts, …) build replies that speak their provider's wire protocol.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  /** Set when the client went away (aborted) before the reply finished. */
  aborted: boolean;
}

/** The minimal response surface replies use: node's http ServerResponse and http2's compat response both have it. */
export type SimResponse = Pick<
  ServerResponse,
  'writeHead' | 'write' | 'end' | 'destroy' | 'on' | 'headersSent' | 'writableFinished'
> & {
  socket?: Socket | null;
};

export type Reply = (req: RecordedRequest, res: SimResponse) => Promise<void> | void;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A manually opened gate, for tests that step a stream chunk by chunk. */
export class Gate {
  private waiters: (() => void)[] = [];
  private opened = 0;
  /** Lets one waiter through (or the next one to arrive). */
  open(): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter();
    else this.opened += 1;
  }
  wait(): Promise<void> {
    if (this.opened > 0) {
      this.opened -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export function sendJson(res: SimResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export interface SseOptions {
  /** Delay before the response head and first event is written. */
  firstByteDelayMs?: number;
  /** Delay between events. */
  delayMs?: number;
  /** Awaited before each event after the first: lets a test step the stream. */
  beforeEach?: (index: number) => Promise<void>;
  /** Destroy the connection after this many events (a mid-stream drop). */
  dropAfter?: number;
  headers?: Record<string, string>;
}

/** Writes `events` as server-sent events; each event is either `data` only or a named `event` with `data`. */
export async function writeSse(
  req: RecordedRequest,
  res: SimResponse,
  events: readonly ({ event?: string; data: unknown } | string)[],
  options: SseOptions = {},
): Promise<void> {
  if (options.firstByteDelayMs) await sleep(options.firstByteDelayMs);
  if (req.aborted) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...options.headers,
  });
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && options.beforeEach) await options.beforeEach(i);
    if (i > 0 && options.delayMs) await sleep(options.delayMs);
    if (req.aborted) return;
    if (options.dropAfter !== undefined && i >= options.dropAfter) {
      res.destroy();
      return;
    }
    const event = events[i]!;
    if (typeof event === 'string') res.write(`data: ${event}\n\n`);
    else {
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      res.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`);
    }
  }
  res.end();
}

export class Simulator {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Reply[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  url = '';

  constructor(private defaultReply: Reply) {}

  /** Queues replies for the next requests, in order. */
  script(...replies: Reply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Replaces the reply used once the script is empty. */
  setDefault(reply: Reply): this {
    this.defaultReply = reply;
    return this;
  }

  get lastRequest(): RecordedRequest | undefined {
    return this.requests.at(-1);
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Records a request and serves it: usable by simulators that bring their own server (e.g. HTTP/2). */
  async handle(req: IncomingMessage, res: SimResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const url = new URL(req.url ?? '/', 'http://simulator');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body,
      aborted: false,
    };
    res.on('close', () => {
      if (!res.writableFinished) recorded.aborted = true;
    });
    this.requests.push(recorded);
    const reply = this.queue.shift() ?? this.defaultReply;
    try {
      await reply(recorded, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `simulator failure: ${String(error)}` } });
      else res.destroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
