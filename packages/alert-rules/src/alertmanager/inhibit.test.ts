// Inhibition checked by a real Alertmanager (Debian's prometheus-alertmanager) running the
// generated config: alerts are posted to /api/v2/alerts and read back with their
// status.inhibitedBy, which Alertmanager computes from the inhibit rules when it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { tempDir } from '../testing';
import { ruleGroups } from '../rules';
import { SAME_ALERT_LABELS, renderAlertmanagerConfig } from './config';

type Labels = Record<string, string>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const dir = tempDir('inhibit');
let am: ChildProcess | undefined;
let base = '';
let amLog = '';

/**
 * Alertmanager on a port that was free a moment before. Another process on the machine (CI runs
 * every package's tests at once) may take that port between freePort() closing it and
 * Alertmanager binding it: then Alertmanager exits, and an answer on the port may be the other
 * process's. Ready is an Alertmanager answering with this config (its receivers; it answers the
 * config re-marshalled) while this one runs; a lost port is drawn again.
 */
async function startAlertmanager(file: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    base = `http://127.0.0.1:${port}/api/v2`;
    amLog = '';
    const child = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${file}`,
        `--storage.path=${path.join(dir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am = child;
    const closed = new Promise((r) => child.once('close', r));
    child.stdout?.on('data', (b: Buffer) => (amLog += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (amLog += b.toString()));
    // A deadline in time, not a count of tries: on a loaded machine a start can take seconds.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`${base}/status`);
        const status = res.ok ? ((await res.json()) as { config?: { original?: string } }) : {};
        const ours = status.config?.original?.includes('receiver: critical-pagerduty');
        if (ours && child.exitCode === null) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill();
    await closed; // its last words, "address already in use" among them, are in amLog
    if (!/address already in use/.test(amLog) || attempt === 3) {
      throw new Error(`Alertmanager did not start on port ${port}:\n${amLog}`);
    }
  }
}

beforeAll(async () => {
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(file, renderAlertmanagerConfig());
  await startAlertmanager(file);
});

afterAll(() => {
  am?.kill();
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
