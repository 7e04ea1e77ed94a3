import { CollapsingCache, type CacheResult } from './cache';

describe('CollapsingCache', () => {
  it('serves a fresh value from memory and reloads an expired one', async () => {
    let now = 1000;
    const results: CacheResult[] = [];
    const cache = new CollapsingCache<number>(
      500,
      (r) => results.push(r),
      () => now,
    );
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k', load)).toBe(1);
    now += 499;
    expect(await cache.get('k', load)).toBe(1);
    now += 1;
    expect(await cache.get('k', load)).toBe(2);
    expect(results).toEqual(['miss', 'hit', 'miss']);
  });

  it('collapses concurrent identical requests into one load', async () => {
    const results: CacheResult[] = [];
    const cache = new CollapsingCache<string>(1000, (r) => results.push(r));
    let loads = 0;
    let release!: (v: string) => void;
    const load = () => {
      loads++;
      return new Promise<string>((r) => (release = r));
    };
    const all = Promise.all([cache.get('q', load), cache.get('q', load), cache.get('q', load)]);
    release('value');
    expect(await all).toEqual(['value', 'value', 'value']);
    expect(loads).toBe(1);
    expect(results).toEqual(['miss', 'shared', 'shared']);
  });

  it('does not cache a failure', async () => {
    const cache = new CollapsingCache<number>(1000);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(cache.get('k', async () => 5)).resolves.toBe(5);
  });

  it('gives every waiter of a failed load the same failure, and loads again after it', async () => {
    const cache = new CollapsingCache<number>(1000);
    let loads = 0;
    let fail!: (e: Error) => void;
    const failing = () => {
      loads++;
      return new Promise<number>((_, reject) => (fail = reject));
    };
    const waiters = [cache.get('k', failing), cache.get('k', failing)].map((p) =>
      p.catch((e: unknown) => e),
    );
    const down = new Error('prometheus down');
    fail(down);
    const [first, second] = await Promise.all(waiters);
    expect([first === down, second === down]).toEqual([true, true]);
    expect(await cache.get('k', async () => (loads++, 7))).toBe(7);
    expect(loads).toBe(2);
  });

  it('keeps at most maxEntries values', async () => {
    const cache = new CollapsingCache<number>(60_000, () => {}, Date.now, 3);
    for (let i = 0; i < 5; i++) await cache.get(`k${i}`, async () => i);
    let reloaded = 0;
    await cache.get('k0', async () => ++reloaded);
    expect(reloaded).toBe(1);
  });

  it('lets go of values past their stale window when the next is stored, though far from full', async () => {
    let now = 0;
    const cache = new CollapsingCache<number>(100, undefined, () => now, 10_000, 50);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    now = 60;
    await cache.get('c', async () => 3);
    now = 149; // a and b within their stale window (100 + 50): kept
    await cache.get('d', async () => 4);
    expect(cache.size).toBe(4);
    now = 150; // a and b past it, c and d not
    await cache.get('e', async () => 5);
    expect(cache.size).toBe(3);
    let reloads = 0;
    expect(await cache.get('c', async () => (reloads++, 30))).toBe(3);
    expect(await cache.get('a', async () => (reloads++, 10))).toBe(10);
    expect(reloads).toBe(1);
  });

  it('serves an expired value within its stale window while one reload runs in the background', async () => {
    let now = 0;
    const cache = new CollapsingCache<number>(100, undefined, () => now, 10, 100);
    let loads = 0;
    let release!: () => void;
    const load = () => {
      loads++;
      return loads === 1 ? Promise.resolve(1) : new Promise<number>((r) => (release = () => r(2)));
    };
    expect(await cache.get('k', load)).toBe(1);
    now = 150;
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load)).toBe(1);
    expect(loads).toBe(2);
    release();
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', load)).toBe(2);
  });

  it('makes callers wait once a value is past its stale window', async () => {
    let now = 0;
    const cache = new CollapsingCache<number>(100, undefined, () => now, 10, 100);
    await cache.get('k', async () => 1);
    now = 200;
    expect(await cache.get('k', async () => 2)).toBe(2);
  });

  describe('bounded by weight', () => {
    /** A cache of lists bounded at 10 items in all, and how many times each key was loaded. */
    function listCache() {
      const loads: Record<string, number> = {};
      const cache = new CollapsingCache<string[]>(60_000, undefined, () => 0, 100, 0, {
        of: (v) => v.length,
        max: 10,
      });
      const get = (key: string, items: number) =>
        cache.get(key, async () => {
          loads[key] = (loads[key] ?? 0) + 1;
          return Array.from({ length: items }, (_, i) => `${key}${i}`);
        });
      return { get, loads };
    }

    it('drops the oldest lists once their items pass the bound, though entries are few', async () => {
      const { get, loads } = listCache();
      await get('a', 4);
      await get('b', 4);
      await get('c', 4); // 12 items: a goes
      await get('b', 4);
      await get('c', 4);
      await get('a', 4); // loaded again, and b (now the oldest) goes
      await get('c', 4);
      await get('b', 4);
      expect(loads).toEqual({ a: 2, b: 2, c: 1 });
    });

    it('serves a list heavier than the whole bound without keeping it, or dropping the rest', async () => {
      const { get, loads } = listCache();
      await get('small', 3);
      expect(await get('huge', 11)).toHaveLength(11);
      await get('huge', 11);
      await get('small', 3);
      expect(loads).toEqual({ small: 1, huge: 2 });
    });

    it('counts a reloaded value once, not beside the one it replaced', async () => {
      let now = 0;
      const loads: Record<string, number> = {};
      const cache = new CollapsingCache<string[]>(100, undefined, () => now, 100, 0, {
        of: (v) => v.length,
        max: 10,
      });
      const get = (key: string) =>
        cache.get(key, async () => {
          loads[key] = (loads[key] ?? 0) + 1;
          return ['x', 'y', 'z', 'w', 'v'];
        });
      await get('a');
      now = 100; // a expired: reloaded in place (5 items, not 10)
      await get('a');
      await get('b'); // 10 items in all: both kept
      await get('a');
      await get('b');
      expect(loads).toEqual({ a: 2, b: 1 });
    });
  });
});
