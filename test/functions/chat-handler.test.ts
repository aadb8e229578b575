/**
 * The chat handler under a harness that behaves like Lambda's Node.js runtime (aws-lambda-nodejs-runtime-interface-
 * client): `awslambda.streamifyResponse` marks the handler; `HttpResponseStream.from` sets the content type
 * `application/vnd.awslambda.http-integration-response` and, on the stream's first `write` only, writes the JSON
 * prelude and then 8 NUL bytes before the body; the content type cannot change after a write; the invocation must
 * return a promise, and the stream must be finished when that promise settles. The Function URL frontend then splits
 * prelude from body at the first 8 NUL bytes.
 * @see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/blob/main/src/stream/http-response-stream.ts
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamingHandler } from '../../functions/shared/lambda-runtime.js';
import { setLambdaRuntime } from '../../functions/shared/lambda-runtime.js';
import { createStores, type StoreBundle } from '../../lib/storage/index.js';
import { type LocalDynamo, startLocalDynamo } from '../../lib/storage/local-dynamo.js';
import { ensureTables } from '../../lib/storage/tables.js';
import { UsageStore } from '../../lib/usage/store.js';
import { Gate, type Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';

const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

type Callback = (error?: Error | null) => void;

/** The runtime's response stream: what Lambda sends to the Function URL frontend, frame by frame, in order. */
class RuntimeResponseStream extends Writable {
  contentType = 'application/octet-stream';
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  readonly frames: Buffer[] = [];
  /** Everything observed, in order: `frame` per write reaching Lambda, `resolved` when the handler's promise did. */
  readonly log: string[] = [];
  private written = false;
  private readonly watchers = new Set<() => void>();

  setContentType(type: string): void {
    if (this.written) throw new Error('Cannot set content-type, too late.');
    this.contentType = type;
  }

  override write(chunk: string | Uint8Array, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
    if (!this.written && typeof this._onBeforeFirstWrite === 'function') {
      this._onBeforeFirstWrite((piece) => super.write(piece));
    }
    this.written = true;
    return typeof encoding === 'function' ? super.write(chunk, encoding) : super.write(chunk, encoding!, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.frames.push(Buffer.from(chunk));
    this.log.push('frame');
    for (const watcher of this.watchers) watcher();
    callback();
  }

  /** Resolves once `ready()` holds, checked after every frame. */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const watcher = () => {
        if (!ready()) return;
        this.watchers.delete(watcher);
        resolve();
      };
      this.watchers.add(watcher);
    });
  }

  /** The response as the Function URL frontend builds it from the bytes received so far. */
  response(): { statusCode: number; headers: Record<string, string>; body: string } {
    const bytes = Buffer.concat(this.frames);
    if (this.contentType !== PRELUDE_CONTENT_TYPE)
      return { statusCode: 200, headers: {}, body: bytes.toString('utf8') };
    const end = bytes.indexOf(DELIMITER);
    if (end < 0) return { statusCode: 0, headers: {}, body: '' };
    const prelude = JSON.parse(bytes.subarray(0, end).toString('utf8')) as {
      statusCode: number;
      headers?: Record<string, string>;
    };
    return {
      statusCode: prelude.statusCode,
      headers: prelude.headers ?? {},
      body: bytes.subarray(end + 8).toString('utf8'),
    };
  }

  /** The `data:` payloads of the SSE events fully received so far. */
  events(): string[] {
    const { body } = this.response();
    return body
      .split('\n\n')
      .slice(0, -1)
      .map((event) => event.replace(/^data: /, ''));
  }
}

function installRuntime(): void {
  setLambdaRuntime({
    streamifyResponse(handler) {
      Object.defineProperty(handler, STREAMING, { value: 'response' });
      return handler;
    },
    HttpResponseStream: {
      from(stream, metadata) {
        if (!(stream instanceof RuntimeResponseStream)) throw new Error('not the runtime response stream');
        stream.setContentType(PRELUDE_CONTENT_TYPE);
        const prelude = JSON.stringify(metadata);
        stream._onBeforeFirstWrite = (write) => {
          write(prelude);
          write(new Uint8Array(DELIMITER.length));
        };
        return stream;
      },
    },
  });
}

/** Invokes a streaming handler as the runtime's StreamingInvokeProcessor does. */
function invoke(handler: StreamingHandler, event: APIGatewayProxyEventV2) {
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING] !== 'response')
    throw new Error('not a streaming handler');
  const stream = new RuntimeResponseStream();
  const context = {
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    functionName: 'llm-gateway-chat',
    getRemainingTimeInMillis: () => 900_000,
  } as Context;
  const result: unknown = handler(event, stream, context);
  if (!(result instanceof Promise)) throw new Error('Streaming does not support non-async handlers.');
  const done = result.then(() => {
    stream.log.push('resolved');
    if (!stream.writableFinished) throw new Error('Response stream is not finished.');
    return stream.response();
  });
  return { stream, done };
}

