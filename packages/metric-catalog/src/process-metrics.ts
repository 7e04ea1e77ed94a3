// The Node runtime's own metrics (prom-client's defaults: CPU, memory, GC, handles, event-loop
// lag), as every Beacon server serves them next to its catalog metrics.
import { collectDefaultMetrics, type Registry } from 'prom-client';

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

/** Registers the runtime's metrics on `registry`. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
}
