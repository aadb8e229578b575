import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../lib/storage/ids.js';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';
import { adminClient, expectError } from './helpers.js';

let storage: TestStorage;
let api: ReturnType<typeof adminClient>;
let project: string;

beforeAll(async () => {
  storage = await startTestStorage();
  api = adminClient(storage.stores);
  project = (await api.call('POST', '/admin/projects', { name: 'keys' })).json.id;
});

afterAll(async () => {
  await storage.close();
});

const keysPath = () => `/admin/projects/${project}/keys`;

describe('creating keys', () => {
  it('answers 201 with the key, once, and its limits', async () => {
    const reply = await api.call('POST', keysPath(), {
      name: 'ci',
      expires_at: '2099-12-31T23:00:00+01:00',
      budget_usd: 12.5,
      rpm: 30,
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['cache-control']).toBe('no-store');
    const { key } = reply.json;
    expect(key).toMatch(/^gw-[A-Za-z0-9_-]{43}$/);
    expect(reply.json).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{24}$/),
      key,
      prefix: key.slice(0, 8),
      name: 'ci',
      created_at: expect.any(String),
      expires_at: '2099-12-31T22:00:00.000Z',
      budget_usd: 12.5,
      rpm: 30,
      models: null,
    });
    const stored = await storage.stores.keys.findByHash(hashKey(key));
    expect(stored).toMatchObject({ id: reply.json.id, project_id: project, expires_at: '2099-12-31T22:00:00.000Z' });
  });

  it('accepts an empty body: a key without name or limits', async () => {
    const reply = await api.call('POST', keysPath());
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ name: null, expires_at: null, budget_usd: null, rpm: null });
  });

  it('stores only the hash: no plaintext key in the table', async () => {
    const { key } = (await api.call('POST', keysPath(), { name: 'scan' })).json;
    const { Items = [] } = await storage.stores.dynamodb.send(
      new ScanCommand({ TableName: storage.stores.tables.keys }),
    );
    const table = JSON.stringify(Items);
    expect(table).toContain(hashKey(key));
    expect(table).not.toContain(key);
    expect(table).not.toContain(key.slice(8));
  });

  it.each([
    [{ expires_at: 'tomorrow' }, 'expires_at'],
    [{ expires_at: '2099-02-30' }, 'expires_at'],
    [{ expires_at: '2099-01-01T00:00:00' }, 'expires_at'],
    [{ expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
    [{ expires_at: 20990101 }, 'expires_at'],
    [{ budget_usd: -1 }, 'budget_usd'],
    [{ budget_usd: '5' }, 'budget_usd'],
    [{ budget_usd: 2_000_000_000 }, 'budget_usd'],
    [{ rpm: 0 }, 'rpm'],
    [{ rpm: 1.5 }, 'rpm'],
    [{ rpm: -3 }, 'rpm'],
    [{ name: 7 }, 'name'],
    [{ budget: 5 }, 'budget'],
  ])('rejects %j naming %s', async (body, param) => {
    const error = expectError(await api.call('POST', keysPath(), body), 400);
    expect(error.param).toBe(param);
  });

  it('says why an expiry in the past is refused', async () => {
    const error = expectError(await api.call('POST', keysPath(), { expires_at: '2001-01-01' }), 400);
    expect(error.message).toMatch(/future/);
  });

  it('answers 404 for an unknown project', async () => {
    const error = expectError(await api.call('POST', '/admin/projects/proj_000000000000000000000000/keys', {}), 404);
    expect(error.code).toBe('project_not_found');
  });
});

describe('listing keys', () => {
  it('lists newest first with prefix and last_used_at, never the key or its hash', async () => {
    const other = (await api.call('POST', '/admin/projects', { name: 'list' })).json.id;
    const path = `/admin/projects/${other}/keys`;
    const first = (await api.call('POST', path, { name: 'first' })).json;
    const second = (await api.call('POST', path, { name: 'second' })).json;
    const record = await storage.stores.keys.findByHash(hashKey(first.key));
    if (!record) throw new Error('key not stored');
    await storage.stores.keys.touch(record, new Date('2030-06-01T12:00:00.000Z'));

    const reply = await api.call('GET', path);
    expect(reply.status).toBe(200);
    expect(reply.json.data.map((k: { name: string }) => k.name)).toEqual(['second', 'first']);
    expect(reply.json.data[1]).toEqual({
      id: first.id,
      prefix: first.prefix,
      name: 'first',
      created_at: first.created_at,
      expires_at: null,
      budget_usd: null,
      rpm: null,
      models: null,
      revoked_at: null,
      last_used_at: '2030-06-01T12:00:00.000Z',
      month_spend_usd: 0,
    });
    expect(reply.body).not.toContain(first.key);
    expect(reply.body).not.toContain(second.key);
    expect(reply.body).not.toContain(hashKey(first.key));
    expect(reply.body).not.toContain('"hash"');
  });

  it('answers 404 for an unknown project', async () => {
    expectError(await api.call('GET', '/admin/projects/proj_000000000000000000000000/keys'), 404);
  });
});

