// A short-lived value cache that also collapses concurrent identical requests: while a load for
// a key is in flight, later callers share it instead of sending the same query again.

export type CacheResult = 'hit' | 'miss' | 'shared';

interface Entry<V> {
  readonly value: V;
  readonly expires: number;
}

export class CollapsingCache<V> {
  private readonly values = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly onResult: (result: CacheResult) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.values.get(key);
    if (cached && cached.expires > this.now()) {
      this.onResult('hit');
      return cached.value;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.onResult('shared');
      return pending;
    }
    this.onResult('miss');
    const promise = load()
      .then((value) => {
        if (this.values.size >= this.maxEntries) this.evictExpired();
        // Failures are not cached: the next request tries the backend again.
        this.values.set(key, { value, expires: this.now() + this.ttlMs });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private evictExpired(): void {
    const now = this.now();
    for (const [k, e] of this.values) if (e.expires <= now) this.values.delete(k);
    // Still full: drop the oldest (Map keeps insertion order).
    while (this.values.size >= this.maxEntries) {
      const oldest = this.values.keys().next().value as string;
      this.values.delete(oldest);
    }
  }
}
