/**
 * Graceful local shutdown (CONTRACT.md §4): `npm start`'s server (local/server.ts in a process of its own) gets
 * SIGTERM while it streams an answer. It stops taking requests, lets the answer finish within the grace time (or
 * cuts it after: 499), writes the row, and only then stops its storage — so the row is there after a restart on
 * the same data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate, type Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ADMIN_TOKEN = 'test-admin-shutdown';

interface Server {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves once the server said it is stopping (it has begun to refuse new requests by then). */
  stopping: Promise<void>;
}

async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      PORT: '0',
      GATEWAY_DATA_DIR: dataDir,
      GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
      GATEWAY_LOG_LEVEL: 'error',
      OPENAI_API_KEY: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  let sawStopping: () => void = () => {};
  const stopping = new Promise<void>((resolve) => {
    sawStopping = resolve;
  });
  let stdout = '';
  child.stdout!.on('data', (data: Buffer) => {
    stdout += data.toString();
    if (stdout.includes('Stopping the gateway')) sawStopping();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data: Buffer) => {
      output += data.toString();
    });
    void exited.then((code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
  return { url, child, exited, stopping };
}

async function admin<T>(server: Server, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Row {
  id: string;
  status: number;
  output_tokens: number;
  cost_usd: number | null;
  usage_estimated: boolean;
}

let sim: Simulator;
const dataDirs: string[] = [];
const running: Server[] = [];

beforeAll(async () => {
  sim = await startOpenAISimulator();
});

afterAll(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await sim?.close();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

/** A fresh data directory with a server, a project whose `openai` is the simulator, and a key. */
async function setUp(env: Record<string, string> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-shutdown-'));
  dataDirs.push(dataDir);
  const server = await startServer(dataDir, env);
  running.push(server);
  const project = await admin<{ id: string }>(server, 'POST', '/admin/projects', { name: 'shutdown' });
  await admin(server, 'PUT', `/admin/projects/${project.id}/providers/openai`, {
    api_key: 'sk-test',
    base_url: `${sim.url}/v1`,
  });
  const key = await admin<{ key: string }>(server, 'POST', `/admin/projects/${project.id}/keys`, {});
  return { dataDir, server, projectId: project.id, key: key.key };
}

/** Starts a streamed chat and reads until the first content arrived; returns the reader to go on with. */
async function streamUntilFirstContent(server: Server, key: string) {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  while (!received.includes('Hello')) {
    const { value, done } = await reader.read();
    if (done) break;
    received += decoder.decode(value, { stream: true });
  }
  const rest = async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return received;
      received += decoder.decode(value, { stream: true });
    }
  };
  return { id: response.headers.get('x-request-id')!, rest };
}

async function rowsAfterRestart(dataDir: string, projectId: string): Promise<Row[]> {
  const again = await startServer(dataDir);
  running.push(again);
  const listing = await admin<{ data: Row[] }>(again, 'GET', `/admin/projects/${projectId}/requests`);
  again.child.kill('SIGTERM');
  expect(await again.exited).toBe(0);
  return listing.data;
}

describe('SIGTERM during a stream', () => {
  it('lets the answer finish, refuses new requests meanwhile, and keeps the row', async () => {
    const { dataDir, server, projectId, key } = await setUp();
    const gate = new Gate();
    sim.script(textReply(['Hello', ' world'], { gate, usage: { prompt_tokens: 7, completion_tokens: 2 } }));
    gate.open(); // lets `Hello` through; ` world` waits for the next open
    const stream = await streamUntilFirstContent(server, key);

    server.child.kill('SIGTERM');
    await server.stopping;
    const late = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).catch(
      (error: unknown) => error,
    );
    // Either the listener is closed already or the server answers that it is shutting down: never a new answer.
    if (late instanceof Response) expect(late.status).toBe(503);
    for (let i = 0; i < 10; i++) gate.open(); // every event left, whatever their number

    const text = await stream.rest();
    expect(text).toContain('world');
    expect(text).toContain('data: [DONE]');
    expect(await server.exited).toBe(0);

    const rows = await rowsAfterRestart(dataDir, projectId);
    expect(rows.find((row) => row.id === stream.id)).toMatchObject({
      status: 200,
      output_tokens: 2,
      usage_estimated: false,
    });
  });

  it('cuts an answer that outlasts the grace time: 499, billed at the estimate, and the row is kept', async () => {
    const { dataDir, server, projectId, key } = await setUp({ GATEWAY_SHUTDOWN_GRACE_MS: '100' });
    const gate = new Gate();
    sim.script(textReply(['Hello', ' never', ' sent'], { gate, usage: { prompt_tokens: 7, completion_tokens: 3 } }));
    gate.open(); // lets `Hello` through, and nothing after it
    const stream = await streamUntilFirstContent(server, key);

    server.child.kill('SIGTERM');
    const text = await stream.rest();
    expect(text).not.toContain('[DONE]');
    expect(await server.exited).toBe(0);
    for (let i = 0; i < 3; i++) gate.open(); // lets the simulator's held reply notice its client is gone

    const rows = await rowsAfterRestart(dataDir, projectId);
    const row = rows.find((r) => r.id === stream.id);
    expect(row).toMatchObject({ status: 499, usage_estimated: true });
    expect(row!.output_tokens).toBeGreaterThan(0);
    expect(row!.cost_usd).toBeGreaterThan(0);
  });
});