/** A Function URL request event, payload format 2.0. */
function urlEvent(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'user-agent': 'OpenAI/JS 6.0.0', ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'OpenAI/JS 6.0.0' },
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2025:09:00:00 +0000',
      timeEpoch: 1_764_061_200_000,
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
  };
}

let dataDir: string;
let dynamo: LocalDynamo;
let stores: StoreBundle;
let sim: Simulator;
let handler: StreamingHandler;
let projectId: string;
let key: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gw-chat-handler-'));
  dynamo = await startLocalDynamo(dataDir);
  sim = await startOpenAISimulator();
  // The handler reads its configuration from the environment, as in Lambda: set it before loading the module.
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    GATEWAY_CREDENTIAL_STORE: 'local',
    GATEWAY_DATA_DIR: dataDir,
  });
  stores = createStores({ dynamodb: { endpoint: dynamo.endpoint }, credentials: { kind: 'local', dataDir } });
  await ensureTables(stores.dynamodb, stores.tables);
  const project = await stores.projects.create('harness');
  projectId = project.id;
  ({ key } = await stores.keys.create(projectId, { name: 'harness' }));
  await stores.credentials.put(projectId, 'sim', {
    type: 'openai-compatible',
    credential: { type: 'openai-compatible', base_url: `${sim.url}/v1`, api_key: 'sk-sim-upstream' },
    updated_at: new Date().toISOString(),
  });
  installRuntime();
  ({ handler } = await import('../../functions/chat/handler.js'));
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  stores?.dynamodb.destroy();
  await sim?.close();
  await dynamo?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the chat handler in a Lambda-faithful runtime', () => {
  it('answers GET /v1/models without a key with a 401 envelope behind the prelude and its delimiter', async () => {
    const { stream, done } = invoke(handler, urlEvent('GET', '/v1/models', {}));
    const response = await done;

    expect(stream.contentType).toBe(PRELUDE_CONTENT_TYPE);
    expect(JSON.parse(stream.frames[0]!.toString('utf8'))).toMatchObject({ statusCode: 401 });
    expect(stream.frames[1]).toEqual(DELIMITER);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(JSON.parse(response.body)).toEqual({
      error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'invalid_api_key' },
    });
    expect(stream.log.at(-1)).toBe('resolved');
  });

  it('streams each chunk to Lambda as the provider sends it, all before the handler resolves', async () => {
    const gate = new Gate();
    sim.reset();
    sim.script(textReply(['Hel', 'lo', ' world'], { gate }));
    const body = JSON.stringify({ model: 'sim/echo-1', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const { stream, done } = invoke(handler, urlEvent('POST', '/v1/chat/completions', headers, body));
    let resolved = false;
    void done.then(() => {
      resolved = true;
    });

    // The simulator sends its first event at once and then waits at the gate before each next one: every chunk
    // seen here was forwarded while the provider was still holding back the rest.
    await stream.until(() => stream.events().length >= 1);
    expect(stream.response()).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'x-gateway-provider': 'sim' },
    });
    const contents: string[] = [];
    for (let seen = 1; seen < 5; seen++) {
      expect(resolved).toBe(false);
      const event = JSON.parse(stream.events()[seen - 1]!) as { choices: { delta: { content?: string } }[] };
      contents.push(event.choices[0]?.delta.content ?? '');
      gate.open();
      await stream.until(() => stream.events().length >= seen + 1);
    }
    expect(resolved).toBe(false);
    // Let the rest through: the usage chunk (the gateway always asks upstream for usage) and `[DONE]`. Extra opens
    // are harmless: the gate only counts them.
    for (let rest = 0; rest < 3; rest++) gate.open();
    const response = await done;

    expect(contents).toEqual(['', 'Hel', 'lo', ' world']);
    const events = stream.events();
    expect(events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(events.at(-2)!)).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ finish_reason: 'stop' }],
    });
    expect(response.statusCode).toBe(200);
    // Each SSE event went out as its own write, and every write happened before the handler's promise resolved.
    expect(stream.log.filter((entry) => entry === 'frame').length).toBeGreaterThanOrEqual(2 + events.length);
    expect(stream.log.at(-1)).toBe('resolved');
    expect(stream.log.indexOf('resolved')).toBe(stream.log.length - 1);

    expect(sim.requests).toHaveLength(1);
    expect(sim.lastRequest?.body).toMatchObject({
      model: 'echo-1',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(sim.lastRequest?.headers.authorization).toBe('Bearer sk-sim-upstream');
    // Accounting ran before the handler resolved: the row is there.
    const rows = await new UsageStore(stores.dynamodb, stores.tables).listRequests(projectId, 10);
    expect(rows.data).toMatchObject([{ status: 200, provider: 'sim', model: 'sim/echo-1', stream: true }]);
  });
});
