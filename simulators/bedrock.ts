/**
 * A loopback Bedrock runtime: `POST /model/{modelId}/converse` (JSON) and `/model/{modelId}/converse-stream` (binary
 * `application/vnd.amazon.eventstream` frames), errors as AWS sends them (`x-amzn-errortype` header, JSON body).
 * The AWS SDK speaks HTTP/2 to it by default, so one port serves cleartext HTTP/2 (prior knowledge) and HTTP/1.1:
 * the first bytes of each connection pick the server. Every request must carry a SigV4 or Bearer `authorization`
 * header; one without is answered 403 as AWS does.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */
import { createServer as createHttp1Server, type Server as Http1Server, type IncomingMessage } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type Http2ServerResponse } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { type RecordedRequest, type Reply, type SimResponse, Simulator, sendJson, sleep } from './base.js';

export type BedrockEventType =
  | 'messageStart'
  | 'contentBlockStart'
  | 'contentBlockDelta'
  | 'contentBlockStop'
  | 'messageStop'
  | 'metadata'
  | 'chunk';

/** One frame of a ConverseStream answer: an event, or a modelled exception (`throttlingException`, …). */
export type BedrockFrame =
  | { event: BedrockEventType; data: Record<string, unknown> }
  | { exception: string; message: string; extra?: Record<string, unknown> };

export interface EventStreamOptions {
  /** Delay before the response head is written. */
  firstByteDelayMs?: number;
  /** Awaited before each frame after the first: lets a test step the stream (e.g. with a Gate). */
  beforeEach?: (index: number) => Promise<void>;
  /** Reset the HTTP/2 stream (or socket) after this many frames: a mid-stream drop. */
  dropAfter?: number;
}

export type ParsedAuthorization =
  | { scheme: 'sigv4'; accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[] }
  | { scheme: 'bearer'; token: string };

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,\s]+), ?Signature=[0-9a-f]{64}$/;

/** Reads the `authorization` header the SDK sent; undefined when it is missing or neither SigV4 nor Bearer. */
export function parseAuthorization(header: string | string[] | undefined): ParsedAuthorization | undefined {
  if (typeof header !== 'string') return undefined;
  const bearer = /^Bearer (\S+)$/.exec(header);
  if (bearer) return { scheme: 'bearer', token: bearer[1]! };
  const sig = SIGV4.exec(header);
  if (!sig) return undefined;
  return {
    scheme: 'sigv4',
    accessKeyId: sig[1]!,
    date: sig[2]!,
    region: sig[3]!,
    service: sig[4]!,
    signedHeaders: sig[5]!.split(';'),
  };
}

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;

/** The model id and operation of a recorded request; the SDK percent-encodes the id (`:` → `%3A`). */
export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export function routeOf(req: RecordedRequest): { modelId: string; operation: BedrockOperation } {
  const match = ROUTE.exec(req.path);
  if (!match) throw new Error(`not a Bedrock runtime path: ${req.path}`);
  return { modelId: decodeURIComponent(match[1]!), operation: match[2] as BedrockOperation };
}

const requestId = () => `sim-${Math.random().toString(16).slice(2, 10)}`;

/** A Converse answer, as Bedrock sends it. */
export function converse(body: Record<string, unknown>): Reply {
  return (_req, res) => sendJson(res, 200, body, { 'x-amzn-requestid': requestId() });
}

