// The tracker's own /metrics as a scrape gets it, linted by promtool (Debian's `prometheus`
// package): a lint failure is what `promtool check metrics` in a CI or a Prometheus operator's
// check reports.
import { spawnSync } from 'node:child_process';
import { startTestTracker } from '../testing/test-tracker';
import { createTrackerMetrics } from './metrics';

jest.setTimeout(60_000);

/** promtool's lint of an exposition; a promtool that cannot run fails the test, naming why. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error)
    throw new Error(
      `promtool could not be run (${run.error.message}); install it with apt-get install prometheus (npm test's setup does)`,
    );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

it('serves no gauge named as a counter: the nodejs_active_*_total sums are left out, the gauges by type kept', async () => {
  const text = await createTrackerMetrics().registry.metrics();
  expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
  expect(text).toMatch(/^# TYPE nodejs_active_handles gauge$/m);
  expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
});

it("passes promtool check metrics on a running tracker's /metrics, its own series recorded", async () => {
  const setup = await startTestTracker('metrics-lint', { web: {} });
  try {
    const { web } = setup.projects;
    const ingest = (key: string) =>
      fetch(`${setup.tracker.url}/api/${web.id}/envelope/?sentry_key=${key}`, {
        method: 'POST',
        body: '{}\n{"type":"event"}\n{"message":"linted","level":"error"}\n',
      });
    expect((await ingest(web.key)).status).toBe(200);
    expect((await ingest('0'.repeat(32))).status).toBe(403);
    const res = await fetch(`${setup.tracker.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^beacon_tracker_rejected_requests_total\{reason="auth"\} 1$/m);
    expect(text).toMatch(
      /^beacon_tracker_ingest_duration_seconds_count\{protocol="envelope"\} 1$/m,
    );
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  } finally {
    await setup.close();
  }
});
