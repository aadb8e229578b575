import { TtlCache } from '../core/ttl-cache.js';
import type { CredentialStore, ProjectCredentials, StoredCredential } from './types.js';

export interface CredentialCacheOptions {
  /** At most 60 s: a credential changed by another process (the admin Lambda) is seen within that time. */
  ttlMs?: number;
  /** Projects kept at most; the least recently used go first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A CredentialStore that remembers each project's map for a short time; a put or delete made through it drops that
 * project's entry at once. Answers are copies, so a caller cannot alter the cached map.
 */
export class CachingCredentialStore implements CredentialStore {
  private readonly entries: TtlCache<string, Promise<ProjectCredentials>>;
  private readonly ttlMs: number;

  constructor(
    private readonly inner: CredentialStore,
    options: CredentialCacheOptions = {},
  ) {
    this.ttlMs = Math.min(options.ttlMs ?? 60_000, 60_000);
    this.entries = new TtlCache({ maxEntries: options.maxEntries ?? 10_000, now: options.now });
  }

  async get(projectId: string): Promise<ProjectCredentials> {
    return structuredClone(await this.entries.getOrLoad(projectId, this.ttlMs, () => this.inner.get(projectId)));
  }

  async put(projectId: string, provider: string, credential: StoredCredential): Promise<void> {
    try {
      await this.inner.put(projectId, provider, credential);
    } finally {
      this.entries.delete(projectId);
    }
  }

  async delete(projectId: string, provider: string): Promise<boolean> {
    try {
      return await this.inner.delete(projectId, provider);
    } finally {
      this.entries.delete(projectId);
    }
  }

  /** Forgets every cached map. */
  clear(): void {
    this.entries.clear();
  }
}
