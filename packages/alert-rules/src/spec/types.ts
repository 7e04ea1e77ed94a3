/** The alert severities DESIGN.md fixes. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One alerting rule. `runbook` is the runbook's path inside this package. */
export interface AlertSpec {
  readonly name: string;
  readonly expr: string;
  /** Prometheus duration, e.g. `5m`. */
  readonly for: string;
  readonly severity: Severity;
  readonly team: string;
  /** A fixed `service` label; leave it out when the expression carries `service`. */
  readonly service?: string;
  readonly summary: string;
  readonly description: string;
  readonly runbook: string;
}

/** One recording rule: `record` is a `level:metric:operations` name. */
export interface RecordingSpec {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The rules of one domain; rendered as one rule group and one `<domain>.rules.yml`, recording
 * rules first (Prometheus evaluates a group's rules in order, so alerts read fresh records).
 */
export interface RuleGroup {
  readonly domain: string;
  readonly interval?: string;
  readonly records?: readonly RecordingSpec[];
  readonly alerts: readonly AlertSpec[];
}

/** An alert that fires whatever the data, by design: a heartbeat such as the Watchdog's `vector(1)`. */
export function alwaysFires(alert: Pick<AlertSpec, 'expr'>): boolean {
  return alert.expr.replace(/\s+/g, '') === 'vector(1)';
}

/** The conventional runbook path of an alert. */
export function runbookFor(name: string): string {
  return `runbooks/${name}.md`;
}
