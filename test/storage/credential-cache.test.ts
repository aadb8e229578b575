import { describe, expect, it } from 'vitest';
import { CachingCredentialStore } from '../../lib/storage/credential-cache.js';
import type { CredentialStore, ProjectCredentials, StoredCredential } from '../../lib/storage/types.js';

const cred = (apiKey: string): StoredCredential => ({
  type: 'openai',
  credential: { api_key: apiKey },
  updated_at: '2030-01-01T00:00:00.000Z',
});

class FakeCredentialStore implements CredentialStore {
  readonly maps = new Map<string, ProjectCredentials>();
  gets = 0;
  failNext = false;

  async get(projectId: string) {
    this.gets++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('unavailable');
    }
    return structuredClone(this.maps.get(projectId) ?? {});
  }
  async put(projectId: string, provider: string, credential: StoredCredential) {
    this.maps.set(projectId, { ...this.maps.get(projectId), [provider]: credential });
  }
  async delete(projectId: string, provider: string) {
    const map = this.maps.get(projectId);
    if (!map?.[provider]) return false;
    delete map[provider];
    return true;
  }
}

function setup() {
  const inner = new FakeCredentialStore();
  let now = 0;
  const cache = new CachingCredentialStore(inner, { now: () => now });
  return { inner, cache, advance: (ms: number) => (now += ms) };
}

describe('CachingCredentialStore', () => {
  it("reuses a project's map for up to 60 s", async () => {
    const { inner, cache, advance } = setup();
    inner.maps.set('p', { openai: cred('one') });
    await cache.get('p');
    advance(59_999);
    await cache.get('p');
    expect(inner.gets).toBe(1);
    inner.maps.set('p', { openai: cred('two') });
    advance(1);
    expect((await cache.get('p')).openai?.credential.api_key).toBe('two');
  });

  it('drops the project at once on a put or a delete through it', async () => {
    const { cache } = setup();
    expect(await cache.get('p')).toEqual({});
    await cache.put('p', 'openai', cred('one'));
    expect((await cache.get('p')).openai?.credential.api_key).toBe('one');
    expect(await cache.delete('p', 'openai')).toBe(true);
    expect(await cache.get('p')).toEqual({});
  });

  it('shares one read between concurrent gets and does not keep a failed one', async () => {
    const { inner, cache } = setup();
    await Promise.all([cache.get('p'), cache.get('p'), cache.get('q')]);
    expect(inner.gets).toBe(2);

    cache.clear();
    inner.failNext = true;
    await expect(cache.get('p')).rejects.toThrow('unavailable');
    expect(await cache.get('p')).toEqual({});
  });

  it('hands out copies', async () => {
    const { inner, cache } = setup();
    inner.maps.set('p', { openai: cred('one') });
    const first = await cache.get('p');
    delete first.openai;
    expect((await cache.get('p')).openai).toBeDefined();
  });
});
