import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../lib/storage/ids.js';
import { DynamoKeyStore } from '../../lib/storage/keys.js';
import { DynamoProjectStore } from '../../lib/storage/projects.js';
import { startTestStorage, type TestStorage } from './helpers.js';

let storage: TestStorage;

beforeAll(async () => {
  storage = await startTestStorage();
});

afterAll(async () => {
  await storage.close();
});

describe('DynamoProjectStore', () => {
  it('creates projects with proj_ + 24 hex ids and lists them oldest first', async () => {
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const projects = new DynamoProjectStore(storage.stores.dynamodb, storage.stores.tables.projects, () => {
      clock -= 1000;
      return new Date(clock);
    });
    const first = await projects.create('first');
    const second = await projects.create('second');

    expect(first.id).toMatch(/^proj_[0-9a-f]{24}$/);
    expect(first).toEqual({ id: first.id, name: 'first', created_at: '2029-12-31T23:59:59.000Z' });
    expect(await projects.get(first.id)).toEqual(first);
    expect(await projects.get('proj_000000000000000000000000')).toBeUndefined();
    const listed = (await projects.list()).filter((p) => p.id === first.id || p.id === second.id);
    expect(listed.map((p) => p.name)).toEqual(['second', 'first']);
  });
});

describe('DynamoKeyStore', () => {
  it('makes gw- keys of 32 random bytes and stores only their sha256', async () => {
    const { keys, tables, dynamodb } = storage.stores;
    const { record, key } = await keys.create('proj_hashonly', { name: 'ci', budget_usd: 5, rpm: 60 });

    expect(key).toMatch(/^gw-[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    expect(record.id).toMatch(/^key_[0-9a-f]{24}$/);
    expect(record.hash).toBe(hashKey(key));
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.prefix).toBe(key.slice(0, 8));

    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tables.keys }));
    const raw = JSON.stringify(Items);
    expect(raw).toContain(record.hash);
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(key.slice(3));
    const stored = Items.map((item) => unmarshall(item)).find((item) => item.id === record.id);
    expect(stored).toEqual({
      id: record.id,
      hash: record.hash,
      project_id: 'proj_hashonly',
      prefix: record.prefix,
      name: 'ci',
      created_at: record.created_at,
      budget_usd: 5,
      rpm: 60,
    });
  });

  it('finds a key by its hash, with unset fields as null', async () => {
    const { keys } = storage.stores;
    const { record, key } = await keys.create('proj_find', { expires_at: '2099-01-01T00:00:00.000Z' });
    expect(await keys.findByHash(hashKey(key))).toEqual({
      ...record,
      name: null,
      expires_at: '2099-01-01T00:00:00.000Z',
      budget_usd: null,
      rpm: null,
      revoked_at: null,
      last_used_at: null,
    });
    expect(await keys.findByHash(hashKey('gw-not-a-key'))).toBeUndefined();
  });

  it("lists a project's keys newest first and no other project's", async () => {
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const keys = new DynamoKeyStore(storage.stores.dynamodb, storage.stores.tables.keys, () => {
      clock += 1000;
      return new Date(clock);
    });
    const a = await keys.create('proj_list', { name: 'a' });
    const b = await keys.create('proj_list', { name: 'b' });
    await keys.create('proj_other', { name: 'c' });

    const listed = await keys.list('proj_list');
    expect(listed.map((k) => k.id)).toEqual([b.record.id, a.record.id]);
    expect(await keys.list('proj_none')).toEqual([]);
  });

  it('revokes a key once (a second revoke keeps the first time) and only within its project', async () => {
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const keys = new DynamoKeyStore(storage.stores.dynamodb, storage.stores.tables.keys, () => {
      clock += 1000;
      return new Date(clock);
    });
    const { record } = await keys.create('proj_revoke', {});

    expect(await keys.revoke('proj_elsewhere', record.id)).toBeUndefined();
    expect(await keys.revoke('proj_revoke', 'key_000000000000000000000000')).toBeUndefined();
    const revoked = await keys.revoke('proj_revoke', record.id);
    expect(revoked?.revoked_at).toBe('2030-01-01T00:00:02.000Z');
    const again = await keys.revoke('proj_revoke', record.id);
    expect(again?.revoked_at).toBe('2030-01-01T00:00:02.000Z');
    expect((await keys.findByHash(record.hash))?.revoked_at).toBe('2030-01-01T00:00:02.000Z');
  });

  it('records last_used_at, skipping writes under a minute after the stored one', async () => {
    const { dynamodb, tables } = storage.stores;
    const keys = new DynamoKeyStore(dynamodb, tables.keys);
    const { record } = await keys.create('proj_touch', {});
    const stored = async () => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: tables.keys, Key: marshall({ hash: record.hash }) }),
      );
      return Item ? unmarshall(Item).last_used_at : undefined;
    };

    await keys.touch(record, new Date('2030-01-01T00:00:00.000Z'));
    expect(await stored()).toBe('2030-01-01T00:00:00.000Z');
    // A stale record (as from a cache) does not win over the table's fresher value.
    await keys.touch(record, new Date('2030-01-01T00:00:30.000Z'));
    expect(await stored()).toBe('2030-01-01T00:00:00.000Z');
    await keys.touch(record, new Date('2030-01-01T00:01:00.000Z'));
    expect(await stored()).toBe('2030-01-01T00:01:00.000Z');
  });

  it('does not create a row when touching a key that does not exist', async () => {
    const { dynamodb, tables } = storage.stores;
    const keys = new DynamoKeyStore(dynamodb, tables.keys);
    const ghost = (await keys.create('proj_ghost', {})).record;
    await keys.touch({ ...ghost, hash: hashKey('gw-ghost') }, new Date());
    expect(await keys.findByHash(hashKey('gw-ghost'))).toBeUndefined();
  });
});

describe('the cached key store from createStores', () => {
  it('sees a revoke made through it at once', async () => {
    const { keys } = storage.stores;
    const { record, key } = await keys.create('proj_cache', {});
    expect((await keys.findByHash(hashKey(key)))?.revoked_at).toBeNull();

    await keys.revoke('proj_cache', record.id);

    expect((await keys.findByHash(hashKey(key)))?.revoked_at).toEqual(expect.any(String));
  });
});
