/**
 * The Beacon tracking server's REST API (`/api/v1`) as the plugin reads it, through Grafana's
 * plugin proxy route `tracker`. What each route answers is the server's own type
 * (`@beacon/tracking-server/wire`, imported as types only: nothing of the server is bundled), so
 * the server and the plugin cannot drift apart. Defined here: the plugin's query parameters, the
 * value lists its filters offer (checked below to be exactly the server's), and its reading of
 * the Sentry event JSON the server stores (every part optional, as SDKs send them).
 */
import type * as Wire from '@beacon/tracking-server/wire';

export type {
  AttachmentInfo,
  BulkStatusResult,
  ErrorType,
  FeedbackEntry,
  FeedbackInfo,
  GroupedBy,
  IssueDetail,
  IssueFeedback,
  IssueSort,
  IssueStatus,
  IssueSummary,
  Page,
  ProjectList,
  SessionDetail,
  SessionErrorEvent,
  SessionExport,
  SessionMemorySnapshot as MemorySnapshot,
  SessionOperation,
  SessionSummary,
  Severity,
  Stats,
} from '@beacon/tracking-server/wire';

/**
 * A list of every value of the server's union `U`: a value the server does not have, or one of
 * its values left out, fails to compile (the error names the missing one).
 */
const everyOf =
  <U extends string>() =>
  <const L extends readonly U[]>(
    list: L & ([Exclude<U, L[number]>] extends [never] ? unknown : { missing: Exclude<U, L[number]> })
  ): L =>
    list;

export const ISSUE_STATUSES = everyOf<Wire.IssueStatus>()(['open', 'investigating', 'resolved', 'ignored']);
export const SEVERITIES = everyOf<Wire.Severity>()(['critical', 'error', 'warning', 'info']);
export const ERROR_TYPES = everyOf<Wire.ErrorType>()([
  'application',
  'database',
  'external_api',
  'validation',
  'security',
]);
export const ISSUE_SORTS = everyOf<Wire.IssueSort>()(['last_seen', 'first_seen', 'events', 'users']);

/** A project as `GET /projects` lists it: its id and name, never its key. */
export type ProjectInfo = Wire.ProjectList['items'][number];

export interface IssueQuery {
  /** Issues of any of these projects (ids, at most 100). */
  project?: readonly number[];
  status?: Wire.IssueStatus;
  severity?: Wire.Severity;
  type?: Wire.ErrorType;
  /** Issues with an event from this service, or from any of several (at most 100). */
  service?: string | readonly string[];
  /** Issues with an event in this environment, or in any of several (at most 100). */
  environment?: string | readonly string[];
  release?: string;
  q?: string;
  /** Issues active in a time range (epoch ms): last seen at or after `seenAfter`… */
  seenAfter?: number;
  /** …and first seen at or before `seenBefore`. */
  seenBefore?: number;
  sort?: Wire.IssueSort;
  cursor?: string;
  limit?: number;
}

/** A stored event, its payload read as the Sentry event JSON it is. */
export type StoredEvent = Omit<Wire.StoredEvent, 'event'> & { event: SentryEventPayload };

/** The parts of a Sentry event the plugin reads; everything is optional on the wire. */
export interface SentryEventPayload {
  event_id?: string;
  message?: string | { formatted?: string; message?: string };
  level?: string;
  platform?: string;
  server_name?: string;
  transaction?: string;
  exception?: { values?: SentryException[] } | SentryException[];
  /** A stack with no exception (attachStacktrace), or an event's threads (log records, crashes). */
  stacktrace?: { frames?: SentryFrame[] };
  threads?: { values?: SentryThread[] } | SentryThread[];
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

export interface SentryThread {
  id?: number | string;
  name?: string;
  crashed?: boolean;
  current?: boolean;
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

/** `GET /feedback`: all user feedback, or what a search finds in its message, name or address. */
export interface FeedbackQuery {
  /** Feedback sent to any of these projects (ids, at most 100). */
  project?: readonly number[];
  q?: string;
  /** The `nextCursor` of the page before. */
  cursor?: string;
  limit?: number;
}

export interface StatsQuery {
  /** Of any of these projects (ids, at most 100); of every one when absent. */
  project?: readonly number[];
}

export interface SessionQuery {
  /** Sessions with records of any of these projects (ids, at most 100). */
  project?: readonly number[];
  q?: string;
  service?: string;
  minDurationMs?: number;
  hasErrors?: boolean;
  /** The `nextCursor` of the page before. */
  cursor?: string;
  limit?: number;
}
