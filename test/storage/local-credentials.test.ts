import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCredentialStore, loadOrCreateMasterKey } from '../../lib/storage/local-credentials.js';
import type { StoredCredential } from '../../lib/storage/types.js';
import { makeTempDir } from './helpers.js';

const SECRET = 'sk-local-secret-7f3a9c';
const openai: StoredCredential = {
  type: 'openai',
  credential: { api_key: SECRET },
  updated_at: '2030-01-01T00:00:00.000Z',
};
const acme: StoredCredential = {
  type: 'openai-compatible',
  credential: { type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', headers: { 'x-token': 'tok-acme-91' } },
  updated_at: '2030-01-02T00:00:00.000Z',
};

let dataDir: string;

beforeAll(async () => {
  dataDir = await makeTempDir('gw-secrets-');
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('LocalCredentialStore', () => {
  it('answers {} for a project with nothing stored', async () => {
    expect(await new LocalCredentialStore(dataDir).get('proj_empty')).toEqual({});
  });

  it('stores, reads back (also from a new instance) and deletes credentials', async () => {
    const store = new LocalCredentialStore(dataDir);
    await store.put('proj_a', 'openai', openai);
    await store.put('proj_a', 'acme', acme);

    expect(await new LocalCredentialStore(dataDir).get('proj_a')).toEqual({ openai, acme });
    expect(await store.delete('proj_a', 'openai')).toBe(true);
    expect(await store.delete('proj_a', 'openai')).toBe(false);
    expect(await store.delete('proj_none', 'openai')).toBe(false);
    expect(await store.get('proj_a')).toEqual({ acme });
  });

  it('keeps concurrent puts to one project', async () => {
    const store = new LocalCredentialStore(dataDir);
    await Promise.all([store.put('proj_c', 'openai', openai), store.put('proj_c', 'acme', acme)]);
    expect(await store.get('proj_c')).toEqual({ openai, acme });
  });

  it('writes no plaintext secret to disk and a fresh IV each time', async () => {
    const store = new LocalCredentialStore(dataDir);
    await store.put('proj_b', 'openai', openai);
    const file = join(dataDir, 'secrets', 'proj_b.json.enc');
    const first = await readFile(file);
    await store.put('proj_b', 'openai', openai);
    const second = await readFile(file);

    for (const bytes of [first, second]) {
      expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
      expect(bytes.toString('latin1')).not.toContain('api_key');
      expect(bytes.toString('base64')).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 12));
    }
    expect(first.subarray(1, 13).equals(second.subarray(1, 13))).toBe(false);
    const leftovers = (await readdir(join(dataDir, 'secrets'))).filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('keeps the master key in a 0600 file of 32 bytes, and reuses it', async () => {
    const dir = join(dataDir, 'secrets');
    const key = await loadOrCreateMasterKey(dir);
    const info = await stat(join(dir, 'master.key'));
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.size).toBe(32);
    expect((await loadOrCreateMasterKey(dir)).equals(key)).toBe(true);
  });

  it('agrees on one master key when several stores start at once', async () => {
    const dir = join(await makeTempDir('gw-race-'), 'secrets');
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateMasterKey(dir)));
    for (const key of keys) expect(key.equals(keys[0] as Buffer)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('detects a tampered file', async () => {
    const store = new LocalCredentialStore(dataDir);
    await store.put('proj_t', 'openai', openai);
    const file = join(dataDir, 'secrets', 'proj_t.json.enc');
    const bytes = await readFile(file);
    const last = bytes.length - 1;
    bytes[last] = (bytes[last] ?? 0) ^ 0x01;
    await writeFile(file, bytes);

    await expect(new LocalCredentialStore(dataDir).get('proj_t')).rejects.toThrow(/failed authentication/);
  });

  it("refuses one project's file copied over another's", async () => {
    const store = new LocalCredentialStore(dataDir);
    await store.put('proj_x', 'openai', openai);
    await store.put('proj_y', 'acme', acme);
    const dir = join(dataDir, 'secrets');
    await writeFile(join(dir, 'proj_y.json.enc'), await readFile(join(dir, 'proj_x.json.enc')));

    await expect(new LocalCredentialStore(dataDir).get('proj_y')).rejects.toThrow(/failed authentication/);
  });

  it('fails with another master key', async () => {
    const store = new LocalCredentialStore(dataDir);
    await store.put('proj_k', 'openai', openai);
    const other = await makeTempDir('gw-other-');
    await mkdir(join(other, 'secrets'));
    await copyFile(join(dataDir, 'secrets', 'proj_k.json.enc'), join(other, 'secrets', 'proj_k.json.enc'));

    await expect(new LocalCredentialStore(other).get('proj_k')).rejects.toThrow(/failed authentication/);
    await rm(other, { recursive: true, force: true });
  });

  it('refuses project ids that could leave the secrets directory', async () => {
    const store = new LocalCredentialStore(dataDir);
    await expect(store.get('../escape')).rejects.toThrow(/invalid project id/);
    await expect(store.put('a/b', 'openai', openai)).rejects.toThrow(/invalid project id/);
  });
});
