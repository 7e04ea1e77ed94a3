// The Node runtime's own metrics (prom-client's defaults: CPU, memory, GC, handles, event-loop
// lag), as every Beacon server serves them next to its catalog metrics.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * prom-client's default gauges named as counters: each is the sum over `type` of the gauge of
 * the same name without `_total` (`nodejs_active_handles{type}`), which is kept. Served, they
 * make `promtool check metrics` fail (`non-counter metrics should not have "_total" suffix`).
 */
const GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/**
 * How often the event-loop lag is sampled. prom-client's 10 ms woke an idle process 100 times a
 * second: the metrics adapter, idle between an HPA's requests, spent 6.0–9.3 ms of CPU a second
 * sampling every 10 ms and 3.5–4.2 every 100 ms (its README), where its Deployment requests
 * 100m. Sampled every 100 ms, a stall of 100 ms or more is always seen, a shorter one in
 * proportion to its length.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The event-loop delay statistics, as prom-client names them, less the sampling interval: Node's
 * monitorEventLoopDelay records each timer's whole interval, not the delay past it
 * (prometheus/client_js#370), so prom-client's own read 100 ms on an idle process, a stall to any
 * dashboard or alert on them. Its histogram is kept from waking the loop (an interval of ~24
 * days) and its gauges of it replaced by these. `nodejs_eventloop_lag_seconds`, timed at each
 * scrape, stays prom-client's.
 */
const LAG_STATISTICS = {
  min: ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.'],
  max: ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.'],
  mean: ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.'],
  stddev: [
    'nodejs_eventloop_lag_stddev_seconds',
    'The standard deviation of the recorded event loop delays.',
  ],
  p50: [
    'nodejs_eventloop_lag_p50_seconds',
    'The 50th percentile of the recorded event loop delays.',
  ],
  p90: [
    'nodejs_eventloop_lag_p90_seconds',
    'The 90th percentile of the recorded event loop delays.',
  ],
  p99: [
    'nodejs_eventloop_lag_p99_seconds',
    'The 99th percentile of the recorded event loop delays.',
  ],
} as const;

/** The longest timer interval Node takes (a 32-bit signed count of ms): it never fires in practice. */
const NEVER_MS = 2 ** 31 - 1;

/** Registers the event-loop delay statistics of LAG_STATISTICS on `registry`. */
function collectEventLoopDelay(registry: Registry): void {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
  histogram.enable();
  const interval = EVENT_LOOP_SAMPLE_MS * 1e6;
  // The delay past the interval, in seconds (a sample may come a little early: never below 0).
  const past = (ns: number) => Math.max(0, ns - interval) / 1e9;
  const gauges = {} as Record<keyof typeof LAG_STATISTICS, Gauge>;
  // All are set at the first one's collection, then a new span starts, as prom-client does.
  const collect = () => {
    // No sample yet (a scrape within the first interval): Node's min and max are sentinels.
    const sampled = histogram.count > 0;
    const at = (ns: number) => (sampled ? past(ns) : 0);
    gauges.min.set(at(histogram.min));
    gauges.max.set(at(histogram.max));
    gauges.mean.set(at(histogram.mean));
    // A spread, not a delay: the interval is no part of it.
    gauges.stddev.set(sampled ? histogram.stddev / 1e9 : 0);
    gauges.p50.set(at(histogram.percentile(50)));
    gauges.p90.set(at(histogram.percentile(90)));
    gauges.p99.set(at(histogram.percentile(99)));
    histogram.reset();
  };
  for (const [key, [name, help]] of Object.entries(LAG_STATISTICS)) {
    registry.removeSingleMetric(name);
    gauges[key as keyof typeof LAG_STATISTICS] = new Gauge({
      name,
      help,
      registers: [registry],
      ...(key === 'min' ? { collect } : {}),
    });
  }
}

/** Registers the runtime's metrics on `registry`. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: NEVER_MS });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  collectEventLoopDelay(registry);
}
