// DESIGN.md's alert flow, whole: alert-rules (TS) ──build──▶ rule files + Alertmanager config ──▶
// Prometheus evaluates ──▶ Alertmanager routes. The Watchdog (always firing) is the alert that
// proves every link: a real Prometheus evaluates it from the generated rule files and sends it to a
// real Alertmanager running the generated config, which routes it to the receiver `watchdog` and
// posts it to the dead man's switch (a recording server here). Expected names are the documented
// ones (alert-rules README, "Watchdog and the dead man's switch"), written out by hand.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  amtoolCheckConfig,
  buildAlerting,
  startAlertmanager,
  startPrometheus,
  type BuiltAlerting,
} from './alerting';
import {
  getJson,
  recordingServer,
  removeTempDirs,
  requireTool,
  tempDir,
  waitFor,
  type Tool,
} from './servers';

type Labels = Record<string, string>;

let hook: Awaited<ReturnType<typeof recordingServer>>;
let built: BuiltAlerting;
let am: Tool;
let prom: Tool;

/** What the tools said, for a failure's message. */
const logs = () => `\n--- Alertmanager:\n${am?.log()}\n--- Prometheus:\n${prom?.log()}`;

beforeAll(async () => {
  const dir = tempDir('alerting');
  hook = await recordingServer();
  built = buildAlerting(dir, `${hook.url}/watchdog`);
  const amConfig = path.join(dir, 'alertmanager.yml');
  writeFileSync(amConfig, built.alertmanagerConfig);
  amtoolCheckConfig(amConfig); // a config the real Alertmanager would refuse fails here, with why
  am = await startAlertmanager(amConfig, dir, `${hook.url}/watchdog`);
  prom = await startPrometheus(built.ruleFiles, `127.0.0.1:${am.port}`, dir);
});

afterAll(async () => {
  await prom?.stop();
  await am?.stop();
  await hook?.close();
  removeTempDirs();
});

