// Alertmanager routing: critical pages (email + Slack + PagerDuty at once), warning is emailed in
// 5-minute groups, info goes out as a digest in business hours only. Secrets and addresses are
// read from files or given as options; nothing secret is written here.
import type { Severity } from '../spec';
import { toYaml } from '../render/yaml';

export interface AlertmanagerOptions {
  /** IANA time zone of the business-hours interval. */
  readonly location?: string;
  readonly smtpSmarthost?: string;
  readonly smtpFrom?: string;
  readonly smtpUsername?: string;
  readonly smtpPasswordFile?: string;
  readonly criticalEmail?: string;
  readonly warningEmail?: string;
  readonly infoEmail?: string;
  readonly slackApiUrlFile?: string;
  readonly slackChannel?: string;
  readonly pagerdutyRoutingKeyFile?: string;
}

export const DEFAULT_ALERTMANAGER_OPTIONS: Required<AlertmanagerOptions> = {
  location: 'UTC',
  smtpSmarthost: 'smtp.example.invalid:587',
  smtpFrom: 'alertmanager@example.invalid',
  smtpUsername: 'alertmanager',
  smtpPasswordFile: '/etc/alertmanager/secrets/smtp-password',
  criticalEmail: 'oncall@example.invalid',
  warningEmail: 'platform-team@example.invalid',
  infoEmail: 'platform-digest@example.invalid',
  slackApiUrlFile: '/etc/alertmanager/secrets/slack-api-url',
  slackChannel: '#alerts-critical',
  pagerdutyRoutingKeyFile: '/etc/alertmanager/secrets/pagerduty-routing-key',
};

/** The receivers each severity reaches, in route order. */
export const RECEIVERS_BY_SEVERITY: Readonly<Record<Severity, readonly string[]>> = {
  critical: ['critical-pagerduty', 'critical-email', 'critical-slack'],
  warning: ['warning-email'],
  info: ['info-digest'],
};

/** Alerts that ServiceDown makes redundant for the same service. */
export const SILENCED_BY_SERVICE_DOWN = ['HighErrorRatio', 'HighLatencyP95', 'HighLatencyP99'];

/**
 * The labels that tell one alert's series apart (the `by` labels of the rules that have both a
 * warning and a critical level, and the `slo` of the burn-rate alerts). A critical inhibits a
 * warning only when all of them are equal; a label both alerts lack counts as equal. With
 * `alertname` and `service` alone, a critical on one pod, queue or tool silenced the warnings
 * of all the others (and of every pod, for container alerts that carry no `service`).
 */
export const SAME_ALERT_LABELS = [
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
] as const;

export const BUSINESS_HOURS = 'business-hours';

export function alertmanagerConfig(options: AlertmanagerOptions = {}): Record<string, unknown> {
  const o = { ...DEFAULT_ALERTMANAGER_OPTIONS, ...options };
  const critical = (receiver: string, last: boolean) => ({
    receiver,
    matchers: ['severity="critical"'],
    group_wait: '10s',
    group_interval: '1m',
    repeat_interval: receiver === 'critical-pagerduty' ? '30m' : '4h',
    ...(last ? {} : { continue: true }),
  });
  return {
    global: {
      smtp_smarthost: o.smtpSmarthost,
      smtp_from: o.smtpFrom,
      smtp_auth_username: o.smtpUsername,
      smtp_auth_password_file: o.smtpPasswordFile,
      smtp_require_tls: true,
    },
    route: {
      receiver: 'warning-email',
      group_by: ['alertname', 'service'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        critical('critical-pagerduty', false),
        critical('critical-email', false),
        critical('critical-slack', true),
        {
          receiver: 'warning-email',
          matchers: ['severity="warning"'],
          group_wait: '5m',
          group_interval: '5m',
          repeat_interval: '12h',
        },
        {
          receiver: 'info-digest',
          matchers: ['severity="info"'],
          group_by: ['severity'],
          group_wait: '1h',
          // Alertmanager flushes a group every group_interval from its first flush and drops
          // the flush outside the active time: with 24h a group first flushed at 21:00 would
          // try at 21:00 every day and never be sent. 4h puts two flushes into every 9-hour
          // business day; a group that has not changed is still sent once a day.
          group_interval: '4h',
          repeat_interval: '24h',
          active_time_intervals: [BUSINESS_HOURS],
        },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: [...SAME_ALERT_LABELS],
      },
      {
        source_matchers: ['alertname="ServiceDown"'],
        target_matchers: [`alertname=~"${SILENCED_BY_SERVICE_DOWN.join('|')}"`],
        equal: ['namespace', 'service'],
      },
    ],
    time_intervals: [
      {
        name: BUSINESS_HOURS,
        time_intervals: [
          {
            weekdays: ['monday:friday'],
            times: [{ start_time: '09:00', end_time: '18:00' }],
            location: o.location,
          },
        ],
      },
    ],
    receivers: [
      {
        name: 'critical-pagerduty',
        pagerduty_configs: [{ routing_key_file: o.pagerdutyRoutingKeyFile, send_resolved: true }],
      },
      { name: 'critical-email', email_configs: [{ to: o.criticalEmail, send_resolved: true }] },
      {
        name: 'critical-slack',
        slack_configs: [
          { api_url_file: o.slackApiUrlFile, channel: o.slackChannel, send_resolved: true },
        ],
      },
      { name: 'warning-email', email_configs: [{ to: o.warningEmail, send_resolved: true }] },
      { name: 'info-digest', email_configs: [{ to: o.infoEmail }] },
    ],
  };
}

export function renderAlertmanagerConfig(options: AlertmanagerOptions = {}): string {
  return toYaml(alertmanagerConfig(options));
}
