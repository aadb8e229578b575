/**
 * End-to-end harness: the real local gateway (local/gateway.ts: dynalite, the file credential store and the
 * exported Lambda handlers) on 127.0.0.1 port 0 with a temporary data directory, plus admin helpers and an official
 * openai SDK client. One gateway per test file: the handlers read their configuration from the environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { type LocalGateway, type LocalGatewayOptions, startLocalGateway } from '../../local/gateway.js';

export interface AdminResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestGateway {
  url: string;
  gateway: LocalGateway;
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>>;
  /** Makes a project and a key; returns both. */
  project(name?: string): Promise<{ projectId: string; key: string }>;
  /** Stores a provider credential for a project (asserting the 200). */
  putProvider(projectId: string, provider: string, credential: Record<string, unknown>): Promise<void>;
  /** The official openai SDK pointed at the gateway, with retries off so tests see each answer as it is. */
  client(key: string): OpenAI;
  close(): Promise<void>;
}

export async function startTestGateway(
  options: Pick<
    LocalGatewayOptions,
    'shutdownGraceMs' | 'storageRestartDelayMs' | 'storageClock' | 'spoolRetryMs' | 'clock'
  > = {},
): Promise<TestGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-e2e-'));
  const adminToken = `test-admin-${Math.random().toString(36).slice(2)}`;
  const gateway = await startLocalGateway({ ...options, port: 0, dataDir, adminToken });

  async function admin<T>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T, text };
  }

  return {
    url: gateway.url,
    gateway,
    admin,
    async project(name = 'e2e') {
      const project = await admin<{ id: string }>('POST', '/admin/projects', { name });
      if (project.status !== 201) throw new Error(`project: ${project.status} ${project.text}`);
      const key = await admin<{ key: string }>('POST', `/admin/projects/${project.body.id}/keys`, { name: 'e2e' });
      if (key.status !== 201) throw new Error(`key: ${key.status} ${key.text}`);
      return { projectId: project.body.id, key: key.body.key };
    },
    async putProvider(projectId, provider, credential) {
      const response = await admin('PUT', `/admin/projects/${projectId}/providers/${provider}`, credential);
      if (response.status !== 200) throw new Error(`provider ${provider}: ${response.status} ${response.text}`);
    },
    client(key) {
      return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0, timeout: 20_000 });
    },
    async close() {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sets environment variables for the duration of a test file (the handlers read settings per request). */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(values)) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

export type ApiError = InstanceType<typeof OpenAI.APIError>;

/** A one-message conversation from the user. */
export const user = (content: string) => [{ role: 'user' as const, content }];

/** The APIError a call failed with; the test fails if the call succeeded. */
export function failure(promise: Promise<unknown>): Promise<ApiError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as ApiError,
  );
}