describe('revoking keys', () => {
  it('revokes with 200 {id, revoked, revoked_at}, takes effect at once, and is idempotent', async () => {
    const created = (await api.call('POST', keysPath(), { name: 'doomed' })).json;
    expect((await storage.stores.keys.findByHash(hashKey(created.key)))?.revoked_at).toBeNull();

    const reply = await api.call('DELETE', `${keysPath()}/${created.id}`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ id: created.id, revoked: true, revoked_at: expect.any(String) });
    expect((await storage.stores.keys.findByHash(hashKey(created.key)))?.revoked_at).toBe(reply.json.revoked_at);

    const again = await api.call('DELETE', `${keysPath()}/${created.id}`);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(reply.json);

    const listed = (await api.call('GET', keysPath())).json.data.find((k: { id: string }) => k.id === created.id);
    expect(listed.revoked_at).toBe(reply.json.revoked_at);
  });

  it("answers 404 key_not_found for an unknown key or another project's key", async () => {
    const error = expectError(await api.call('DELETE', `${keysPath()}/key_000000000000000000000000`), 404);
    expect(error.code).toBe('key_not_found');
    const other = (await api.call('POST', '/admin/projects', { name: 'other' })).json.id;
    const foreign = (await api.call('POST', `/admin/projects/${other}/keys`, {})).json;
    expectError(await api.call('DELETE', `${keysPath()}/${foreign.id}`), 404);
    expect((await storage.stores.keys.findByHash(hashKey(foreign.key)))?.revoked_at).toBeNull();
  });
});

describe('key secrecy across every answer', () => {
  it('shows each plaintext key in exactly one response: the one that made it', () => {
    const keys = api.bodies.flatMap((body) => [...body.matchAll(/"key":"(gw-[^"]+)"/g)].map((m) => m[1] as string));
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) {
      expect(api.bodies.filter((body) => body.includes(key))).toHaveLength(1);
      expect(api.bodies.some((body) => body.includes(hashKey(key)))).toBe(false);
    }
  });
});

describe('changing keys', () => {
  it('changes name, limits and scope, clears with null, keeps what is absent, never shows the key', async () => {
    const created = await api.call('POST', keysPath(), { name: 'before', rpm: 10, budget_usd: 5 });
    const path = `${keysPath()}/${created.json.id}`;
    const changed = await api.call('PATCH', path, { name: 'after', rpm: null, models: ['acme/*'] });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({
      id: created.json.id,
      name: 'after',
      rpm: null,
      budget_usd: 5,
      models: ['acme/*'],
    });
    expect(changed.body).not.toContain(created.json.key);
    const stored = await storage.stores.keys.findByHash(hashKey(created.json.key));
    expect(stored).toMatchObject({ name: 'after', rpm: null, budget_usd: 5, models: ['acme/*'] });
    const listed = await api.call('GET', keysPath());
    expect(listed.json.data.find((k: { id: string }) => k.id === created.json.id)).toMatchObject({
      name: 'after',
      models: ['acme/*'],
      month_spend_usd: 0,
    });
  });

  it('answers 404 for a key of another project or none, and 400 naming a bad field', async () => {
    expect((await api.call('PATCH', `${keysPath()}/key_000000000000000000000000`, { name: 'x' })).status).toBe(404);
    const created = await api.call('POST', keysPath(), {});
    const bad = await api.call('PATCH', `${keysPath()}/${created.json.id}`, { rpm: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('rpm');
    const unknown = await api.call('PATCH', `${keysPath()}/${created.json.id}`, { hash: 'x' });
    expect(unknown.status).toBe(400);
  });
});
