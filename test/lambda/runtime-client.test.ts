/**
 * The deployed functions, as Lambda runs them: the chat and admin bundles built exactly as the CDK asset holds them
 * (infra/bundling.ts, into a temporary directory), each run by AWS's runtime interface client (aws-lambda-ric, built
 * from npm by scripts/lambda-ric.ts) against our Runtime API behind a Function URL front (simulators/lambda.ts).
 * Every request goes to the local server too, against the same storage and the same provider simulator, and the two
 * answers must match byte for byte: status, headers and body, with only generated ids and times normalised.
 *
 * Runs in `npm run test:lambda` (and CI), not `npm test`: the client is a native build of a few minutes, done once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../infra/bundling.js';
import { runtimeClientEntry } from '../../scripts/lambda-ric.js';
import { Gate, type Simulator } from '../../simulators/base.js';
import { FUNCTION_URL_HEADERS, type LambdaFunction, startLambdaFunction } from '../../simulators/lambda.js';
import { errorReply, startOpenAISimulator, streamErrorReply, textReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that belong to the transport or to the host (Function URL or local server), not to the gateway. */
const HOST_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Ids and times that are generated per request; everything else must be the same bytes. */
function normalise(text: string): string {
  return text
    .replace(/req_[A-Za-z0-9]+/g, 'req_<id>')
    .replace(/chatcmpl-[A-Za-z0-9-]+/g, 'chatcmpl-<id>')
    .replace(/proj_[A-Za-z0-9]+/g, 'proj_<id>')
    .replace(/key_[A-Za-z0-9]+/g, 'key_<id>')
    .replace(/gw-[A-Za-z0-9_-]+/g, 'gw-<key>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/"(created|created_at|updated_at|last_used_at)":\d+/g, '"$1":<time>');
}

function normalised(answer: Answer): Answer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers).sort(([a], [b]) => a.localeCompare(b))) {
    if (!HOST_HEADERS.has(name) && !FUNCTION_URL_HEADERS.includes(name)) headers[name] = normalise(value);
  }
  return { status: answer.status, headers, body: normalise(answer.body) };
}

async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer: Answer = { status: response.status, headers: {}, body: await response.text() };
  response.headers.forEach((value, name) => {
    answer.headers[name] = value;
  });
  return answer;
}

let gateway: TestGateway;
let sim: Simulator;
let chat: LambdaFunction;
let admin: LambdaFunction;
let bundles: string;
let key: string;
let projectId: string;
const json = { 'content-type': 'application/json' };

/** Starts a function from its bundle, with the environment the stack gives it, pointed at the local storage. */
async function startFunction(
  name: 'chat' | 'admin',
  runtimeClient: string,
  extraEnv: Record<string, string> = {},
): Promise<LambdaFunction> {
  const fn = await startLambdaFunction({
    runtimeClient,
    taskRoot: join(bundles, name),
    invokeMode: name === 'chat' ? 'RESPONSE_STREAM' : 'BUFFERED',
    functionName: `llm-gateway-${name}`,
    memoryMb: name === 'chat' ? 1024 : 512,
    env: {
      POWERTOOLS_SERVICE_NAME: name === 'chat' ? 'llm-gateway' : 'llm-gateway-admin',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The local storage the local server uses, as the handlers read it from their environment.
      DYNAMODB_ENDPOINT: gateway.gateway.dynamoEndpoint,
      GATEWAY_CREDENTIAL_STORE: 'local',
      GATEWAY_DATA_DIR: gateway.gateway.dataDir,
      GATEWAY_ADMIN_TOKEN: gateway.gateway.adminToken,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...extraEnv,
    },
  });
  await fn.ready;
  return fn;
}

/**
 * The same request to the local server and through the Function URL; `script` sets the provider simulator up
 * before each (the two runs must each see the same upstream answer).
 */
async function both(
  target: 'chat' | 'admin',
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  script?: () => void,
): Promise<{ local: Answer; lambda: Answer; upstream: { local?: unknown; lambda?: unknown } }> {
  sim.reset();
  script?.();
  const local = await call(gateway.url, method, path, headers, body);
  const localUpstream = sim.lastRequest?.body;
  sim.reset();
  script?.();
  const lambda = await call((target === 'chat' ? chat : admin).url, method, path, headers, body);
  return { local, lambda, upstream: { local: localUpstream, lambda: sim.lastRequest?.body } };
}

