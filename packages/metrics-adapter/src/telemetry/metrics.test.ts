import { spawnSync } from 'node:child_process';
import { parseFlags } from '../flags';
import { createAdapterMetrics } from './metrics';

/** promtool's lint of an exposition; a promtool that cannot run fails the test, naming why. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error)
    throw new Error(
      `promtool could not be run (${run.error.message}); install it with apt-get install prometheus (npm test's setup does)`,
    );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the adapter metrics', () => {
  it('serves no gauge named as a counter: the nodejs_active_*_total sums are left out, the gauges by type kept', async () => {
    const m = createAdapterMetrics();
    const text = await m.registry.metrics();
    expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
    expect(text).toMatch(/^# TYPE nodejs_active_handles gauge$/m);
    expect(text).toMatch(/^# TYPE nodejs_active_resources gauge$/m);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });

  it('passes promtool check metrics with every adapter metric recorded', async () => {
    const m = createAdapterMetrics();
    m.requests.inc({ path: '/apis/custom.metrics.k8s.io/v1beta2', code: '200' });
    m.requestDuration.observe({ path: '/apis/custom.metrics.k8s.io/v1beta2' }, 0.004);
    m.backendQueryDuration.observe({ kind: 'instant', outcome: 'success' }, 0.02);
    m.cacheRequests.inc({ result: 'hit' });
    m.valueAge.observe(12);
    m.nonFiniteValues.inc({ metric: 'jobs_waiting' });
    m.discoveredMetrics.set({ api: 'custom' }, 3);
    const text = await m.registry.metrics();
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    expect(text).toMatch(/^beacon_adapter_value_age_seconds_count 1$/m);
  });

  it('counts a request that waits out its Prometheus deadline in a bucket below +Inf', async () => {
    // Past the last bucket, histogram_quantile answers that bucket's bound: ending at 2.5 s, the
    // dashboard's p95 of a 4 s Prometheus read 2.5 s.
    const deadline = parseFlags([]).prometheusTimeoutMs / 1000;
    const m = createAdapterMetrics();
    m.requestDuration.observe({ path: '/apis/external.metrics.k8s.io/v1beta1' }, deadline);
    m.backendQueryDuration.observe({ kind: 'instant', outcome: 'timeout' }, deadline);
    const text = await m.registry.metrics();
    const finite = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"[^}]*\\} (\\d+)$`, 'gm'))]
        .filter(([, le, count]) => le !== '+Inf' && count === '1')
        .map(([, le]) => Number(le));
    expect(finite('beacon_adapter_request_duration_seconds').length).toBeGreaterThan(0);
    expect(finite('beacon_adapter_backend_query_duration_seconds').length).toBeGreaterThan(0);
  });
});
