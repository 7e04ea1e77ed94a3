// What the receivers actually send, from a real Alertmanager (Debian's prometheus-alertmanager)
// running the generated config, its integrations pointed at stub Slack, PagerDuty, webhook and
// SMTP servers in this process. Alertmanager renders the Go templates only when it notifies, so
// neither amtool check-config nor a YAML assertion finds a template that fails or renders empty.
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { runTool, startAlertmanager, tempDir } from '../testing';
import type { RunningAlertmanager } from '../testing';
import {
  NULL_RECEIVER,
  PAGERDUTY_SEVERITY,
  RUNBOOK_HREF,
  SLACK_TEXT,
  WATCHDOG_RECEIVER,
  renderAlertmanagerConfig,
} from './config';

type Labels = Record<string, string>;

interface Received {
  path: string;
  body: string;
  /** When it arrived (ms). */
  at: number;
}

const dir = tempDir('notify');
const received: Received[] = [];
const mails: string[] = [];
let http: HttpServer | undefined;
let smtp: TcpServer | undefined;
let am: RunningAlertmanager | undefined;

function listen(server: HttpServer | TcpServer): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}

/** Just enough SMTP for Alertmanager's client: no AUTH or STARTTLS offered, messages kept. */
function smtpStub(): TcpServer {
  return createTcpServer((socket) => {
    let buffer = '';
    let data: string[] | undefined;
    socket.write('220 stub\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data) {
          if (line === '.') {
            mails.push(data.join('\n'));
            data = undefined;
            socket.write('250 ok\r\n');
          } else data.push(line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') {
          data = [];
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
}

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body, at: Date.now() });
      // PagerDuty's Events API v2 answers 202, Slack "ok".
      res.writeHead(req.url === '/pagerduty' ? 202 : 200).end(req.url === '/slack' ? 'ok' : '{}');
    });
  });
  smtp = smtpStub();
  const httpBase = `http://127.0.0.1:${await listen(http)}`;
  const smtpPort = await listen(smtp);
  writeFileSync(path.join(dir, 'slack-url'), `${httpBase}/slack`);
  writeFileSync(path.join(dir, 'pagerduty-key'), 'abcdefabcdefabcdefabcdefabcdefab');
  writeFileSync(path.join(dir, 'smtp-password'), 'x');
  const config = parse(
    renderAlertmanagerConfig({
      smtpSmarthost: `127.0.0.1:${smtpPort}`,
      smtpPasswordFile: path.join(dir, 'smtp-password'),
      slackApiUrlFile: path.join(dir, 'slack-url'),
      pagerdutyRoutingKeyFile: path.join(dir, 'pagerduty-key'),
      watchdogWebhookUrl: `${httpBase}/watchdog`,
    }),
  ) as {
    global: Record<string, unknown>;
    route: { group_wait: string; routes: { group_wait?: string }[] };
    receivers: { name: string; pagerduty_configs?: Record<string, unknown>[] }[];
  };
  // The stubs speak plain text, and no test waits out a group_wait: the templates are the subject.
  config.global.smtp_require_tls = false;
  config.route.group_wait = '0s';
  for (const r of config.route.routes) r.group_wait = '0s';
  const pd = config.receivers.find((r) => r.name === 'critical-pagerduty')?.pagerduty_configs?.[0];
  if (pd) pd.url = `${httpBase}/pagerduty`;
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(config));
  am = await startAlertmanager(file, dir, `${smtpPort}`);
});

afterAll(() => {
  am?.stop();
  http?.close();
  smtp?.close();
});

async function post(alerts: { labels: Labels; annotations?: Labels }[]): Promise<void> {
  const startsAt = new Date().toISOString();
  const res = await fetch(`${am?.api}/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((a) => ({ ...a, startsAt }))),
  });
  expect(res.status).toBe(200);
}

/** Waits (up to 20 s) until `done` holds, then returns what it returned. */
async function eventually<T>(what: string, get: () => T, done: (v: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const v = get();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; Alertmanager said:\n${am?.log()}`);
}

const bodies = (p: string) => received.filter((r) => r.path === p).map((r) => r.body);

const runbook = (name: string) => `https://git.example/beacon/runbooks/${name}.md`;

/** A firing alert as Prometheus sends it: the rule's labels and annotations. */
function alert(name: string, labels: Labels, summary: string, description: string) {
  return {
    labels: { alertname: name, severity: 'critical', team: 'platform', ...labels },
    annotations: { summary, description, runbook_url: runbook(name) },
  };
}

