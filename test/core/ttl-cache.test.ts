import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../lib/core/ttl-cache.js';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TtlCache', () => {
  it('answers until the entry expires', () => {
    const time = clock();
    const cache = new TtlCache<string, number>({ maxEntries: 10, now: time.now });
    cache.set('a', 1, 100);
    time.advance(99);
    expect(cache.get('a')).toBe(1);
    time.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the least recently used beyond maxEntries', () => {
    const cache = new TtlCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1, 1_000);
    cache.set('b', 2, 1_000);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3, 1_000);
    expect([cache.peek('a'), cache.peek('b'), cache.peek('c')]).toEqual([1, undefined, 3]);
  });
});

describe('TtlCache.getOrLoad', () => {
  it('shares one load among concurrent callers and keeps it for its time to live', async () => {
    const time = clock();
    const cache = new TtlCache<string, Promise<string>>({ maxEntries: 10, now: time.now });
    let loads = 0;
    const load = async () => `value ${++loads}`;
    const [first, second] = await Promise.all([cache.getOrLoad('k', 50, load), cache.getOrLoad('k', 50, load)]);
    expect([first, second, loads]).toEqual(['value 1', 'value 1', 1]);
    time.advance(50);
    expect(await cache.getOrLoad('k', 50, load)).toBe('value 2');
  });

  it('forgets a load that failed, thrown or rejected, so the next caller tries again', async () => {
    const cache = new TtlCache<string, Promise<string>>({ maxEntries: 10 });
    await expect(
      cache.getOrLoad('k', 1_000, () => {
        throw new Error('thrown');
      }),
    ).rejects.toThrow('thrown');
    await expect(cache.getOrLoad('k', 1_000, () => Promise.reject(new Error('rejected')))).rejects.toThrow('rejected');
    expect(await cache.getOrLoad('k', 1_000, async () => 'fine')).toBe('fine');
  });

  it('keeps an entry with an infinite time to live until it is the least recently used', async () => {
    const cache = new TtlCache<string, Promise<number>>({ maxEntries: 1 });
    await cache.getOrLoad('a', Number.POSITIVE_INFINITY, async () => 1);
    expect(await cache.getOrLoad('a', Number.POSITIVE_INFINITY, async () => 2)).toBe(1);
    await cache.getOrLoad('b', Number.POSITIVE_INFINITY, async () => 3);
    expect(cache.peek('a')).toBeUndefined();
  });
});
