// A short-lived value cache that also collapses concurrent identical requests: while a load for
// a key is in flight, later callers share it instead of sending the same query again.
// With a stale window, an expired value is still served for that long while one reload runs in
// the background, so no request waits for the refresh of something that changes slowly.
// Memory is bounded by the number of values and, given a weight, by their total weight (a list
// of 1,500 pods is not one unit of memory as a 1-item list is).

export type CacheResult = 'hit' | 'miss' | 'shared';

interface Entry<V> {
  readonly value: V;
  readonly expires: number;
  readonly weight: number;
}

/** What a value weighs (e.g. its items), and the most all kept values may weigh together. */
export interface CacheWeight<V> {
  readonly of: (value: V) => number;
  readonly max: number;
}

export class CollapsingCache<V> {
  private readonly values = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();
  private weight = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly onResult: (result: CacheResult) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
    private readonly staleMs = 0,
    private readonly weigh?: CacheWeight<V>,
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
        const weight = this.weigh ? this.weigh.of(value) : 0;
        // The value it replaces goes first, so the new one counts as the newest.
        this.remove(key);
        this.dropExpired();
        // One heavier than the whole bound is served but not kept.
        if (this.weigh && weight > this.weigh.max) return value;
        this.makeRoom(weight);
        this.values.set(key, { value, expires: this.now() + this.ttlMs, weight });
        this.weight += weight;
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private remove(key: string): void {
    const entry = this.values.get(key);
    if (!entry) return;
    this.values.delete(key);
    this.weight -= entry.weight;
  }

  private full(incoming: number): boolean {
    return (
      this.values.size >= this.maxEntries ||
      (this.weigh !== undefined && this.weight + incoming > this.weigh.max)
    );
  }

  /** How many values are kept. */
  get size(): number {
    return this.values.size;
  }

  /**
   * Drops the values past their stale window, so what they hold is freed when the next value
   * comes, not once the cache is full. Every value lives ttl + stale from when it was stored, and
   * a stored value goes to the end (a reload removes the one it replaces first), so the Map's
   * insertion order is their expiry order: the expired are at its front, and the walk stops at
   * the first that is not (each value is looked at once more than it is stored, not the whole
   * cache on every miss).
   */
  private dropExpired(): void {
    const now = this.now();
    for (const [k, e] of this.values) {
      if (e.expires + this.staleMs > now) return;
      this.remove(k);
    }
  }

  /** Room for one more value of `incoming` weight: the oldest go first (the expired already went). */
  private makeRoom(incoming: number): void {
    // Map keeps insertion order.
    while (this.values.size > 0 && this.full(incoming)) {
      this.remove(this.values.keys().next().value as string);
    }
  }
}
