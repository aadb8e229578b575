import type { CredentialStore, ProjectCredentials, StoredCredential } from './types.js';

export interface CredentialCacheOptions {
  /** At most 60 s: a credential changed by another process (the admin Lambda) is seen within that time. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * A CredentialStore that remembers each project's map for a short time; a put or delete made through it drops that
 * project's entry at once. Answers are copies, so a caller cannot alter the cached map.
 */
export class CachingCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, { credentials: Promise<ProjectCredentials>; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: CredentialStore,
    options: CredentialCacheOptions = {},
  ) {
    this.ttlMs = Math.min(options.ttlMs ?? 60_000, 60_000);
    this.now = options.now ?? Date.now;
  }

  async get(projectId: string): Promise<ProjectCredentials> {
    let entry = this.entries.get(projectId);
    if (!entry || entry.expiresAt <= this.now()) {
      // Caching the promise lets concurrent requests share one read; a failed read is not kept.
      const credentials = this.inner.get(projectId);
      entry = { credentials, expiresAt: this.now() + this.ttlMs };
      this.entries.set(projectId, entry);
      const current = entry;
      credentials.catch(() => {
        if (this.entries.get(projectId) === current) this.entries.delete(projectId);
      });
    }
    return structuredClone(await entry.credentials);
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