describe('notifications from the generated alertmanager.yml, through a running Alertmanager', () => {
  const pages = [
    alert(
      'BeaconComponentDown',
      { namespace: 'monitoring', job: 'beacon-metrics-adapter', service: 'beacon-metrics-adapter' },
      "Beacon's beacon-metrics-adapter is down",
      'No target of beacon-metrics-adapter in monitoring has answered a scrape for 5 minutes.',
    ),
    alert(
      'BeaconComponentDown',
      { namespace: 'monitoring', job: 'beacon-tracking-server', service: 'beacon-tracking-server' },
      "Beacon's beacon-tracking-server is down",
      'No target of beacon-tracking-server in monitoring has answered a scrape for 5 minutes.',
    ),
    alert(
      'PostgresDown',
      { job: 'postgres-exporter', instance: 'postgres-0:9187', service: 'postgres' },
      'PostgreSQL on postgres-0:9187 is unreachable',
      'postgres_exporter on postgres-0:9187 has not been able to connect to PostgreSQL for 2 minutes.',
    ),
    alert(
      'PostgresDown',
      { job: 'postgres-exporter', instance: 'analytics-0:9187', service: 'postgres' },
      'PostgreSQL on analytics-0:9187 is unreachable',
      'postgres_exporter on analytics-0:9187 has not been able to connect to PostgreSQL for 2 minutes.',
    ),
  ];

  beforeAll(async () => {
    await post(pages);
  });

  it('pages PagerDuty once per component and per PostgreSQL server, as critical, linking the runbook', async () => {
    const events = (
      await eventually(
        'four PagerDuty events',
        () => bodies('/pagerduty'),
        (b) => b.length >= 4,
      )
    ).map(
      (b) =>
        JSON.parse(b) as {
          dedup_key: string;
          payload: { severity: string; summary: string };
          links?: { href: string; text: string }[];
        },
    );
    expect(new Set(events.map((e) => e.dedup_key)).size).toBe(4);
    for (const e of events) {
      expect(e.payload.severity).toBe('critical');
      const name = /BeaconComponentDown|PostgresDown/.exec(e.payload.summary)?.[0] ?? '?';
      expect(e.links).toEqual([{ href: runbook(name), text: 'Runbook' }]);
    }
    expect(events.map((e) => e.payload.summary).sort()).toEqual([
      expect.stringContaining('beacon-metrics-adapter'),
      expect.stringContaining('beacon-tracking-server'),
      expect.stringContaining('analytics-0:9187'),
      expect.stringContaining('postgres-0:9187'),
    ]);
  });

  it("posts each alert's summary, description and runbook link to Slack", async () => {
    const texts = (
      await eventually(
        'four Slack messages',
        () => bodies('/slack'),
        (b) => b.length >= 4,
      )
    ).map((b) => (JSON.parse(b) as { attachments: { text: string }[] }).attachments[0]?.text);
    expect(texts).toHaveLength(4);
    for (const page of pages) {
      expect(texts).toContain(
        `*${page.annotations.summary}*\n${page.annotations.description}\n<${page.annotations.runbook_url}|Runbook>\n`,
      );
    }
  });

  it('emails each alert with its description and runbook (Alertmanager’s default email)', async () => {
    const sent = await eventually(
      'four emails',
      () => mails,
      (m) => m.length >= 4,
    );
    // Quoted-printable: soft line breaks (`=` at a line's end) joined, `=3D` back to `=`.
    const text = sent.join('\n').replace(/=\n/g, '').replace(/=3D/g, '=');
    for (const page of pages) {
      expect(text).toContain(page.annotations.runbook_url);
      expect(text).toContain(page.annotations.description.replace(/'/g, '&#39;'));
    }
  });

  it('posts the Watchdog to the dead man’s switch, and sends severity="none" to no one', async () => {
    const before = { slack: bodies('/slack').length, mails: mails.length };
    const none = {
      labels: { alertname: 'InfoInhibitor', severity: 'none', namespace: 'platform' },
    };
    await post([none, { labels: { alertname: 'Watchdog', severity: 'info', team: 'platform' } }]);
    const [heartbeat] = await eventually(
      'the Watchdog webhook',
      () => bodies('/watchdog'),
      (b) => b.length >= 1,
    );
    expect(JSON.parse(heartbeat ?? '{}')).toMatchObject({
      receiver: WATCHDOG_RECEIVER,
      status: 'firing',
      alerts: [{ labels: { alertname: 'Watchdog' } }],
    });
    const groups = (await (await fetch(`${am?.api}/alerts/groups`)).json()) as {
      receiver: { name: string };
      alerts: { labels: Labels }[];
    }[];
    const receiverOf = (name: string) =>
      groups
        .filter((g) => g.alerts.some((a) => a.labels.alertname === name))
        .map((g) => g.receiver.name);
    expect(receiverOf('InfoInhibitor')).toEqual([NULL_RECEIVER]);
    expect(receiverOf('Watchdog')).toEqual([WATCHDOG_RECEIVER]);
    // With group_wait 0s the null group has flushed by now (the heartbeat has): to no one.
    expect({ slack: bodies('/slack').length, mails: mails.length }).toEqual(before);
  });

  it('posts the Watchdog again a minute later, as a dead man’s switch set to a minute expects', async () => {
    // Alertmanager sends again at the first flush (each group_interval) once repeat_interval has
    // passed since the last send was logged, just after it was made: with both at 1m, the flush a
    // minute on fell a moment short, and the heartbeat came every 2 minutes. (Posted again: the
    // same alert, firing since the test before, or from now when this test runs alone.)
    await post([{ labels: { alertname: 'Watchdog', severity: 'info', team: 'platform' } }]);
    const times = () => received.filter((r) => r.path === '/watchdog').map((r) => r.at);
    for (const deadline = Date.now() + 150_000; times().length < 2 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 250));
    const [first, second] = times();
    expect(second).toBeDefined();
    const gap = ((second ?? 0) - (first ?? 0)) / 1000;
    expect([gap, gap >= 57, gap <= 65]).toEqual([gap, true, true]);
  }, 160_000);
});

describe('the receivers’ templates, rendered by amtool template render', () => {
  const data = path.join(dir, 'data.json');
  const glob = path.join(dir, 'empty.tmpl');
  writeFileSync(glob, '{{ define "unused" }}{{ end }}\n');
  writeFileSync(
    data,
    JSON.stringify({
      receiver: 'critical-slack',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'PostgresDown', severity: 'critical' },
          annotations: { summary: 'S1', description: 'D1', runbook_url: runbook('PostgresDown') },
        },
        {
          status: 'resolved',
          labels: { alertname: 'PostgresDown', severity: 'critical' },
          annotations: { summary: 'S2', description: 'D2' },
        },
      ],
      groupLabels: { alertname: 'PostgresDown' },
      commonLabels: { alertname: 'PostgresDown', severity: 'critical' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example:9093',
    }),
  );
  const render = (text: string, dataFile = data) => {
    const res = runTool('amtool', [
      'template',
      'render',
      `--template.glob=${glob}`,
      `--template.data=${dataFile}`,
      `--template.text=${text}`,
    ]);
    expect(res.code).toBe(0);
    return res.output;
  };

  it('list every alert in the Slack text, resolved ones marked, a runbook link where there is one', () => {
    expect(render(SLACK_TEXT)).toBe(
      `*S1*\nD1\n<${runbook('PostgresDown')}|Runbook>\n[RESOLVED] *S2*\nD2\n\n`,
    );
  });

  it("escape Slack's three control characters in a summary and a description", () => {
    const hostile = path.join(dir, 'hostile.json');
    writeFileSync(
      hostile,
      JSON.stringify({
        alerts: [
          {
            status: 'firing',
            annotations: { summary: 'p99 <1s & rising', description: 'tell <!channel> a>b' },
          },
        ],
      }),
    );
    // Slack's "Escaping text": & as &amp;, < as &lt;, > as &gt;, nothing else.
    expect(render(SLACK_TEXT, hostile)).toBe(
      '*p99 &lt;1s &amp; rising*\ntell &lt;!channel&gt; a&gt;b\n\n',
    );
  });

  it('give PagerDuty one of its four severities, critical for anything else', () => {
    expect(render(PAGERDUTY_SEVERITY)).toBe('critical');
    const other = path.join(dir, 'other.json');
    const withSeverity = (severity: string) => {
      writeFileSync(other, JSON.stringify({ commonLabels: { severity }, alerts: [{}] }));
      return render(PAGERDUTY_SEVERITY, other);
    };
    expect(withSeverity('warning')).toBe('warning');
    expect(withSeverity('none')).toBe('critical');
    expect(withSeverity('')).toBe('critical');
  });

  it("link PagerDuty to the group's runbook, or to Alertmanager without one", () => {
    expect(render(RUNBOOK_HREF)).toBe(runbook('PostgresDown'));
    const other = path.join(dir, 'norunbook.json');
    writeFileSync(
      other,
      JSON.stringify({ alerts: [{ annotations: {} }], externalURL: 'http://am.example:9093' }),
    );
    expect(render(RUNBOOK_HREF, other)).toBe('http://am.example:9093');
  });
});
