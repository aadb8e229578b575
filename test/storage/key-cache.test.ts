import { describe, expect, it } from 'vitest';
import { CachingKeyStore } from '../../lib/storage/key-cache.js';
import type { KeyChanges, KeyRecord, KeyStore, NewKey } from '../../lib/storage/types.js';

function record(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: 'key_1',
    hash: 'h1',
    project_id: 'proj_1',
    prefix: 'gw-abcde',
    name: null,
    created_at: '2030-01-01T00:00:00.000Z',
    expires_at: null,
    budget_usd: null,
    rpm: null,
    revoked_at: null,
    last_used_at: null,
    ...overrides,
  };
}

/** An in-memory KeyStore that counts lookups and touches. */
class FakeKeyStore implements KeyStore {
  readonly rows = new Map<string, KeyRecord>();
  finds = 0;
  readonly touches: Array<{ last_used_at: string | null; at: string }> = [];

  async create(projectId: string, _options: NewKey) {
    const created = record({ id: `key_${this.rows.size + 1}`, hash: `h${this.rows.size + 1}`, project_id: projectId });
    this.rows.set(created.hash, created);
    return { record: { ...created }, key: `gw-${created.hash}` };
  }
  async findByHash(hash: string) {
    this.finds++;
    const row = this.rows.get(hash);
    return row && { ...row };
  }
  async list(projectId: string) {
    return [...this.rows.values()].filter((r) => r.project_id === projectId);
  }
  async revoke(projectId: string, keyId: string) {
    const row = [...this.rows.values()].find((r) => r.project_id === projectId && r.id === keyId);
    if (!row) return undefined;
    row.revoked_at ??= '2030-01-01T00:05:00.000Z';
    return { ...row };
  }
  async update(projectId: string, keyId: string, changes: KeyChanges) {
    const row = [...this.rows.values()].find((r) => r.project_id === projectId && r.id === keyId);
    if (!row) return undefined;
    Object.assign(row, changes);
    return { ...row };
  }
  async touch(rec: KeyRecord, at: Date) {
    this.touches.push({ last_used_at: rec.last_used_at, at: at.toISOString() });
  }
}

function setup() {
  const inner = new FakeKeyStore();
  inner.rows.set('h1', record());
  let now = 1_000_000;
  const cache = new CachingKeyStore(inner, { now: () => now });
  return { inner, cache, advance: (ms: number) => (now += ms) };
}

describe('CachingKeyStore', () => {
  it('answers repeated lookups from memory for up to 60 s', async () => {
    const { inner, cache, advance } = setup();
    await cache.findByHash('h1');
    advance(59_999);
    await cache.findByHash('h1');
    expect(inner.finds).toBe(1);
    advance(1);
    await cache.findByHash('h1');
    expect(inner.finds).toBe(2);
  });

  it('drops the entry at once when a key is revoked through it', async () => {
    const { cache } = setup();
    expect((await cache.findByHash('h1'))?.revoked_at).toBeNull();
    await cache.revoke('proj_1', 'key_1');
    expect((await cache.findByHash('h1'))?.revoked_at).toBe('2030-01-01T00:05:00.000Z');
  });

  it('remembers an unknown key only briefly', async () => {
    const { inner, cache, advance } = setup();
    expect(await cache.findByHash('h9')).toBeUndefined();
    await cache.findByHash('h9');
    expect(inner.finds).toBe(1);
    advance(5_000);
    inner.rows.set('h9', record({ hash: 'h9', id: 'key_9' }));
    expect((await cache.findByHash('h9'))?.id).toBe('key_9');
  });

  it('forgets a cached miss for a key created through it', async () => {
    const { inner, cache } = setup();
    expect(await cache.findByHash('h2')).toBeUndefined();
    const { record: created } = await cache.create('proj_1', {});
    expect(created.hash).toBe('h2');
    expect((await cache.findByHash('h2'))?.id).toBe(created.id);
    expect(inner.finds).toBe(2);
  });

  it('hands out copies, so a caller cannot alter the cached record', async () => {
    const { cache } = setup();
    const first = await cache.findByHash('h1');
    if (first) first.revoked_at = 'tampered';
    expect((await cache.findByHash('h1'))?.revoked_at).toBeNull();
  });

  it('passes the freshest known last use to the inner touch and remembers the new one', async () => {
    const { inner, cache } = setup();
    const found = await cache.findByHash('h1');
    if (!found) throw new Error('expected a record');
    await cache.touch(found, new Date('2030-01-01T00:00:00.000Z'));
    await cache.touch(found, new Date('2030-01-01T00:00:10.000Z'));
    expect(inner.touches).toEqual([
      { last_used_at: null, at: '2030-01-01T00:00:00.000Z' },
      { last_used_at: '2030-01-01T00:00:00.000Z', at: '2030-01-01T00:00:10.000Z' },
    ]);
    expect((await cache.findByHash('h1'))?.last_used_at).toBe('2030-01-01T00:00:00.000Z');
  });

  it('keeps at most maxEntries answers, dropping the oldest', async () => {
    const inner = new FakeKeyStore();
    const cache = new CachingKeyStore(inner, { maxEntries: 2 });
    await cache.findByHash('a');
    await cache.findByHash('b');
    await cache.findByHash('c');
    await cache.findByHash('b');
    await cache.findByHash('c');
    expect(inner.finds).toBe(3);
    await cache.findByHash('a');
    expect(inner.finds).toBe(4);
  });
});
