// Alertmanager routing: critical pages (email + Slack + PagerDuty at once), warning is emailed in
// 5-minute groups, info goes out as a digest in business hours only; the Watchdog heartbeat and
// other `severity="none"` alerts reach no person. Secrets and addresses are read from files or
// given as options; nothing secret is written here.
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
  /**
   * A dead man's switch (healthchecks.io, Dead Man's Snitch, …) the Watchdog heartbeat is posted
   * to; empty, the heartbeat reaches nothing. Alertmanager 0.25 has no webhook `url_file`, so the
   * URL is written into the config.
   */
  readonly watchdogWebhookUrl?: string;
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
  watchdogWebhookUrl: '',
};

/** The always-firing alert that proves the pipeline works (kube-prometheus' Watchdog). */
export const WATCHDOG_ALERT = 'Watchdog';
/** Its receiver: no integration, or the dead man's switch of `watchdogWebhookUrl`. */
export const WATCHDOG_RECEIVER = 'watchdog';
/** A receiver without integrations: what reaches it is dropped. */
export const NULL_RECEIVER = 'null';

/** The receivers each severity reaches, in route order. */
export const RECEIVERS_BY_SEVERITY: Readonly<Record<Severity, readonly string[]>> = {
  critical: ['critical-pagerduty', 'critical-email', 'critical-slack'],
  warning: ['warning-email'],
  info: ['info-digest'],
};

/** The receivers an alert reaches: its severity's, but the Watchdog's own. */
export function receiversFor(alert: { name: string; severity: Severity }): readonly string[] {
  return alert.name === WATCHDOG_ALERT
    ? [WATCHDOG_RECEIVER]
    : RECEIVERS_BY_SEVERITY[alert.severity];
}

/**
 * Critical alerts are grouped, and so paged, per instance too: PostgresDown's `service` is the
 * fixed `postgres`, and two servers down were one PagerDuty incident (its dedup key is the group).
 * No other critical alert carries `instance`.
 */
export const CRITICAL_GROUP_BY = ['alertname', 'service', 'instance'] as const;

/**
 * A template value as Slack text: Slack reads `<…>` as a link or mention and `&` as the start of
 * an entity, and asks for exactly these three to be escaped (a description saying `p99 <1s` lost
 * its text, one naming `<!channel>` notified the channel).
 */
const slackEscaped = (value: string) =>
  `${value} | reReplaceAll "&" "&amp;" | reReplaceAll "<" "&lt;" | reReplaceAll ">" "&gt;"`;

/**
 * Slack's message text, each alert's summary, description and runbook link (Alertmanager's
 * default text is empty: the channel saw only the title). Slack's `<url|text>` link syntax.
 */
export const SLACK_TEXT = [
  `{{ range .Alerts }}{{ if eq .Status "resolved" }}[RESOLVED] {{ end }}*{{ ${slackEscaped('.Annotations.summary')} }}*`,
  `{{ ${slackEscaped('.Annotations.description')} }}`,
  '{{ with .Annotations.runbook_url }}<{{ . }}|Runbook>{{ end }}',
  '{{ end }}',
].join('\n');

/**
 * PagerDuty's event severity from the alerts' own; PagerDuty takes only these four values (and
 * Alertmanager's default is "error"), so anything else, or alerts that differ, pages critical.
 */
export const PAGERDUTY_SEVERITY =
  '{{ if eq .CommonLabels.severity "critical" "error" "warning" "info" }}{{ .CommonLabels.severity }}{{ else }}critical{{ end }}';

/**
 * The group's runbook: a group holds one alertname, and every alert of a name has one runbook.
 * Without one (an alert from outside this package), Alertmanager's own page.
 */
export const RUNBOOK_HREF =
  '{{ with (index .Alerts 0).Annotations.runbook_url }}{{ . }}{{ else }}{{ .ExternalURL }}{{ end }}';

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
    group_by: [...CRITICAL_GROUP_BY],
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
        {
          // Every minute to the dead man's switch, which alerts when the posts stop. Alertmanager
          // sends again at the first flush (every group_interval) once repeat_interval has passed
          // since the last send was logged, just after it was made: 1m and 1m sent every 2
          // minutes. Flushes every 10 s and 55 s send at the sixth, 5 s clear of either edge.
          receiver: WATCHDOG_RECEIVER,
          matchers: [`alertname="${WATCHDOG_ALERT}"`],
          group_wait: '0s',
          group_interval: '10s',
          repeat_interval: '55s',
        },
        // kube-prometheus' convention: `none` (Watchdog, InfoInhibitor) is for machines, and
        // would otherwise fall through to the root's team email.
        { receiver: NULL_RECEIVER, matchers: ['severity="none"'] },
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
        pagerduty_configs: [
          {
            routing_key_file: o.pagerdutyRoutingKeyFile,
            send_resolved: true,
            severity: PAGERDUTY_SEVERITY,
            links: [{ href: RUNBOOK_HREF, text: 'Runbook' }],
          },
        ],
      },
      // Alertmanager's default email lists every alert's labels and annotations (summary,
      // description, runbook_url): no template needed.
      { name: 'critical-email', email_configs: [{ to: o.criticalEmail, send_resolved: true }] },
      {
        name: 'critical-slack',
        slack_configs: [
          {
            api_url_file: o.slackApiUrlFile,
            channel: o.slackChannel,
            send_resolved: true,
            text: SLACK_TEXT,
          },
        ],
      },
      { name: 'warning-email', email_configs: [{ to: o.warningEmail, send_resolved: true }] },
      { name: 'info-digest', email_configs: [{ to: o.infoEmail }] },
      o.watchdogWebhookUrl
        ? {
            name: WATCHDOG_RECEIVER,
            webhook_configs: [{ url: o.watchdogWebhookUrl, send_resolved: false }],
          }
        : { name: WATCHDOG_RECEIVER },
      { name: NULL_RECEIVER },
    ],
  };
}

export function renderAlertmanagerConfig(options: AlertmanagerOptions = {}): string {
  return toYaml(alertmanagerConfig(options));
}
