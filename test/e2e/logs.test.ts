/**
 * Logs a person can read, through the local server: one JSON line at info per request (who, what, how it ended,
 * tokens, cost, latency, TTFT) with no content and no secret in it; an unreachable provider's error line carries
 * the cause down to the socket's code and message; an admin failure goes through the same logger.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleAdmin } from '../../lib/admin/index.js';
import { createStores } from '../../lib/storage/index.js';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let sim: Simulator;
let restoreEnv: () => void;
let projectId: string;
let key: string;
let unreachablePort: number;

/** An error as the logger writes it. */
interface LoggedError {
  name?: string;
  code?: unknown;
  message?: unknown;
  cause?: LoggedError;
}

type Line = Record<string, unknown> & { error?: LoggedError };

const PROVIDER_SECRET = 'sk-provider-secret-0123456789';
const PROMPT = 'the secret plans for tomorrow';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every JSON line written to stdout and stderr while `act` runs. */
async function logged(act: () => Promise<unknown>): Promise<Line[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await act();
    // The request's line is written when it is accounted, just after the answer: wait for the recorder's batch.
    await gateway.admin('GET', `/admin/projects/${projectId}/requests?limit=1`);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Line);
}

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    VLLORA_OPENAI_API_KEY: undefined,
    GATEWAY_MAX_RETRIES: '0',
    GATEWAY_LOG_LEVEL: 'info',
  });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('logs'));
  unreachablePort = await closedPort();
  await gateway.putProvider(projectId, 'openai', { api_key: PROVIDER_SECRET, base_url: `${sim.url}/v1` });
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `http://127.0.0.1:${unreachablePort}/v1`,
    api_key: PROVIDER_SECRET,
  });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

describe('request logs', () => {
  it('writes one info line per request with its figures and neither content nor secrets', async () => {
    sim.script(textReply('the answer is hidden', { usage: { prompt_tokens: 12, completion_tokens: 5 } }));
    let requestId = '';
    const lines = await logged(async () => {
      const { data, response } = await gateway
        .client(key)
        .chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user(PROMPT) })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('the answer is hidden');
      requestId = response.headers.get('x-request-id') ?? '';
    });
    const requests = lines.filter((line) => line.message === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      level: 'info',
      requestId,
      projectId,
      keyPrefix: key.slice(0, 8),
      endpoint: 'chat',
      model: 'openai/gpt-4o-mini',
      provider: 'openai',
      providerModel: 'gpt-4o-mini',
      status: 200,
      inputTokens: 12,
      outputTokens: 5,
      costUsd: 0.0000048,
      usageEstimated: false,
      finishReason: 'stop',
      latencyMs: expect.any(Number),
      ttftMs: expect.any(Number),
    });
    const text = JSON.stringify(lines);
    for (const secret of [PROMPT, 'the answer is hidden', key, PROVIDER_SECRET]) expect(text).not.toContain(secret);
  });

  it('says why a provider could not be reached: the cause down to the refused socket', async () => {
    const lines = await logged(() =>
      gateway
        .client(key)
        .chat.completions.create({ model: 'acme/llama', messages: user(PROMPT) })
        .catch((error: unknown) => error),
    );
    const failed = lines.find((line) => line.message === 'request failed');
    expect(failed).toMatchObject({ level: 'error', model: 'acme/llama', provider: 'acme', status: 502 });
    const causes: LoggedError[] = [];
    for (let cause = failed?.error; cause; cause = cause.cause) causes.push(cause);
    expect(causes.some((cause) => cause.code === 'ECONNREFUSED')).toBe(true);
    expect(causes.some((cause) => String(cause.message).includes(`ECONNREFUSED 127.0.0.1:${unreachablePort}`))).toBe(
      true,
    );
    expect(lines.find((line) => line.message === 'request')).toMatchObject({ status: 502, provider: 'acme' });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(PROVIDER_SECRET);
    expect(text).not.toContain(PROMPT);
  });
});

describe('admin logs', () => {
  it('logs an admin failure through the same logger, with the path and the cause', async () => {
    const stores = createStores({
      dynamodb: { endpoint: `http://127.0.0.1:${unreachablePort}` },
      credentials: { kind: 'local', dataDir: gateway.gateway.dataDir },
    });
    try {
      let status = 0;
      const lines = await logged(async () => {
        status = (await handleAdmin({ method: 'GET', path: '/admin/projects', query: {}, headers: {} }, { stores }))
          .status;
      });
      expect(status).toBeGreaterThanOrEqual(500);
      const failed = lines.find((line) => line.message === 'admin request failed');
      expect(failed).toMatchObject({ level: 'error', method: 'GET', path: '/admin/projects' });
      expect(JSON.stringify(failed?.error)).toContain('ECONNREFUSED');
    } finally {
      stores.dynamodb.destroy();
    }
  }, 30_000);
});
