/**
 * The local data directory (CONTRACT.md §6) through the local gateway itself: private modes, one gateway per
 * directory, and a directory deleted under a running gateway reported as such.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../local/data-dir.js';
import { type LocalGateway, StartupError, startLocalGateway } from '../../local/gateway.js';

const started: LocalGateway[] = [];
const dirs: string[] = [];

async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-data-'));
  dirs.push(dir);
  return join(dir, 'data');
}

async function start(dataDir: string, options: { dataDirCheckMs?: number } = {}): Promise<LocalGateway> {
  const gateway = await startLocalGateway({ port: 0, dataDir, adminToken: 'test-admin-token', ...options });
  started.push(gateway);
  return gateway;
}

afterEach(async () => {
  for (const gateway of started.splice(0)) await gateway.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function modes(dir: string): Promise<{ path: string; mode: number; directory: boolean }[]> {
  const out = [{ path: dir, mode: (await stat(dir)).mode & 0o777, directory: true }];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await modes(path)));
    else if (entry.isFile()) out.push({ path, mode: (await stat(path)).mode & 0o777, directory: false });
  }
  return out;
}

const admin = (gateway: LocalGateway, method: string, path: string, body?: unknown) =>
  fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('the data directory', () => {
  it('is 0700 with every file in it 0600, database and credentials included', async () => {
    const dataDir = await newDir();
    const gateway = await start(dataDir);
    const project = (await (await admin(gateway, 'POST', '/admin/projects', { name: 'modes' })).json()) as {
      id: string;
    };
    await admin(gateway, 'POST', `/admin/projects/${project.id}/keys`, { name: 'k' });
    await admin(gateway, 'PUT', `/admin/projects/${project.id}/providers/openai`, { api_key: 'sk-modes-0000' });
    await gateway.close();
    started.length = 0;
    const found = await modes(dataDir);
    expect(found.filter((entry) => !entry.directory).length).toBeGreaterThan(3);
    for (const entry of found)
      expect([entry.path, entry.mode.toString(8)]).toEqual([entry.path, entry.directory ? '700' : '600']);
  });

  it('tightens a directory an earlier version left 0755 with 0644 files', async () => {
    const dataDir = await newDir();
    await mkdir(join(dataDir, 'dynamodb'), { recursive: true, mode: 0o755 });
    await writeFile(join(dataDir, 'admin-token'), 'gwadmin-old\n', { mode: 0o644 });
    await chmod(dataDir, 0o755);
    await start(dataDir);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'dynamodb'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a second gateway on a directory in use, in one line naming the holder', async () => {
    const dataDir = await newDir();
    await start(dataDir);
    const second = startLocalGateway({ port: 0, dataDir, adminToken: 'x' });
    await expect(second).rejects.toBeInstanceOf(StartupError);
    await expect(second).rejects.toThrow(new RegExp(`in use by another gateway \\(pid ${process.pid}\\)`));
  });

  it('takes over the lock of a gateway that is gone', async () => {
    const dataDir = await newDir();
    await mkdir(dataDir, { recursive: true });
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.once('exit', () => resolve(child.pid!)));
    await writeFile(join(dataDir, LOCK_FILE), `${deadPid}\n`);
    const gateway = await start(dataDir);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it('answers 503 saying the directory was deleted, once it is', async () => {
    const dataDir = await newDir();
    const gateway = await start(dataDir, { dataDirCheckMs: 20 });
    await rm(dataDir, { recursive: true, force: true });
    let answer: Response | undefined;
    for (let i = 0; i < 100; i++) {
      answer = await admin(gateway, 'GET', '/admin/projects');
      if (answer.status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(answer?.status).toBe(503);
    const body = (await answer!.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('storage_unavailable');
    expect(body.error.message).toContain(`${dataDir} was deleted while it was running`);
  });
});
