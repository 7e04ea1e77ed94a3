import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { runTool, tempDir } from '../testing';
import { ruleGroups } from '../rules';
import { RECEIVERS_BY_SEVERITY, renderAlertmanagerConfig } from './config';

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
    route: { routes: { receiver: string; repeat_interval: string; group_wait: string }[] };
    time_intervals: { name: string; time_intervals: Record<string, unknown>[] }[];
    inhibit_rules: Record<string, unknown>[];
  };

  it('repeats critical pages to PagerDuty every 30 minutes after a 10 second wait', () => {
    const pd = config.route.routes.find((r) => r.receiver === 'critical-pagerduty');
    expect(pd).toMatchObject({ repeat_interval: '30m', group_wait: '10s' });
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
  it('reaches the receivers of its severity (checked by amtool --verify.receivers)', () => {
    const failures: string[] = [];
    for (const group of ruleGroups) {
      for (const alert of group.alerts) {
        const res = runTool('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${file}`,
          `--verify.receivers=${RECEIVERS_BY_SEVERITY[alert.severity].join(',')}`,
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
