// Inhibition checked by a real Alertmanager (Debian's prometheus-alertmanager) running the
// generated config: alerts are posted to /api/v2/alerts and read back with their
// status.inhibitedBy, which Alertmanager computes from the inhibit rules when it answers.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAlertmanager, tempDir } from '../testing';
import type { RunningAlertmanager } from '../testing';
import { ruleGroups } from '../rules';
import { SAME_ALERT_LABELS, renderAlertmanagerConfig } from './config';

type Labels = Record<string, string>;

const dir = tempDir('inhibit');
let am: RunningAlertmanager | undefined;
let base = '';

beforeAll(async () => {
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(file, renderAlertmanagerConfig());
  am = await startAlertmanager(file, dir);
  base = am.api;
});

afterAll(() => {
  am?.stop();
});

async function post(alerts: Labels[]): Promise<void> {
  const startsAt = new Date().toISOString();
  const res = await fetch(`${base}/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt }))),
  });
  expect(res.status).toBe(200);
}

/** Whether Alertmanager holds the alert with exactly these labels as inhibited. */
async function inhibited(labels: Labels): Promise<boolean> {
  const res = await fetch(`${base}/alerts`);
  const all = (await res.json()) as { labels: Labels; status: { inhibitedBy: string[] } }[];
  const found = all.find((a) => JSON.stringify(a.labels) === JSON.stringify(labels));
  if (!found) throw new Error(`Alertmanager does not hold ${JSON.stringify(labels)}`);
  return found.status.inhibitedBy.length > 0;
}

/**
 * Whether the alert with these labels comes to be inhibited within a few seconds. Alertmanager's
 * inhibitor takes newly posted alerts from its store in a goroutine of its own, so a GET right
 * after the POST can answer before a new source alert mutes anything. Once the expected
 * inhibition shows, the source alert is in the inhibitor, and an alert it must not mute can be
 * asked about once.
 */
async function comesToBeInhibited(labels: Labels): Promise<boolean> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    if (await inhibited(labels)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return inhibited(labels);
}

/** Labels in the order Alertmanager returns them (sorted by name). */
function labels(l: Labels): Labels {
  return Object.fromEntries(Object.entries(l).sort(([a], [b]) => a.localeCompare(b)));
}

describe('inhibition by the generated alertmanager.yml, in a running Alertmanager', () => {
  it('a critical inhibits the warning of the same alert on the same pod, not on another pod', async () => {
    const on = (pod: string, severity: string) =>
      labels({
        alertname: 'ApiGatewayMemoryHigh',
        namespace: 'platform',
        pod,
        container: 'api-gateway',
        severity,
        team: 'platform',
      });
    await post([on('api-gateway-a', 'critical'), on('api-gateway-a', 'warning')]);
    await post([on('api-gateway-b', 'warning')]);
    expect(await comesToBeInhibited(on('api-gateway-a', 'warning'))).toBe(true);
    expect(await inhibited(on('api-gateway-b', 'warning'))).toBe(false);
    expect(await inhibited(on('api-gateway-a', 'critical'))).toBe(false);
  });

  it('a critical queue backlog does not inhibit the warning of another queue of the service', async () => {
    const on = (queue: string, severity: string) =>
      labels({
        alertname: 'JobQueueBacklogOld',
        namespace: 'platform',
        service: 'video-processing',
        queue,
        severity,
        team: 'media',
      });
    await post([on('render', 'critical'), on('render', 'warning'), on('thumbnails', 'warning')]);
    expect(await comesToBeInhibited(on('render', 'warning'))).toBe(true);
    expect(await inhibited(on('thumbnails', 'warning'))).toBe(false);
  });

  it('ServiceDown inhibits the latency alert of its own service only', async () => {
    const down = labels({
      alertname: 'ServiceDown',
      namespace: 'platform',
      service: 'api-gateway',
      severity: 'critical',
      team: 'platform',
    });
    const latency = (service: string) =>
      labels({
        alertname: 'HighLatencyP95',
        namespace: 'platform',
        service,
        severity: 'warning',
        team: 'platform',
      });
    await post([down, latency('api-gateway'), latency('collaboration')]);
    expect(await comesToBeInhibited(latency('api-gateway'))).toBe(true);
    expect(await inhibited(latency('collaboration'))).toBe(false);
  });
});

describe('SAME_ALERT_LABELS', () => {
  it('holds every label an alert with both a warning and a critical level is grouped by', () => {
    const alerts = ruleGroups.flatMap((g) => g.alerts);
    const names = new Set(
      alerts
        .filter((a) => a.severity === 'critical')
        .map((a) => a.name)
        .filter((n) => alerts.some((a) => a.name === n && a.severity === 'warning')),
    );
    expect(names.size).toBeGreaterThan(0);
    const grouped = alerts
      .filter((a) => names.has(a.name))
      .flatMap((a) => [...a.expr.matchAll(/\bby \(([^)]*)\)/g)])
      .flatMap((m) => (m[1] ?? '').split(',').map((l) => l.trim()))
      .filter((l) => l !== 'le');
    expect(grouped.length).toBeGreaterThan(0);
    const missing = grouped.filter((l) => !(SAME_ALERT_LABELS as readonly string[]).includes(l));
    expect(missing).toEqual([]);
  });
});
