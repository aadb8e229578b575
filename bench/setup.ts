/**
 * The benchmark's fixtures: the OpenAI simulator answering with a fixed text (JSON, or SSE in a fixed number of
 * chunks), and the local gateway in this process (local/gateway.ts) with a project, a key, and the simulator
 * registered both as `openai` (with a base_url) and as the custom provider `sim` (openai-compatible).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalGateway, startLocalGateway } from '../local/gateway.js';
import type { Simulator } from '../simulators/base.js';
import { startOpenAISimulator, textReply } from '../simulators/openai.js';

export interface SimOptions {
  chunks: number;
  delayMs?: number;
  firstByteDelayMs?: number;
}

/** `chunks` content pieces (a word each); the simulator adds the role chunk, the finish chunk and [DONE]. */
export function answerPieces(chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => (i === 0 ? 'word0' : ` word${i}`));
}

export async function startSimulator(options: SimOptions): Promise<Simulator> {
  const sim = await startOpenAISimulator();
  const { delayMs, firstByteDelayMs } = options;
  sim.setDefault(textReply(answerPieces(options.chunks), { delayMs, firstByteDelayMs }));
  return sim;
}

/** Drops the simulator's request log, which would otherwise grow with every request and skew the memory figures. */
export function forgetRequests(sim: Simulator): void {
  sim.reset();
}

export interface AdminClient {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function adminClient(url: string, adminToken: string): AdminClient {
  return {
    async call(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    },
  };
}

/** Makes a project and key, and registers the simulator twice; returns the key. */
export async function provision(admin: AdminClient, simUrl: string): Promise<string> {
  const project = await admin.call('POST', '/admin/projects', { name: 'bench' });
  if (project.status !== 201) throw new Error(`project: ${project.status} ${JSON.stringify(project.body)}`);
  const projectId = String(project.body.id);
  const key = await admin.call('POST', `/admin/projects/${projectId}/keys`, { name: 'bench' });
  if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
  const providers: Record<string, Record<string, unknown>> = {
    openai: { api_key: 'sk-bench-0000000000', base_url: `${simUrl}/v1` },
    sim: {
      type: 'openai-compatible',
      base_url: `${simUrl}/v1`,
      api_key: 'sk-bench-0000000000',
      models: [{ id: 'bench-model' }],
    },
  };
  for (const [name, credential] of Object.entries(providers)) {
    const put = await admin.call('PUT', `/admin/projects/${projectId}/providers/${name}`, credential);
    if (put.status !== 200) throw new Error(`provider ${name}: ${put.status} ${JSON.stringify(put.body)}`);
  }
  return String(key.body.key);
}

export interface InProcessGateway {
  gateway: LocalGateway;
  key: string;
  close(): Promise<void>;
}

export async function startGateway(simUrl: string): Promise<InProcessGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-bench-'));
  const adminToken = `bench-admin-${Math.random().toString(36).slice(2)}`;
  const gateway = await startLocalGateway({ port: 0, dataDir, adminToken });
  const key = await provision(adminClient(gateway.url, adminToken), simUrl);
  return {
    gateway,
    key,
    async close() {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
