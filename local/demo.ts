/**
 * `npm run demo`: a real streamed answer with no provider key and no network. It starts the OpenAI simulator on
 * loopback, registers it in the default project as the custom provider `demo` (through the admin API of a gateway
 * already running on PORT, or of one it starts itself), makes a key, and streams a reply with the openai SDK.
 */
import './quiet-warnings.js';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { startOpenAISimulator } from '../simulators/openai.js';
import { ensureDefaultProject } from './default-project.js';
import { StartupError, startLocalGateway } from './gateway.js';

interface Target {
  url: string;
  adminToken: string;
  close?: () => Promise<void>;
}

async function runningGateway(port: number, dataDir: string): Promise<Target | undefined> {
  const url = `http://127.0.0.1:${port}`;
  try {
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    if (!health.ok) return undefined;
  } catch {
    return undefined;
  }
  const adminToken =
    process.env.GATEWAY_ADMIN_TOKEN ?? (await readFile(join(dataDir, 'admin-token'), 'utf8').catch(() => '')).trim();
  if (!adminToken) {
    throw new StartupError(`A gateway runs on ${url}, but its admin token is unknown: set GATEWAY_ADMIN_TOKEN.`);
  }
  return { url, adminToken };
}

async function adminCall<T>(target: Target, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new StartupError(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : 8787;
  const dataDir = resolve(process.env.GATEWAY_DATA_DIR ?? '.gateway');
  const simulator = await startOpenAISimulator({ delayMs: 40 });
  let target = await runningGateway(port, dataDir);
  if (!target) {
    const gateway = await startLocalGateway({ port, dataDir });
    await ensureDefaultProject(gateway.stores);
    target = { url: gateway.url, adminToken: gateway.adminToken, close: () => gateway.close() };
    process.stdout.write(`Started a gateway on ${gateway.url} (admin token ${gateway.adminToken}).\n`);
  } else {
    process.stdout.write(`Using the gateway already running on ${target.url}.\n`);
  }

  const projects = await adminCall<{ data: { id: string; name: string }[] }>(target, 'GET', '/admin/projects');
  const project = projects.data.find((candidate) => candidate.name === 'default') ?? projects.data[0];
  if (!project) throw new StartupError('The gateway has no project.');
  await adminCall(target, 'PUT', `/admin/projects/${project.id}/providers/demo`, {
    type: 'openai-compatible',
    base_url: `${simulator.url}/v1`,
    models: [{ id: 'echo' }],
  });
  const { key } = await adminCall<{ key: string }>(target, 'POST', `/admin/projects/${project.id}/keys`, {
    name: 'demo',
  });
  process.stdout.write(
    `Registered the simulator as provider "demo" in project ${project.id}, and made a key for it:\n  ${key}\n\n`,
  );

  const client = new OpenAI({ baseURL: `${target.url}/v1`, apiKey: key });
  process.stdout.write('Streaming demo/echo through the gateway:\n  ');
  const stream = await client.chat.completions.create({
    model: 'demo/echo',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Hello from the gateway demo, streamed one word at a time.' }],
  });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta.content;
    if (text) process.stdout.write(text);
    if (chunk.usage) process.stdout.write(`\n  (usage: ${JSON.stringify(chunk.usage)})`);
  }
  process.stdout.write(
    [
      '\n\nTry it yourself:',
      `  curl -N ${target.url}/v1/chat/completions -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '{"model":"demo/echo","stream":true,"messages":[{"role":"user","content":"Hi"}]}'`,
      '',
      'The simulator keeps serving until Ctrl-C.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    Promise.all([simulator.close(), target?.close?.()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof StartupError ? error.message : `The demo failed: ${String(error)}`;
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
});
