import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { runTool, tempDir } from '../testing';
import { ruleGroups } from '../rules';
import {
  NULL_RECEIVER,
  PAGERDUTY_SEVERITY,
  RUNBOOK_HREF,
  SLACK_TEXT,
  WATCHDOG_RECEIVER,
  receiversFor,
  renderAlertmanagerConfig,
} from './config';

const dir = tempDir('amtool');
const file = path.join(dir, 'alertmanager.yml');
writeFileSync(file, renderAlertmanagerConfig());

function routes(...labels: string[]): string {
  const res = runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
  expect({ code: res.code, output: res.output }).toEqual({ code: 0, output: expect.any(String) });
  return res.output
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('Warning:'))
    .join('\n');
}

describe('the generated alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const res = runTool('amtool', ['check-config', file]);
    expect({ code: res.code, output: res.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('sends critical alerts to PagerDuty, email and Slack', () => {
    expect(routes('severity=critical', 'alertname=ServiceDown', 'service=api-gateway')).toBe(
      'critical-pagerduty,critical-email,critical-slack',
    );
  });

  it('sends warning alerts to the grouped email', () => {
    expect(routes('severity=warning', 'alertname=HighLatencyP95', 'service=api-gateway')).toBe(
      'warning-email',
    );
  });

  it('sends info alerts to the daily digest', () => {
    expect(routes('severity=info', 'alertname=LowUserActivity', 'service=api-gateway')).toBe(
      'info-digest',
    );
  });

  it('sends the Watchdog to its own receiver, for the dead man’s switch', () => {
    expect(routes('alertname=Watchdog', 'severity=info', 'team=platform')).toBe(WATCHDOG_RECEIVER);
  });

  it('sends any other severity="none" alert, such as InfoInhibitor, to no one', () => {
    expect(routes('alertname=InfoInhibitor', 'severity=none', 'namespace=platform')).toBe(
      NULL_RECEIVER,
    );
    expect(routes('alertname=SomethingElse', 'severity=none', 'service=api-gateway')).toBe(
      NULL_RECEIVER,
    );
  });

  it('fails amtool check-config for a route to a receiver that does not exist', () => {
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(
      bad,
      renderAlertmanagerConfig().replace('receiver: info-digest', 'receiver: nobody'),
    );
    const res = runTool('amtool', ['check-config', bad]);
    expect(res.code).not.toBe(0);
    expect(res.output).toContain('nobody');
  });
});

describe('alertmanagerConfig', () => {
  const config = parse(renderAlertmanagerConfig({ location: 'Europe/Berlin' })) as {
    route: {
      routes: { receiver: string; repeat_interval: string; group_wait: string }[];
    };
    receivers: {
      name: string;
      slack_configs?: Record<string, unknown>[];
      pagerduty_configs?: Record<string, unknown>[];
    }[];
    time_intervals: { name: string; time_intervals: Record<string, unknown>[] }[];
    inhibit_rules: Record<string, unknown>[];
  };

  it('repeats critical pages to PagerDuty every 30 minutes after a 10 second wait', () => {
    const pd = config.route.routes.find((r) => r.receiver === 'critical-pagerduty');
    expect(pd).toMatchObject({ repeat_interval: '30m', group_wait: '10s' });
  });

  it('groups critical alerts by instance too, so that each PostgreSQL server pages on its own', () => {
    const critical = config.route.routes.filter((r) => r.receiver.startsWith('critical-'));
    expect(critical).toHaveLength(3);
    for (const r of critical) {
      expect(r).toMatchObject({ group_by: ['alertname', 'service', 'instance'] });
    }
  });

  it('routes the Watchdog first, then severity="none", before any team receiver', () => {
    expect(config.route.routes.slice(0, 2)).toEqual([
      {
        receiver: WATCHDOG_RECEIVER,
        matchers: ['alertname="Watchdog"'],
        group_wait: '0s',
        group_interval: '10s',
        repeat_interval: '55s',
      },
      { receiver: NULL_RECEIVER, matchers: ['severity="none"'] },
    ]);
  });

  it('gives Slack a text with summary, description and runbook, and PagerDuty a severity and a runbook link', () => {
    const receiver = (name: string) => config.receivers.find((r) => r.name === name);
    expect(receiver('critical-slack')?.slack_configs?.[0]).toMatchObject({ text: SLACK_TEXT });
    for (const part of [
      '.Annotations.summary',
      '.Annotations.description',
      '.Annotations.runbook_url',
    ]) {
      expect(SLACK_TEXT).toContain(part);
    }
    expect(receiver('critical-pagerduty')?.pagerduty_configs?.[0]).toMatchObject({
      severity: PAGERDUTY_SEVERITY,
      links: [{ href: RUNBOOK_HREF, text: 'Runbook' }],
    });
  });

  it('gives the Watchdog and null receivers no integration, unless a dead man’s switch is set', () => {
    const receivers = (text: string) =>
      (parse(text) as { receivers: Record<string, unknown>[] }).receivers.filter((r) =>
        [WATCHDOG_RECEIVER, NULL_RECEIVER].includes(r.name as string),
      );
    expect(receivers(renderAlertmanagerConfig())).toEqual([
      { name: WATCHDOG_RECEIVER },
      { name: NULL_RECEIVER },
    ]);
    expect(
      receivers(renderAlertmanagerConfig({ watchdogWebhookUrl: 'https://hc-ping.com/uuid' })),
    ).toEqual([
      {
        name: WATCHDOG_RECEIVER,
        webhook_configs: [{ url: 'https://hc-ping.com/uuid', send_resolved: false }],
      },
      { name: NULL_RECEIVER },
    ]);
  });

  it('defines business hours Monday to Friday 09:00-18:00 in the configured location', () => {
    expect(config.time_intervals).toEqual([
      {
        name: 'business-hours',
        time_intervals: [
          {
            weekdays: ['monday:friday'],
            times: [{ start_time: '09:00', end_time: '18:00' }],
            location: 'Europe/Berlin',
          },
        ],
      },
    ]);
  });

  it('inhibits warnings under a critical of the same alert, and latency and errors under ServiceDown', () => {
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: [
          'alertname',
          'namespace',
          'service',
          'pod',
          'container',
          'instance',
          'datname',
          'model',
          'operation',
          'queue',
          'tool',
          'slo',
        ],
      },
      {
        source_matchers: ['alertname="ServiceDown"'],
        target_matchers: ['alertname=~"HighErrorRatio|HighLatencyP95|HighLatencyP99"'],
        equal: ['namespace', 'service'],
      },
    ]);
  });

  it('holds no literal secrets: keys and URLs come from files', () => {
    const text = renderAlertmanagerConfig();
    expect(text).toContain('routing_key_file: /etc/alertmanager/secrets/pagerduty-routing-key');
    expect(text).toContain('api_url_file: /etc/alertmanager/secrets/slack-api-url');
    expect(text).toContain('smtp_auth_password_file: /etc/alertmanager/secrets/smtp-password');
    expect(text).not.toMatch(/routing_key:|api_url:|smtp_auth_password:|hooks\.slack\.com/);
  });
});

describe('every alert', () => {
  it('reaches the receivers of its severity, the Watchdog its own (checked by amtool --verify.receivers)', () => {
    const failures: string[] = [];
    for (const group of ruleGroups) {
      for (const alert of group.alerts) {
        const res = runTool('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${file}`,
          `--verify.receivers=${receiversFor(alert).join(',')}`,
          `alertname=${alert.name}`,
          `severity=${alert.severity}`,
          `service=${alert.service ?? 'api-gateway'}`,
        ]);
        if (res.code !== 0) failures.push(`${alert.name} (${alert.severity}): ${res.output}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
