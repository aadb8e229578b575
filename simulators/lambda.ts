/**
 * Lambda, offline: a function's code run by AWS's own Node.js runtime interface client (`aws-lambda-ric`, a child
 * process, as in a Lambda execution environment) against our emulation of the Lambda Runtime API, behind a Function
 * URL front (a loopback HTTP server) that turns each HTTP request into a payload-2.0 event and the function's answer
 * back into an HTTP response.
 *
 * Runtime API (what the client calls, https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
 * - `GET /2018-06-01/runtime/invocation/next` — held open until an invocation arrives; the event as the body, the
 *   request id, deadline, function ARN and trace id as `Lambda-Runtime-*` headers.
 * - `POST …/invocation/{id}/response` — buffered (a JSON body) or, with `Lambda-Runtime-Function-Response-Mode:
 *   streaming`, a chunked body passed on as it arrives; an error mid-stream comes as the trailers
 *   `Lambda-Runtime-Function-Error-Type` / `-Body` (base64 JSON).
 * - `POST …/invocation/{id}/error` and `POST /2018-06-01/runtime/init/error` — the error JSON, its type in
 *   `Lambda-Runtime-Function-Error-Type`.
 *
 * Function URL front (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html): a streamed answer with the
 * content type `application/vnd.awslambda.http-integration-response` is a JSON prelude (statusCode, headers,
 * cookies), 8 NUL bytes, then the body; the front splits them and streams the body to the client chunk by chunk. A
 * buffered answer is the payload-2.0 response (`statusCode`/`headers`/`cookies`/`body`/`isBase64Encoded`, or any other
 * JSON as a 200 `application/json` body). A client that hangs up does not stop the function: Lambda documents that
 * the streamed response is neither interrupted nor stopped and the whole duration is billed, so the front keeps
 * reading the function's stream to its end and drops it. Where AWS documents nothing — a function error or init
 * error (502 here, as API Gateway answers a failed invocation), an error after the head (the client's connection is
 * cut) — the front's choice is noted where it is made.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
/** Function URLs take request payloads up to 6 MB (Lambda's invocation payload quota). */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const RUNTIME = '/2018-06-01/runtime';

export interface RuntimeError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** What the function answered an invocation with, as the Runtime API received it. */
export type InvocationOutcome =
  | { kind: 'buffered'; body: Buffer }
  | { kind: 'streamed'; contentType: string; bytes: Buffer; error?: RuntimeError }
  | { kind: 'error'; error: RuntimeError };

/** One invocation, from the event to the function's last byte. */
export class Invocation extends EventEmitter<{
  stream: [contentType: string, body: IncomingMessage];
}> {
  readonly requestId = randomUUID();
  /** Settles once the runtime posted the whole answer (the streamed body to its last byte). */
  readonly outcome: Promise<InvocationOutcome>;
  settle!: (outcome: InvocationOutcome) => void;

  constructor(readonly event: unknown) {
    super();
    this.outcome = new Promise((resolve) => {
      this.settle = resolve;
    });
  }
}

/** The Lambda Runtime API of one execution environment (one invocation at a time, as Lambda does). */
export class RuntimeApi {
  /** Posted to /init/error, when the function failed to start. */
  initError?: RuntimeError;
  readonly invocations: Invocation[] = [];
  private readonly queue: Invocation[] = [];
  private readonly pending = new Map<string, Invocation>();
  private waiting?: ServerResponse;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly events = new EventEmitter<{ 'init-error': [RuntimeError]; next: [] }>();
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address = '';