/** A Converse text answer with the usage Bedrock reports (camelCase). */
export function converseText(
  text: string,
  options: { stopReason?: string; usage?: Record<string, number> } = {},
): Reply {
  return converse({
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: options.stopReason ?? 'end_turn',
    usage: options.usage ?? { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
    metrics: { latencyMs: 120 },
  });
}

/** An AWS error: status, `x-amzn-errortype: <Type>:<namespace>`, body `{"message"}`. */
export function bedrockError(status: number, type: string, message: string): Reply {
  return (_req, res) =>
    sendJson(
      res,
      status,
      { message },
      {
        'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        'x-amzn-requestid': requestId(),
      },
    );
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

const str = (value: string) => ({ type: 'string' as const, value });

/** One binary event-stream frame, headers as AWS sets them (Bedrock pads event payloads with a `p` field). */
export function encodeFrame(frame: BedrockFrame): Uint8Array {
  const headers: MessageHeaders =
    'event' in frame
      ? { ':message-type': str('event'), ':event-type': str(frame.event), ':content-type': str('application/json') }
      : {
          ':message-type': str('exception'),
          ':exception-type': str(frame.exception),
          ':content-type': str('application/json'),
        };
  const payload = 'event' in frame ? { ...frame.data, p: 'abcdefghij' } : { message: frame.message, ...frame.extra };
  return codec.encode({ headers, body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')) });
}

/** A ConverseStream answer: the frames in order, scriptable in time (slow first byte, gate, drop). */
export function eventStream(frames: readonly BedrockFrame[], options: EventStreamOptions = {}): Reply {
  return async (req, res) => {
    if (options.firstByteDelayMs) await sleep(options.firstByteDelayMs);
    if (req.aborted) return;
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId() });
    for (let i = 0; i < frames.length; i++) {
      if (i > 0 && options.beforeEach) await options.beforeEach(i);
      if (req.aborted) return;
      if (options.dropAfter !== undefined && i >= options.dropAfter) {
        res.destroy();
        return;
      }
      res.write(Buffer.from(encodeFrame(frames[i]!)));
    }
    res.end();
  };
}

/** The frames of a streamed text answer: text deltas, stop reason, then usage in the final metadata event. */
export function textFrames(
  parts: readonly string[],
  options: { stopReason?: string; usage?: Record<string, number> } = {},
): BedrockFrame[] {
  return [
    { event: 'messageStart', data: { role: 'assistant' } },
    ...parts.map(
      (text): BedrockFrame => ({ event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text } } }),
    ),
    { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
    { event: 'messageStop', data: { stopReason: options.stopReason ?? 'end_turn' } },
    {
      event: 'metadata',
      data: {
        usage: options.usage ?? { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
        metrics: { latencyMs: 90 },
      },
    },
  ];
}

/**
 * node's http2 compat response reports `writableFinished` once its stream closed, even when the client reset it;
 * the recording core reads that flag to tell an aborted request, so a reset stream reads as unfinished here.
 */
function http2Response(res: Http2ServerResponse): SimResponse {
  return new Proxy(res, {
    get(target, property) {
      if (property === 'writableFinished') return target.writableFinished && !target.stream.rstCode;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as SimResponse;
}

/** Which authorization the simulator accepts; `any` takes SigV4 or Bearer. */
export type ExpectedAuth = 'any' | 'sigv4' | 'bearer';

export class BedrockSimulator extends Simulator {
  expectAuth: ExpectedAuth = 'any';
  private netServer?: NetServer;
  private readonly http1: Http1Server;
  private readonly http2: Http2Server;
  private readonly connections = new Set<Socket>();

  constructor(defaultReply: Reply = converseText('Hello from the Bedrock simulator.')) {
    super(defaultReply);
    this.setDefault(defaultReply);
    // Both servers hand requests to the recording core; node's http2 compat request is read the same way.
    const serve = (req: IncomingMessage, res: SimResponse) => void this.handle(req, res);
    this.http1 = createHttp1Server(serve);
    this.http2 = createHttp2Server((req, res) => serve(req as unknown as IncomingMessage, http2Response(res)));
  }

  override script(...replies: Reply[]): this {
    return super.script(...replies.map((reply) => this.guard(reply)));
  }

  override setDefault(reply: Reply): this {
    return super.setDefault(this.guard(reply));
  }

  /** Every reply first checks the route and the authorization, as Bedrock's front end does. */
  private guard(reply: Reply): Reply {
    return (req, res) => {
      if (req.method !== 'POST' || !ROUTE.test(req.path)) {
        return bedrockError(404, 'UnknownOperationException', 'Unknown operation')(req, res);
      }
      const auth = parseAuthorization(req.headers.authorization);
      if (!auth || (this.expectAuth !== 'any' && auth.scheme !== this.expectAuth)) {
        return bedrockError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token')(req, res);
      }
      return reply(req, res);
    };
  }

  override async start(): Promise<this> {
    const server = createNetServer((socket) => {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
      socket.once('readable', () => {
        const head = socket.read() as Buffer | null;
        if (!head) return void socket.destroy();
        socket.unshift(head);
        // The HTTP/2 connection preface starts "PRI * HTTP/2.0"; anything else is HTTP/1.x.
        const target = head.subarray(0, 3).toString('latin1') === 'PRI' ? this.http2 : this.http1;
        target.emit('connection', socket);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.netServer = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  override async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    this.http1.close();
    this.http2.close();
    await new Promise<void>((resolve) => (this.netServer ? this.netServer.close(() => resolve()) : resolve()));
  }
}

/** A started Bedrock simulator; its `url` is the `endpoint` of a `bedrock` credential. */
export function startBedrockSimulator(defaultReply?: Reply): Promise<BedrockSimulator> {
  return new BedrockSimulator(defaultReply).start();
}

/** InvokeModel on a Claude model: Anthropic's own message JSON as the body. */
export function invokeMessage(message: Record<string, unknown>): Reply {
  return (_req, res) => sendJson(res, 200, message, { 'x-amzn-requestid': requestId() });
}

/** InvokeModelWithResponseStream on a Claude model: each Anthropic event as the base64 `bytes` of a `chunk`. */
export function invokeStream(events: readonly Record<string, unknown>[], options: EventStreamOptions = {}): Reply {
  const frames: BedrockFrame[] = events.map((event) => ({
    event: 'chunk',
    data: { bytes: Buffer.from(JSON.stringify(event), 'utf8').toString('base64') },
  }));
  return eventStream(frames, options);
}
