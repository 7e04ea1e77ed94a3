// DESIGN.md's alerting flow with the real tools: `beacon-alerts build` (the built CLI, as a user
// runs it) writes the rule files and alertmanager.yml; Debian's Alertmanager runs that config and
// Debian's Prometheus evaluates those rules and sends what fires to that Alertmanager.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, getJson, requireTool, startTool, type Tool } from './servers';

export const ALERTS_CLI = path.join(REPO, 'packages', 'alert-rules', 'dist', 'cli.js');

export interface BuiltAlerting {
  /** The `*.rules.yml` files `beacon-alerts build` wrote, full paths, sorted. */
  readonly ruleFiles: string[];
  /** alertmanager.yml as written, with the test's changes (below). */
  readonly alertmanagerConfig: string;
}

/**
 * `beacon-alerts build --out <dir>/out`, then alertmanager.yml made runnable here, by the two
 * changes a deployment makes: the secret files it names (`/etc/alertmanager/secrets/…`) moved
 * into `dir`, and the `watchdog` receiver given the dead man's switch `watchdogUrl` — the
 * `webhook_configs` entry `watchdogWebhookUrl` writes (alert-rules README), which the CLI has no
 * flag for. Receivers other than the Watchdog's are left as written, their addresses
 * (`example.invalid`, PagerDuty's and Slack's) unreachable from here.
 */
export function buildAlerting(dir: string, watchdogUrl: string): BuiltAlerting {
  if (!existsSync(ALERTS_CLI)) {
    throw new Error(`${ALERTS_CLI} is missing: build the repository first (npm run build)`);
  }
  const out = path.join(dir, 'out');
  execFileSync(process.execPath, [ALERTS_CLI, 'build', '--out', out], { encoding: 'utf8' });
  const promDir = path.join(out, 'prometheus');
  const ruleFiles = readdirSync(promDir)
    .filter((f) => f.endsWith('.rules.yml'))
    .sort()
    .map((f) => path.join(promDir, f));

  const secrets = path.join(dir, 'secrets');
  mkdirSync(secrets);
  writeFileSync(path.join(secrets, 'smtp-password'), 'x');
  writeFileSync(path.join(secrets, 'slack-api-url'), 'https://hooks.slack.example.invalid/x');
  writeFileSync(path.join(secrets, 'pagerduty-routing-key'), 'abcdefabcdefabcdefabcdefabcdefab');
  const written = readFileSync(path.join(out, 'alertmanager', 'alertmanager.yml'), 'utf8');
  const receiver = '\n  - name: watchdog\n';
  if (written.split(receiver).length !== 2) {
    throw new Error(
      `alertmanager.yml has no receiver written as "${receiver.trim()}":\n${written}`,
    );
  }
  const alertmanagerConfig = written
    .replaceAll('/etc/alertmanager/secrets/', `${secrets}/`)
    .replace(
      receiver,
      `${receiver}    webhook_configs:\n      - url: ${JSON.stringify(watchdogUrl)}\n        send_resolved: false\n`,
    );
  return { ruleFiles, alertmanagerConfig };
}

/** `amtool check-config` on `file`: its output, or an error with it. */
export function amtoolCheckConfig(file: string): string {
  const amtool = requireTool('amtool', 'apt-get install prometheus-alertmanager');
  return execFileSync(amtool, ['check-config', file], { encoding: 'utf8' });
}

/**
 * Debian's Alertmanager (`prometheus-alertmanager`) on `configFile`, alone (no cluster). Ready is
 * an Alertmanager answering with a config that contains `marker`.
 */
export function startAlertmanager(configFile: string, dir: string, marker: string): Promise<Tool> {
  const binary = requireTool('prometheus-alertmanager', 'apt-get install prometheus-alertmanager');
  let attempt = 0;
  return startTool(
    'Alertmanager',
    binary,
    (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, `alertmanager-data-${++attempt}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    async (url) =>
      (
        await getJson<{ config?: { original?: string } }>(`${url}/api/v2/status`)
      ).config?.original?.includes(marker) === true,
  );
}

/**
 * Debian's Prometheus evaluating `ruleFiles` every second and sending alerts to the Alertmanager
 * at `alertmanager` (host:port). It scrapes nothing: the Watchdog (`vector(1)`) needs no series.
 * Ready is a Prometheus answering with this run's data folder.
 */
export function startPrometheus(
  ruleFiles: readonly string[],
  alertmanager: string,
  dir: string,
): Promise<Tool> {
  const binary = requireTool('prometheus', 'apt-get install prometheus');
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    // JSON is YAML.
    JSON.stringify({
      global: { evaluation_interval: '1s', scrape_interval: '1s' },
      rule_files: ruleFiles,
      alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] },
    }),
  );
  let attempt = 0;
  let data = '';
  return startTool(
    'Prometheus',
    binary,
    (port) => {
      data = path.join(dir, `prometheus-data-${++attempt}`);
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=http://127.0.0.1:${port}`,
        // Prometheus drops what it sends before it has discovered an Alertmanager (its discovery
        // updates every 5 s) and sends a firing alert again only after this delay (1m by default).
        '--rules.alert.resend-delay=1s',
      ];
    },
    async (url) =>
      (await getJson<{ data: Record<string, string> }>(`${url}/api/v1/status/flags`)).data[
        'storage.tsdb.path'
      ] === data,
  );
}
