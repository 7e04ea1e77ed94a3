// A short-lived value cache that also collapses concurrent identical requests: while a load for
// a key is in flight, later callers share it instead of sending the same query again.
// With a stale window, an expired value is still served for that long while one reload runs in
// the background, so no request waits for the refresh of something that changes slowly.

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
    private readonly staleMs = 0,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.values.get(key);
    const now = this.now();
    if (cached && cached.expires > now) {
      this.onResult('hit');
      return cached.value;
    }
    if (cached && cached.expires + this.staleMs > now) {
      this.onResult('hit');
      // A failed refresh keeps the stale value until its window closes; then callers wait.
      if (!this.inFlight.has(key)) this.load(key, load).catch(() => undefined);
      return cached.value;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.onResult('shared');
      return pending;
    }
    this.onResult('miss');
    return this.load(key, load);
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const promise = load()
      .then((value) => {
        // Failures are not cached: the next request tries the backend again. Nor is anything
        // with no lifetime: kept until the next load, each value outlived two scavenges and
        // became old-generation garbage (mark-compact pauses) for nothing.
        if (this.ttlMs + this.staleMs <= 0) return value;
        if (this.values.size >= this.maxEntries) this.evictExpired();
        this.values.set(key, { value, expires: this.now() + this.ttlMs });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private evictExpired(): void {
    const now = this.now();
    for (const [k, e] of this.values) if (e.expires + this.staleMs <= now) this.values.delete(k);
    // Still full: drop the oldest (Map keeps insertion order).
    while (this.values.size >= this.maxEntries) {
      const oldest = this.values.keys().next().value as string;
      this.values.delete(oldest);
    }
  }
}
