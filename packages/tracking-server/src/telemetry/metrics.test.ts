// The tracker's own /metrics as a scrape gets it, linted by promtool (Debian's `prometheus`
// package): a lint failure is what `promtool check metrics` in a CI or a Prometheus operator's
// check reports.
import { spawnSync } from 'node:child_process';
import { startTestTracker } from '../testing/test-tracker';
import { createTrackerMetrics } from './metrics';

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

it('counts the first 200 services a process sees by name and every later one as other', async () => {
  const setup = await startTestTracker('metrics-services', { web: {} });
  try {
    const { web } = setup.projects;
    const service = (i: number) => `svc-${String(i).padStart(3, '0')}`;
    // One at a time, so which services came first is not left to the order of a batch.
    for (let i = 0; i < 201; i++) {
      const res = await fetch(`${setup.tracker.url}/api/${web.id}/store/?sentry_key=${web.key}`, {
        method: 'POST',
        body: JSON.stringify({ message: 'many services', tags: { service: service(i) } }),
      });
      expect(res.status).toBe(200);
    }
    const text = await (await fetch(`${setup.tracker.url}/metrics`)).text();
    const counted = new Map<string, number>();
    for (const m of text.matchAll(
      /^beacon_tracker_events_ingested_total\{[^}]*service="([^"]*)"[^}]*\} (\d+)$/gm,
    ))
      counted.set(m[1] as string, (counted.get(m[1] as string) ?? 0) + Number(m[2]));
    expect(counted.get('other')).toBe(1);
    counted.delete('other');
    expect([...counted.keys()].sort()).toEqual(Array.from({ length: 200 }, (_, i) => service(i)));
    expect([...counted.values()].every((n) => n === 1)).toBe(true);
  } finally {
    await setup.close();
  }
});
