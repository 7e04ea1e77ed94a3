// Per-project rate limits: a fixed one-minute window of accepted events. Sentry SDKs read the
// 429's X-Sentry-Rate-Limits and Retry-After and back off until then.
export class RateLimiter {
  private readonly windows = new Map<number, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait when `project` is over `perMinute`, else 0 (and the events are counted). */
  take(project: number, perMinute: number, events: number): number {
    // No events, nothing to limit: an envelope of a transaction or sessions alone is taken even
    // when the window counted more than a limit lowered since (config.json reloaded), as Relay
    // limits only the items of a limited category.
    if (perMinute <= 0 || events === 0) return 0;
    const t = this.now();
    let w = this.windows.get(project);
    if (!w || t - w.start >= 60_000) this.windows.set(project, (w = { start: t, count: 0 }));
    // The wall clock stepped back (NTP, a VM restored): the window, still counted, ends a minute
    // from now. Left where it was, it refused the project's events until the clock caught up,
    // with a Retry-After of that whole time (an hour's step: 3,660 s).
    else if (t < w.start) w.start = t;
    if (w.count + events > perMinute) return Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
    w.count += events;
    return 0;
  }
}