  constructor(private readonly functionArn: string) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.route(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Queues an invocation; the function's next `GET …/next` takes it. */
  invoke(event: unknown): Invocation {
    const invocation = new Invocation(event);
    this.invocations.push(invocation);
    if (this.initError) {
      invocation.settle({ kind: 'error', error: this.initError });
      return invocation;
    }
    this.pending.set(invocation.requestId, invocation);
    this.queue.push(invocation);
    this.deliver();
    return invocation;
  }

  /** Fails every invocation not yet answered (the runtime process died). */
  abandon(error: RuntimeError): void {
    for (const invocation of this.pending.values()) invocation.settle({ kind: 'error', error });
    this.pending.clear();
    this.queue.length = 0;
  }

  onInitError(listener: (error: RuntimeError) => void): void {
    this.events.on('init-error', listener);
  }

  /** Calls `listener` at each `GET …/next`: the runtime is idle, waiting for work (the first one ends init). */
  onNext(listener: () => void): void {
    this.events.on('next', listener);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private deliver(): void {
    const res = this.waiting;
    const invocation = this.queue[0];
    if (!res || !invocation) return;
    this.waiting = undefined;
    this.queue.shift();
    const body = JSON.stringify(invocation.event);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'lambda-runtime-aws-request-id': invocation.requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + 15 * 60_000),
      'lambda-runtime-invoked-function-arn': this.functionArn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=0`,
    });
    res.end(body);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === `${RUNTIME}/invocation/next`) {
      this.waiting = res;
      this.events.emit('next');
      this.deliver();
      return;
    }
    if (req.method === 'POST' && path === `${RUNTIME}/init/error`) {
      this.initError = errorFrom(req, await readAll(req));
      accepted(res);
      this.abandon(this.initError);
      this.events.emit('init-error', this.initError);
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const invocation = match ? this.pending.get(decodeURIComponent(match[1]!)) : undefined;
    if (req.method !== 'POST' || !match || !invocation) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorMessage: `unknown request ${req.method} ${path}`, errorType: 'InvalidRequestID' }));
      return;
    }
    this.pending.delete(invocation.requestId);
    if (match[2] === 'error') {
      const body = await readAll(req);
      accepted(res);
      invocation.settle({ kind: 'error', error: errorFrom(req, body) });
      return;
    }
    if (req.headers['lambda-runtime-function-response-mode'] !== 'streaming') {
      const body = await readAll(req);
      accepted(res);
      invocation.settle({ kind: 'buffered', body });
      return;
    }
    const contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    invocation.emit('stream', contentType, req);
    await new Promise<void>((resolve) => {
      req.once('end', resolve);
      req.once('close', resolve);
    });
    accepted(res);
    const type = req.trailers['lambda-runtime-function-error-type'];
    const body = req.trailers['lambda-runtime-function-error-body'];
    const error = type
      ? ((body ? JSON.parse(Buffer.from(body, 'base64').toString('utf8')) : { errorType: type }) as RuntimeError)
      : undefined;
    invocation.settle({ kind: 'streamed', contentType, bytes: Buffer.concat(chunks), error });
  }
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': 'application/json' });
  res.end('{"status":"OK"}');
}

function errorFrom(req: IncomingMessage, body: Buffer): RuntimeError {
  try {
    return JSON.parse(body.toString('utf8')) as RuntimeError;
  } catch {
    return { errorType: String(req.headers['lambda-runtime-function-error-type'] ?? 'Unknown'), errorMessage: '' };
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded))/i;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `07/Dec/2026:14:09:00 +0000`, the Function URL event's `requestContext.time`. */
function clfTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}

/**
 * A Function URL request event (payload format 2.0) as Lambda builds it: header names lower-cased and repeated
 * headers joined with commas, cookies split out of `cookie`, repeated query parameters joined with commas, and the
 * body base64-encoded unless its content type is text.
 */
export function functionUrlEvent(req: IncomingMessage, body: Buffer, urlId: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://function-url');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter(Boolean)];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const domainName = `${urlId}.lambda-url.us-east-1.on.aws`;
  headers.host = domainName;
  headers['x-forwarded-proto'] = 'https';
  headers['x-forwarded-port'] = '443';
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  let query: Record<string, string> | undefined;
  for (const [name, value] of url.searchParams) {
    query ??= {};
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const text = TEXT_TYPES.test(headers['content-type'] ?? '');
  const at = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: urlId,
      domainName,
      domainPrefix: urlId,
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(at),
      timeEpoch: at.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/** Headers a Function URL adds to every answer, for callers that compare answers with another server's. */
export const FUNCTION_URL_HEADERS = ['x-amzn-requestid', 'x-amzn-trace-id'];

function writeFailure(res: ServerResponse, requestId: string): void {
  // Not documented for Function URLs: a failed invocation answers as API Gateway's does, 502 with no detail.
  const body = JSON.stringify({ Message: 'Internal Server Error' });
  res.writeHead(502, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': 'LambdaFunctionError',
  });
  res.end(body);
}

/** The buffered (payload 2.0) answer → the HTTP response. */
function writeBuffered(res: ServerResponse, body: Buffer, requestId: string): void {
  let result: unknown;
  try {
    result = JSON.parse(body.toString('utf8'));
  } catch {
    writeFailure(res, requestId);
    return;
  }
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as { statusCode: number; headers?: Record<string, string>; cookies?: string[]; body?: string })
      : undefined;
  const payload = structured
    ? (result as { isBase64Encoded?: boolean }).isBase64Encoded
      ? Buffer.from(structured.body ?? '', 'base64')
      : Buffer.from(structured.body ?? '', 'utf8')
    : body;
  res.writeHead(structured?.statusCode ?? 200, {
    ...(structured ? {} : { 'content-type': 'application/json' }),
    ...structured?.headers,
    ...(structured?.cookies?.length ? { 'set-cookie': structured.cookies } : {}),
    'content-length': payload.length,
    'x-amzn-requestid': requestId,
  });
  res.end(payload);
}

/** Passes a streamed answer to the client: the prelude becomes the head, the rest streams as it arrives. */
function relayStream(res: ServerResponse, contentType: string, body: IncomingMessage, requestId: string): void {
  const withPrelude = contentType === PRELUDE_CONTENT_TYPE;
  let pending: Buffer | undefined = withPrelude ? Buffer.alloc(0) : undefined;
  const open = (status: number, headers: Record<string, string>, cookies?: string[]) => {
    res.writeHead(status, {
      ...headers,
      ...(cookies?.length ? { 'set-cookie': cookies } : {}),
      'x-amzn-requestid': requestId,
    });
    res.flushHeaders();
  };
  if (!withPrelude) open(200, { 'content-type': contentType });
  // Once the client is gone the function's bytes are read and dropped: the invocation runs on (see above).
  const write = (chunk: Buffer) => {
    if (!res.destroyed && chunk.length > 0) res.write(chunk);
  };
  body.on('data', (chunk: Buffer) => {
    if (pending === undefined) {
      write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const end = pending.indexOf(DELIMITER);
    if (end < 0) return;
    const prelude = JSON.parse(pending.subarray(0, end).toString('utf8')) as {
      statusCode?: number;
      headers?: Record<string, string>;
      cookies?: string[];
    };
    const rest = pending.subarray(end + DELIMITER.length);
    pending = undefined;
    open(prelude.statusCode ?? 200, prelude.headers ?? {}, prelude.cookies);
    write(rest);
  });
  body.on('end', () => {
    if (res.destroyed) return;
    const failed = body.trailers['lambda-runtime-function-error-type'];
    if (!res.headersSent) {
      writeFailure(res, requestId);
      return;
    }
    // Not documented: an error after the head cuts the client's connection rather than end the body cleanly.
    if (failed) res.destroy();
    else res.end();
  });
}

export interface FunctionUrlFront {
  url: string;
  /** Each HTTP request's invocation, in order. */
  readonly invocations: Invocation[];
  close(): Promise<void>;
}

/** The Function URL: a loopback HTTP server invoking the function through `runtime` for each request. */
export async function startFunctionUrl(
  runtime: RuntimeApi,
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM',
  urlId = 'abcdefghijklmnopqrstuvwxyz012345',
): Promise<FunctionUrlFront> {
  const invocations: Invocation[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
      }
      if (size > MAX_REQUEST_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }),
        );
        return;
      }
      const invocation = runtime.invoke(functionUrlEvent(req, Buffer.concat(chunks), urlId));
      invocations.push(invocation);
      let streaming = false;
      if (invokeMode === 'RESPONSE_STREAM') {
        invocation.once('stream', (contentType, body) => {
          streaming = true;
          relayStream(res, contentType, body, invocation.requestId);
        });
      }
      const outcome = await invocation.outcome;
      if (streaming) return;
      if (outcome.kind === 'buffered') writeBuffered(res, outcome.body, invocation.requestId);
      else writeFailure(res, invocation.requestId);
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface LambdaFunctionOptions {
  /** aws-lambda-ric's entry (its index.mjs). */
  runtimeClient: string;
  /** LAMBDA_TASK_ROOT: the unpacked code, e.g. a bundle's directory. */
  taskRoot: string;
  /** `_HANDLER`; `index.handler` by default, as the stack deploys. */
  handler?: string;
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  functionName?: string;
  memoryMb?: number;
  /** The function's environment, as the stack would set it (plus anything a test adds). */
  env?: Record<string, string>;
}

export interface LambdaFunction extends FunctionUrlFront {
  runtime: RuntimeApi;
  /** The execution environment's stdout and stderr so far (the function's logs). */
  logs(): string;
  /** Resolves once the runtime asked for its first invocation (init done), or rejects with the init error. */
  ready: Promise<void>;
}

/**
 * Starts one execution environment: the Runtime API, `node <aws-lambda-ric>` as Lambda's nodejs22.x bootstrap would
 * run it (the reserved variables set, NODE_OPTIONS from the function's environment), and its Function URL.
 */
export async function startLambdaFunction(options: LambdaFunctionOptions): Promise<LambdaFunction> {
  const name = options.functionName ?? 'llm-gateway-function';
  const runtime = await new RuntimeApi(`arn:aws:lambda:us-east-1:123456789012:function:${name}`).start();
  const front = await startFunctionUrl(runtime, options.invokeMode);
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [options.runtimeClient], {
    cwd: options.taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 1024),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      AWS_LAMBDA_RUNTIME_API: runtime.address,
      LAMBDA_TASK_ROOT: options.taskRoot,
      LAMBDA_RUNTIME_DIR: options.taskRoot,
      _HANDLER: options.handler ?? 'index.handler',
      ...options.env,
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) =>
    runtime.abandon({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: - Error: Runtime exited with ${code}`,
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    // The first `GET …/next` is the end of init.
    runtime.onNext(resolve);
    runtime.onInitError((error) =>
      reject(Object.assign(new Error(`init error ${error.errorType}: ${error.errorMessage}`), { runtimeError: error })),
    );
    void exited.then((code) => reject(new Error(`the runtime exited with ${code} during init:\n${output}`)));
  });
  ready.catch(() => {});
  return {
    ...front,
    runtime,
    ready,
    logs: () => output,
    async close() {
      child.kill('SIGKILL');
      await exited;
      await front.close();
      await runtime.close();
    },
  };
}
