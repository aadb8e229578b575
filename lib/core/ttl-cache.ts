/**
 * The one cache of the gateway's warm state (key records, project credentials, default credentials, provider
 * clients): entries expire after their own
 * time to live and the least recently used go first beyond `maxEntries`, so nothing a caller can vary (a guessed
 * key, a new project) grows memory without bound. A Map keeps insertion order, which makes re-inserting on use an
 * LRU list.
 */
export interface TtlCacheOptions {
  maxEntries: number;
  now?: () => number;
}

export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The live value for `key`, marked as just used; undefined when absent or expired. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The stored value even when expired (e.g. to compare with a fresher one); does not mark it used. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * A cache of promises: the live one for `key`, or `load()`'s, kept for `ttlMs` and shared by concurrent callers
   * (one read for many requests); a load that fails is forgotten, so the next caller tries again.
   */
  getOrLoad<T>(this: TtlCache<K, Promise<T>>, key: K, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const cached = this.get(key);
    if (cached) return cached;
    const loading = Promise.resolve().then(load);
    this.set(key, loading, ttlMs);
    loading.catch(() => {
      if (this.peek(key) === loading) this.delete(key);
    });
    return loading;
  }

  set(key: K, value: V, ttlMs: number): void {
    this.entries.delete(key);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
