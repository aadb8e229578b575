import { TtlCache } from '../core/ttl-cache.js';
import { touchDue } from './touch.js';
import type { KeyChanges, KeyRecord, KeyStore, NewKey } from './types.js';

export interface KeyCacheOptions {
  /** How long a found record is reused (the contract allows a revoke to take up to 60 s in AWS). */
  ttlMs?: number;
  /** How long "no such key" is remembered: short, so a key made by another process works almost at once. */
  missTtlMs?: number;
  /** Entries kept at most; the oldest go first (guessed keys must not grow the map without bound). */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A KeyStore that remembers `findByHash` answers. Writes made through it (create, revoke, touch) update or drop the
 * cached entry at once, so in one process (the local server) a revoked key stops working immediately; other
 * processes (other Lambdas) see it when their entry expires.
 */
export class CachingKeyStore implements KeyStore {
  /** By key hash: the record, or null for "no such key". */
  private readonly entries: TtlCache<string, KeyRecord | null>;
  private readonly ttlMs: number;
  private readonly missTtlMs: number;

  constructor(
    private readonly inner: KeyStore,
    options: KeyCacheOptions = {},
  ) {
    this.ttlMs = Math.min(options.ttlMs ?? 60_000, 60_000);
    this.missTtlMs = Math.min(options.missTtlMs ?? 5_000, this.ttlMs);
    this.entries = new TtlCache({ maxEntries: options.maxEntries ?? 10_000, now: options.now });
  }

  async create(projectId: string, options: NewKey): Promise<{ record: KeyRecord; key: string }> {
    const created = await this.inner.create(projectId, options);
    this.entries.delete(created.record.hash);
    return created;
  }

  async findByHash(hash: string): Promise<KeyRecord | undefined> {
    const cached = this.entries.get(hash);
    if (cached !== undefined) return cached === null ? undefined : { ...cached };
    const record = await this.inner.findByHash(hash);
    this.remember(hash, record);
    return record && { ...record };
  }

  list(projectId: string): Promise<KeyRecord[]> {
    return this.inner.list(projectId);
  }

  async revoke(projectId: string, keyId: string): Promise<KeyRecord | undefined> {
    const revoked = await this.inner.revoke(projectId, keyId);
    if (revoked) this.entries.delete(revoked.hash);
    return revoked;
  }

  async update(projectId: string, keyId: string, changes: KeyChanges): Promise<KeyRecord | undefined> {
    const updated = await this.inner.update(projectId, keyId, changes);
    if (updated) this.entries.delete(updated.hash);
    return updated;
  }

  async touch(record: KeyRecord, at: Date): Promise<void> {
    const cached = this.entries.peek(record.hash) ?? undefined;
    // The cached copy may know of a more recent use than the caller's record; let the inner store skip on it.
    const latest =
      cached?.last_used_at && (!record.last_used_at || cached.last_used_at > record.last_used_at) ? cached : record;
    await this.inner.touch(latest, at);
    if (cached && touchDue(cached.last_used_at, at)) {
      cached.last_used_at = at.toISOString();
    }
  }

  /** Forgets every cached answer. */
  clear(): void {
    this.entries.clear();
  }

  private remember(hash: string, record: KeyRecord | undefined): void {
    if (record) this.entries.set(hash, { ...record }, this.ttlMs);
    else this.entries.set(hash, null, this.missTtlMs);
  }
}