beforeAll(async () => {
  const runtimeClient = await runtimeClientEntry();
  if (!runtimeClient)
    throw new Error('aws-lambda-ric is not installed: run `npm run test:lambda` (it builds it first)');
  bundles = await mkdtemp(join(tmpdir(), 'gw-lambda-ric-'));
  await Promise.all((['chat', 'admin'] as const).map((name) => build(esbuildOptions(name, join(bundles, name)))));
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  // The functions' environment is fixed when their process starts: a setting a case needs (a short keep-alive quiet
  // time, say) goes in startFunction's third argument here, and into process.env (setEnv) for the local server.
  [chat, admin] = await Promise.all([startFunction('chat', runtimeClient), startFunction('admin', runtimeClient)]);
  ({ projectId, key } = await gateway.project('lambda-ric'));
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-sim-upstream', base_url: `${sim.url}/v1` });
}, 120_000);

afterAll(async () => {
  await Promise.all([chat?.close(), admin?.close()]);
  await gateway?.close();
  await sim?.close();
  if (bundles) await rm(bundles, { recursive: true, force: true });
});

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'openai/gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello' }],
  ...extra,
});

describe('the chat function under aws-lambda-ric, next to the local server', () => {
  it('answers a JSON completion with the same status, headers and body', async () => {
    const auth = { ...json, authorization: `Bearer ${key}` };
    const { local, lambda, upstream } = await both('chat', 'POST', '/v1/chat/completions', auth, chatBody(), () =>
      sim.script(textReply('Hello there')),
    );
    // The provider was asked the same thing both ways.
    expect(upstream.local).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(upstream.lambda).toEqual(upstream.local);
    expect(local.status).toBe(200);
    expect(JSON.parse(local.body)).toMatchObject({ choices: [{ message: { content: 'Hello there' } }] });
    expect(Object.keys(normalised(local).headers)).toEqual(
      expect.arrayContaining(['content-type', 'x-request-id', 'x-gateway-provider']),
    );
    expect(normalised(lambda)).toEqual(normalised(local));
    // The Function URL's own header is there, and the prelude never reaches the client.
    expect(lambda.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lambda.body).not.toContain('\u0000');
  });

  it('streams SSE with the same bytes, event for event', async () => {
    const auth = { ...json, authorization: `Bearer ${key}` };
    const { local, lambda, upstream } = await both(
      'chat',
      'POST',
      '/v1/chat/completions',
      auth,
      chatBody({ stream: true }),
      () => sim.script(textReply(['Hel', 'lo', ' world'])),
    );
    expect(upstream.lambda).toEqual(upstream.local);
    expect(local.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(local.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(normalised(lambda)).toEqual(normalised(local));
  });

  it('refuses alike: no key, a bad body, an unknown model, a provider error', async () => {
    const auth = { ...json, authorization: `Bearer ${key}` };
    const cases: [string, string, Record<string, string>, unknown, (() => void)?][] = [
      ['GET', '/v1/models', {}, undefined],
      ['POST', '/v1/chat/completions', json, chatBody()],
      ['POST', '/v1/chat/completions', auth, '{"model":'],
      ['POST', '/v1/chat/completions', auth, chatBody({ model: 'nowhere/none' })],
      [
        'POST',
        '/v1/chat/completions',
        auth,
        chatBody(),
        () => sim.script(errorReply(400, { message: 'bad temperature', type: 'invalid_request_error' })),
      ],
    ];
    for (const [method, path, headers, body, script] of cases) {
      const { local, lambda } = await both('chat', method, path, headers, body, script);
      expect(local.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(normalised(lambda), `${method} ${path} ${String(body)}`).toEqual(normalised(local));
    }
  });

  it('takes the key from x-api-key beside a SigV4 Authorization, as requests signed by CloudFront OAC arrive', async () => {
    const signed = {
      ...json,
      authorization:
        'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261207/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0f1e2d',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-api-key': key,
    };
    const { local, lambda } = await both('chat', 'POST', '/v1/chat/completions', signed, chatBody(), () =>
      sim.script(textReply('Signed hello')),
    );
    expect(local.status).toBe(200);
    expect(normalised(lambda)).toEqual(normalised(local));
  });

  it('ends a stream that fails mid-way with the same error event: a dropped connection, an error event', async () => {
    const auth = { ...json, authorization: `Bearer ${key}` };
    for (const reply of [
      () => textReply(['one', ' two', ' three', ' four'], { dropAfter: 2 }),
      () => streamErrorReply({ message: 'overloaded' }, { textBefore: 'Partial answer' }),
    ]) {
      const body = chatBody({ stream: true });
      const { local, lambda } = await both('chat', 'POST', '/v1/chat/completions', auth, body, () =>
        sim.script(reply()),
      );
      expect(local.status).toBe(200);
      expect(local.body).toContain('"error"');
      expect(normalised(lambda)).toEqual(normalised(local));
    }
  });

  it('holds the head until the provider answers, the same way (the hook for keep-alive cases)', async () => {
    // The provider holds its first byte until the gate opens; the client must not see a head before it does.
    // A keep-alive case sets the quiet time through startFunction's environment and opens the gate once the
    // client has read `: keep-alive`.
    const answers: Answer[] = [];
    for (const base of [gateway.url, chat.url]) {
      const gate = new Gate();
      sim.reset();
      sim.script(textReply(['late'], { beforeHead: () => gate.wait() }));
      let headSeen = false;
      const pending = fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${key}` },
        body: JSON.stringify(chatBody({ stream: true })),
      }).then(async (response) => {
        headSeen = true;
        const answer: Answer = { status: response.status, headers: {}, body: await response.text() };
        response.headers.forEach((value, name) => {
          answer.headers[name] = value;
        });
        return answer;
      });
      await until(() => sim.requests.length === 1);
      expect(headSeen).toBe(false);
      gate.open();
      answers.push(await pending);
    }
    expect(normalised(answers[1]!)).toEqual(normalised(answers[0]!));
  });

  it('commits the head and writes keep-alives while the provider is silent, then streams, the same way', async () => {
    // Its own chat function: the quiet time is part of a function's environment, fixed when its process starts.
    const quiet = { GATEWAY_KEEPALIVE_AFTER_MS: '20', GATEWAY_KEEPALIVE_INTERVAL_MS: '20' };
    const patient = await startFunction('chat', (await runtimeClientEntry())!, quiet);
    const restore = setEnv(quiet);
    try {
      const answers: Answer[] = [];
      for (const base of [gateway.url, patient.url]) {
        const gate = new Gate();
        sim.reset();
        sim.script(textReply(['after ', 'thinking'], { beforeHead: () => gate.wait() }));
        const response = await fetch(`${base}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${key}` },
          body: JSON.stringify(chatBody({ stream: true })),
        });
        // The head came before the provider's first byte: only the keep-alives could have sent it.
        expect(response.status).toBe(200);
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let text = '';
        while (text.split(': keep-alive\n\n').length < 3) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        expect(text.replaceAll(': keep-alive\n\n', '')).toBe('');
        gate.open();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        const answer: Answer = { status: response.status, headers: {}, body: text.replaceAll(': keep-alive\n\n', '') };
        response.headers.forEach((value, name) => {
          answer.headers[name] = value;
        });
        answers.push(answer);
      }
      expect(answers[0]!.body).toContain('data: [DONE]');
      expect(normalised(answers[1]!)).toEqual(normalised(answers[0]!));
    } finally {
      restore();
      await patient.close();
    }
  });

  it('after a client hangs up, Lambda runs the stream to its end (locally the provider call is aborted)', async () => {
    const results: { upstreamAborted: boolean; status: number }[] = [];
    const seenRows = new Set(
      (
        await gateway.admin<{ data: { id: string }[] }>('GET', `/admin/projects/${projectId}/requests?limit=100`)
      ).body.data.map((row) => row.id),
    );
    for (const base of [gateway.url, chat.url]) {
      const gate = new Gate();
      sim.reset();
      sim.script(textReply(['first', ' second', ' third'], { gate }));
      const invocationsBefore = chat.invocations.length;
      await new Promise<void>((resolve, reject) => {
        const req = request(`${base}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${key}` },
        });
        req.on('response', (res) => {
          res.once('data', () => {
            // The first event is here: hang up while the provider still holds the rest.
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.once('error', reject);
        req.end(JSON.stringify(chatBody({ stream: true })));
      });
      if (base === gateway.url) {
        // Locally the hang-up aborts the provider call while it still holds the rest of the stream.
        await until(() => sim.lastRequest?.aborted === true);
        for (let i = 0; i < 6; i++) gate.open();
      } else {
        for (let i = 0; i < 6; i++) gate.open();
        // The function's whole answer reached the Runtime API, [DONE] included, though nobody was listening.
        const outcome = await chat.invocations[invocationsBefore]!.outcome;
        expect(outcome.kind).toBe('streamed');
        const bytes = outcome.kind === 'streamed' ? outcome.bytes.toString('utf8') : '';
        expect(bytes).toContain('data: [DONE]');
        expect(bytes).toContain(' third');
      }
      // The request's row, once written (the local server writes its rows in batches).
      const row = await until(async () => {
        const listed = await gateway.admin<{ data: { id: string; status: number }[] }>(
          'GET',
          `/admin/projects/${projectId}/requests?limit=1`,
        );
        const newest = listed.body.data?.[0];
        return newest && !seenRows.has(newest.id) ? newest : undefined;
      });
      seenRows.add(row.id);
      results.push({ upstreamAborted: sim.lastRequest?.aborted ?? false, status: row.status });
    }
    expect(results[0]).toEqual({ upstreamAborted: true, status: 499 });
    expect(results[1]).toEqual({ upstreamAborted: false, status: 200 });
  });
});

describe('the admin function under aws-lambda-ric, next to the local server', () => {
  it('answers the same to a sequence of admin calls', async () => {
    const token = { ...json, authorization: `Bearer ${gateway.gateway.adminToken}` };
    const created = await both('admin', 'POST', '/admin/projects', token, { name: 'twin' });
    expect(created.local.status).toBe(201);
    expect(normalised(created.lambda)).toEqual(normalised(created.local));
    const ids = [JSON.parse(created.local.body).id as string, JSON.parse(created.lambda.body).id as string];

    const steps: [string, (id: string) => string, unknown][] = [
      ['GET', (id) => `/admin/projects/${id}`, undefined],
      ['POST', (id) => `/admin/projects/${id}/keys`, { name: 'laptop', rpm: 60 }],
      ['GET', (id) => `/admin/projects/${id}/keys`, undefined],
      ['PUT', (id) => `/admin/projects/${id}/providers/openai`, { api_key: 'sk-test-123456789' }],
      ['GET', (id) => `/admin/projects/${id}/providers`, undefined],
      ['GET', (id) => `/admin/projects/${id}/usage?group_by=model`, undefined],
      ['PUT', (id) => `/admin/projects/${id}/providers/openai`, { api_key: 42 }],
      ['DELETE', (id) => `/admin/projects/${id}`, undefined],
      ['GET', () => '/admin/projects/proj_missing', undefined],
    ];
    for (const [method, path, body] of steps) {
      const local = await call(gateway.url, method, path(ids[0]!), token, body);
      const lambda = await call(admin.url, method, path(ids[1]!), token, body);
      expect(normalised(lambda), `${method} ${path('<id>')}`).toEqual(normalised(local));
    }
    const unauthorised = await both('admin', 'GET', '/admin/projects', { authorization: 'Bearer wrong' });
    expect(unauthorised.local.status).toBe(401);
    expect(normalised(unauthorised.lambda)).toEqual(normalised(unauthorised.local));
  });
});

describe('a function that cannot start', () => {
  it('reports its init error to the Runtime API, and its URL answers 502', async () => {
    const broken = await startLambdaFunction({
      runtimeClient: (await runtimeClientEntry())!,
      taskRoot: join(bundles, 'chat'),
      handler: 'index.missing',
      invokeMode: 'RESPONSE_STREAM',
    });
    try {
      const failed = await broken.ready.then(
        () => undefined,
        (error: { runtimeError?: { errorType: string } }) => error.runtimeError,
      );
      expect(failed?.errorType).toBe('Runtime.HandlerNotFound');
      const answer = await call(broken.url, 'GET', '/v1/models', {});
      expect(answer.status).toBe(502);
    } finally {
      await broken.close();
    }
  });
});

/** Polls `probe` (every 10 ms, at most 10 s) until it gives a value other than undefined or false. */
async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
