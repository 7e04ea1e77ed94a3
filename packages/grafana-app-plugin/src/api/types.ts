/**
 * Wire types of the Beacon tracking server's REST API (`/api/v1`, issue 4), as the plugin reads them
 * through Grafana's plugin proxy route `tracker`. One module, so the server and the plugin can be
 * checked against each other in one place.
 *
 * Spelled out by issue 4 (relied on as written):
 * - `GET /issues` → `{ items, nextCursor }`, items `{ id, title, culprit, status, severity, type, service,
 *   count, users, firstSeen, lastSeen, groupedBy, hourly }`; filters status, severity, type, service,
 *   environment, release, q; sort last_seen | first_seen | events | users; cursor; limit.
 * - `PATCH /issues/{id}` `{ status }`; `POST /issues/status` for bulk changes.
 *
 * Assumptions (not spelled out by issue 4 — the server engineer, please align or tell us):
 * 1. Ids: issue ids are positive integers; session ids are strings (the correlation id, else the trace id).
 *    A `nextCursor` of `null` means there is no further page. Times are ISO-8601 strings in UTC.
 * 2. `hourly` and `Stats.trend` are event counts per hour over the last 24 hours, oldest first.
 * 3. `GET /issues/{id}` returns the summary plus `environment`, `release`, `releases` (every release the
 *    issue was seen in), `regression`, optional `resolvedInRelease`, and `grouping: { rule, components }`
 *    (the values the grouping rule hashed, shown as "why grouped").
 * 4. `GET /issues/{id}/events?cursor&limit` → `{ items, nextCursor }`, newest first; each item carries the
 *    stored (already scrubbed) Sentry event payload under `event`, in Sentry's own JSON shape:
 *    `exception.values[].stacktrace.frames[]` oldest call first with `in_app`, `pre_context`, `context_line`,
 *    `post_context`; `breadcrumbs` as `{ values: [...] }` or a plain array; `tags` as `[[key, value]]` or an
 *    object. The plugin normalises this in `event.ts` and tolerates any missing part.
 * 5. `POST /issues/status` takes `{ ids, status }` and answers `{ updated: number[], notFound: number[] }`;
 *    `PATCH /issues/{id}` answers the updated issue detail.
 * 6. `GET /stats` → counts by severity and service, top issues, last hour / day, open issues, hourly trend.
 * 7. `GET /sessions?q&service&minDurationMs&hasErrors&limit&cursor` → `{ items, nextCursor }` (the Sessions page
 *    shows the first page, newest first); `GET /sessions/{id}`
 *    → the summary plus `traceIds`, `timeline` (operations with `offsetMs` from the session start and
 *    `parentSpanId` for nesting), `errorEvents` placed by `offsetMs`, and `memory` snapshots in bytes;
 *    `GET /sessions/{id}/export` → `{ exportedAt, session }` as a JSON attachment.
 * 8. Errors are JSON `{ "error": "<what is wrong>" }` with 400, 401, 404.
 */

export const ISSUE_STATUSES = ['open', 'investigating', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ERROR_TYPES = ['application', 'database', 'external_api', 'validation', 'security'] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export const ISSUE_SORTS = ['last_seen', 'first_seen', 'events', 'users'] as const;
export type IssueSort = (typeof ISSUE_SORTS)[number];

/** Which grouping rule put the events together. */
export type GroupedBy = 'fingerprint' | 'in-app frames' | 'exception type and value' | 'message';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface IssueSummary {
  id: number;
  title: string;
  culprit: string;
  status: IssueStatus;
  severity: Severity;
  type: ErrorType;
  service: string;
  /** Events in the issue. */
  count: number;
  /** Distinct affected users. */
  users: number;
  firstSeen: string;
  lastSeen: string;
  groupedBy: GroupedBy;
  /** Events per hour over the last 24 hours, oldest first. */
  hourly: number[];
}

export interface IssueDetail extends IssueSummary {
  projectId?: number;
  environment: string;
  release: string;
  releases: string[];
  regression: boolean;
  resolvedInRelease?: string;
  grouping: { rule: GroupedBy; components: string[] };
}

export interface IssueQuery {
  status?: IssueStatus;
  severity?: Severity;
  type?: ErrorType;
  service?: string;
  environment?: string;
  release?: string;
  q?: string;
  sort?: IssueSort;
  cursor?: string;
  limit?: number;
}

/** A stored event: its indexed fields plus the scrubbed Sentry payload (assumption 4). */
export interface StoredEvent {
  id: string;
  timestamp: string;
  receivedAt?: string;
  level: string;
  release: string;
  environment: string;
  traceId?: string;
  correlationId?: string;
  event: SentryEventPayload;
}

/** The parts of a Sentry event the plugin reads; everything is optional on the wire. */
export interface SentryEventPayload {
  event_id?: string;
  message?: string | { formatted?: string; message?: string };
  level?: string;
  platform?: string;
  server_name?: string;
  transaction?: string;
  exception?: { values?: SentryException[] } | SentryException[];
  breadcrumbs?: { values?: SentryBreadcrumb[] } | SentryBreadcrumb[];
  tags?: Array<[string, string]> | Record<string, string>;
  user?: { id?: string; email?: string; username?: string; ip_address?: string };
  contexts?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface SentryException {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: { type?: string; handled?: boolean };
  stacktrace?: { frames?: SentryFrame[] };
}

export interface SentryFrame {
  filename?: string;
  abs_path?: string;
  module?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
}

export interface SentryBreadcrumb {
  timestamp?: number | string;
  type?: string;
  category?: string;
  level?: string;
  message?: string;
  data?: Record<string, unknown>;
}

export interface BulkStatusResult {
  updated: number[];
  notFound: number[];
}

export interface Stats {
  bySeverity: Partial<Record<Severity, number>>;
  byService: Record<string, number>;
  topIssues: IssueSummary[];
  lastHour: number;
  lastDay: number;
  openIssues: number;
  /** Events per hour over the last 24 hours, oldest first. */
  trend: number[];
}

export interface SessionQuery {
  q?: string;
  service?: string;
  minDurationMs?: number;
  hasErrors?: boolean;
  limit?: number;
}

export interface SessionSummary {
  id: string;
  correlationId?: string;
  services: string[];
  start: string;
  end: string;
  durationMs: number;
  operations: number;
  errors: number;
  slowOperations: number;
}

export interface SessionOperation {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  start: string;
  end: string;
  /** Milliseconds from the session's start. */
  offsetMs: number;
  durationMs: number;
  status: string;
  statusMessage?: string;
  slow: boolean;
  attributes: Record<string, unknown>;
}

export interface SessionErrorEvent {
  eventId: string;
  issueId: number;
  title: string;
  level: string;
  service: string;
  timestamp: string;
  offsetMs: number;
  spanId?: string;
}

export interface MemorySnapshot {
  time: string;
  offsetMs: number;
  service: string;
  /** Bytes. */
  rss?: number;
  /** Bytes. */
  heapUsed?: number;
}

export interface SessionDetail extends SessionSummary {
  traceIds: string[];
  timeline: SessionOperation[];
  errorEvents: SessionErrorEvent[];
  memory: MemorySnapshot[];
}

export interface SessionExport {
  exportedAt: string;
  session: SessionDetail;
}