describe('the generated alerting configuration, run by a real Prometheus and Alertmanager', () => {
  it('loads every generated rule file into Prometheus, every rule evaluated with health ok', async () => {
    interface Rule {
      name: string;
      type: 'alerting' | 'recording';
      health: string;
      lastError?: string;
      state?: string;
    }
    interface Group {
      name: string;
      file: string;
      rules: Rule[];
    }
    let groups: Group[] = [];
    const healthy = () =>
      groups.length > 0 && groups.every((g) => g.rules.every((r) => r.health === 'ok'));
    await waitFor(
      async () => {
        groups = (await getJson<{ data: { groups: Group[] } }>(`${prom.url}/api/v1/rules`)).data
          .groups;
        return healthy();
      },
      30_000,
      () => `rules not all evaluated healthy: ${JSON.stringify(groups)}${logs()}`,
    );
    // One group per file, named as its file (`<domain>.rules.yml` holds the group `<domain>`).
    expect(groups.map((g) => [g.file, g.name]).sort()).toEqual(
      built.ruleFiles.map((f) => [f, path.basename(f, '.rules.yml')]),
    );
    // Every rule the files hold, none dropped (a rule is an item of `rules:`, its keys sorted:
    // `- alert:` first, or `expr:` before `record:`).
    const written = built.ruleFiles
      .map((f) => readFileSync(f, 'utf8').match(/^ {6}(- | {2})(alert|record): /gm)?.length ?? 0)
      .reduce((a, b) => a + b, 0);
    expect(groups.flatMap((g) => g.rules)).toHaveLength(written);
    expect(groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok' || r.lastError)).toEqual(
      [],
    );
    const watchdog = groups
      .find((g) => g.name === 'infrastructure')
      ?.rules.find((r) => r.name === 'Watchdog');
    expect(watchdog).toMatchObject({ type: 'alerting', state: 'firing' });
  });

  it('has Prometheus send its alerts to the Alertmanager it was given, and only to it', async () => {
    type Alertmanagers = {
      activeAlertmanagers: { url: string }[];
      droppedAlertmanagers: { url: string }[];
    };
    let seen: Alertmanagers | undefined;
    await waitFor(
      async () => {
        seen = (await getJson<{ data: Alertmanagers }>(`${prom.url}/api/v1/alertmanagers`)).data;
        return seen.activeAlertmanagers.length > 0;
      },
      30_000,
      () => `no active Alertmanager: ${JSON.stringify(seen)}${logs()}`,
    );
    expect(seen).toEqual({
      activeAlertmanagers: [{ url: `http://127.0.0.1:${am.port}/api/v2/alerts` }],
      droppedAlertmanagers: [],
    });
  });

  it('routes the Watchdog Prometheus evaluated to the receiver watchdog in Alertmanager', async () => {
    interface Group {
      receiver: { name: string };
      labels: Labels;
      alerts: {
        labels: Labels;
        generatorURL: string;
        status: { state: string };
        receivers: { name: string }[];
      }[];
    }
    let groups: Group[] = [];
    const watchdogIn = () =>
      groups.filter((g) => g.alerts.some((a) => a.labels.alertname === 'Watchdog'));
    await waitFor(
      async () => {
        groups = await getJson<Group[]>(`${am.url}/api/v2/alerts/groups`);
        return watchdogIn().length > 0;
      },
      30_000,
      () => `Alertmanager never had the Watchdog: ${JSON.stringify(groups)}${logs()}`,
    );
    // In the receiver `watchdog` alone (its route stops there: no team email, no digest).
    expect(watchdogIn().map((g) => g.receiver.name)).toEqual(['watchdog']);
    const [alert] = watchdogIn()[0].alerts.filter((a) => a.labels.alertname === 'Watchdog');
    expect(alert).toMatchObject({
      labels: { alertname: 'Watchdog', severity: 'info', team: 'platform' },
      status: { state: 'active' },
      receivers: [{ name: 'watchdog' }],
    });
    // Sent by this Prometheus, evaluating the rule's expression (`vector(1)`, as Go's
    // url.QueryEscape writes it), not posted by anyone else.
    expect(alert.generatorURL).toBe(`${prom.url}/graph?g0.expr=vector%281%29&g0.tab=1`);
  });

  it('shows the Watchdog to amtool as firing in that Alertmanager', async () => {
    const amtool = requireTool('amtool', 'apt-get install prometheus-alertmanager');
    const query = () =>
      JSON.parse(
        execFileSync(
          amtool,
          ['alert', 'query', 'alertname=Watchdog', `--alertmanager.url=${am.url}`, '--output=json'],
          { encoding: 'utf8', timeout: 30_000 },
        ),
      ) as unknown[];
    let alerts: unknown[] = [];
    await waitFor(
      () => (alerts = query()).length > 0,
      30_000,
      () => `amtool never saw the Watchdog${logs()}`,
    );
    expect(alerts).toEqual([
      expect.objectContaining({
        labels: { alertname: 'Watchdog', severity: 'info', team: 'platform' },
        status: expect.objectContaining({ state: 'active' }),
      }),
    ]);
  });

  it('posts the Watchdog, firing, to the dead man’s switch of the receiver watchdog', async () => {
    await waitFor(
      () => hook.requests.length > 0,
      30_000,
      () => `the dead man's switch was never posted to${logs()}`,
    );
    const [first] = hook.requests;
    expect([first.method, first.path, first.contentType]).toEqual([
      'POST',
      '/watchdog',
      'application/json',
    ]);
    // Alertmanager's webhook payload (version 4).
    expect(JSON.parse(first.body)).toMatchObject({
      version: '4',
      receiver: 'watchdog',
      status: 'firing',
      groupLabels: { alertname: 'Watchdog' },
      externalURL: am.url,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Watchdog', severity: 'info', team: 'platform' },
          generatorURL: expect.stringMatching(new RegExp(`^${prom.url}/graph\\?`)) as string,
        },
      ],
    });
  });
});
