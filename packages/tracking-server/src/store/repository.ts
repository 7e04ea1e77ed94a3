// The store behind the API: a repository interface (SQLite by default, see sqlite.ts).
import type { ErrorType, Severity } from '../grouping/classify';
import type { GroupedBy } from '../grouping/grouping';
import type { TrackedEvent } from '../ingest/event';
import type { SentFeedback } from '../ingest/feedback';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import type { SessionDetail, SessionFilter, SessionSummary } from './sessions';

export const STATUSES = ['open', 'investigating', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof STATUSES)[number];
export const SORTS = ['last_seen', 'first_seen', 'events', 'users'] as const;
export type IssueSort = (typeof SORTS)[number];

export interface IssueSummary {
  readonly id: number;
  readonly projectId: number;
  readonly title: string;
  readonly culprit: string;
  readonly status: IssueStatus;
  readonly severity: Severity;
  readonly type: ErrorType;
  readonly service: string;
  readonly count: number;
  readonly users: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly groupedBy: GroupedBy;
  /** Events per hour over the last 24 hours, oldest first. */
  readonly hourly: readonly number[];
  /**
   * Of a list asked for a time range (`seenAfter`, `seenBefore`): the events in the clock hours
   * it touches, within the last 31 days (`count` is the issue's lifetime total).
   */
  readonly rangeCount?: number;
}

export interface IssueDetail extends IssueSummary {
  readonly environment: string;
  readonly release: string;
  readonly releases: readonly string[];
  readonly regression: boolean;
  readonly resolvedInRelease?: string;
  readonly grouping: { readonly rule: GroupedBy; readonly components: readonly string[] };
  readonly latestEvent?: Record<string, unknown>;
}

export interface IssueFilter {
  /** Issues of any of these projects. */
  readonly project?: readonly number[];
  readonly status?: IssueStatus;
  readonly severity?: Severity;
  readonly type?: ErrorType;
  /** Issues with an event from any of these services… */
  readonly service?: readonly string[];
  /** …and in any of these environments. */
  readonly environment?: readonly string[];
  readonly release?: string;
  readonly q?: string;
  /** Active in a time range (epoch ms): last seen at or after `seenAfter`… */
  readonly seenAfter?: number;
  /** …and first seen at or before `seenBefore`. */
  readonly seenBefore?: number;
  readonly sort: IssueSort;
  readonly cursor?: string;
  readonly limit: number;
}

export interface FeedbackFilter {
  /** Feedback sent to any of these projects. */
  readonly project?: readonly number[];
  /** Feedback whose message, name or address contains this, ignoring case. */
  readonly q?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * An attachment sent with an event or a piece of feedback, as they list it; its bytes are read on
 * their own.
 */
export interface AttachmentInfo {
  /** What `GET /attachments/{id}` reads it by (`GET /feedback/attachments/{id}`, feedback's). */
  readonly id: number;
  readonly filename: string;
  readonly contentType: string;
  /** Relay's attachment_type: `event.attachment`, `event.minidump`, …. */
  readonly type: string;
  /** The bytes sent. */
  readonly size: number;
  /**
   * Filtered whole, with no bytes kept: what versions before 2026-12-06 did to binary bytes with
   * a sensitive shape in them, which are now masked in place (ingest/attachment.ts).
   */
  readonly filtered: boolean;
}

/** User feedback about an event, as the event lists it (ingest/feedback.ts). */
export interface FeedbackInfo {
  readonly id: number;
  readonly receivedAt: string;
  /** What the user gave as their name and address; empty where they gave none. */
  readonly name: string;
  readonly email: string;
  /** What they wrote, scrubbed. */
  readonly message: string;
  /** The page they wrote it on, where the SDK said. */
  readonly url?: string;
  /** What was sent with it: the feedback widget's screenshot, kept as attachments are. */
  readonly attachments: readonly AttachmentInfo[];
}

/** User feedback about an issue: as an event lists it, with the event it names. */
export interface IssueFeedback extends FeedbackInfo {
  readonly eventId: string;
}

/**
 * User feedback as the list of all of it shows it (listFeedback): with its project, the event it
 * names and that event's issue, where there are.
 */
export interface FeedbackEntry extends FeedbackInfo {
  readonly projectId: number;
  /** The event it is about; absent where it names none (Sentry's feedback widget, sent alone). */
  readonly eventId?: string;
  /** That event's issue, where the feedback is linked to it (issueFeedback). */
  readonly issue?: { readonly id: number; readonly title: string };
}

/** An attachment's bytes, or null where they were filtered. */
export interface AttachmentFile {
  readonly filename: string;
  readonly data: Uint8Array | null;
}

export interface StoredEvent {
  readonly id: string;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly level: string;
  readonly release: string;
  readonly environment: string;
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly event: Record<string, unknown>;
  readonly attachments: readonly AttachmentInfo[];
  /** What users wrote about this event, oldest first. */
  readonly feedback: readonly FeedbackInfo[];
}

export interface Stats {
  readonly bySeverity: Readonly<Record<string, number>>;
  readonly byService: Readonly<Record<string, number>>;
  /** The 10 open or investigating issues with the most events over those 24 hours. */
  readonly topIssues: readonly IssueSummary[];
  /** Events of the last 60 minutes, to the minute (the one in progress included). */
  readonly lastHour: number;
  /** Events of the last 24 hours, to the minute. */
  readonly lastDay: number;
  readonly openIssues: number;
  /**
   * Events per clock hour over the 24 hours up to the one in progress, oldest first: what
   * bySeverity, byService and topIssues count too.
   */
  readonly trend: readonly number[];
}

/** What one ingest transaction did. */
export interface IngestResult {
  /**
   * The indices of the events given that were not stored, each the same event as one stored
   * before (the same project and id, within the hour: issue-ingest.ts) or earlier in the batch;
   * absent when every one was stored.
   */
  readonly duplicates?: readonly number[];
  readonly newIssues: number;
  /** Issues it opened: new ones, and resolved ones reopened as regressions. */
  readonly opened: readonly {
    readonly projectId: number;
    readonly service: string;
    readonly severity: Severity;
  }[];
}

/**
 * Whose data a retention delete covers: one project (its id), or every project but those
 * listed (`except`, the projects with a retention of their own). Absent: every project.
 */
export type RetentionScope = number | { readonly except: readonly number[] };

/** A trace seen with a correlation id, by a record of this time (Unix ms). */
export interface TraceLink {
  readonly traceId: string;
  readonly correlationId: string;
  readonly time: number;
}

export interface Repository {
  /** Stores events in one transaction; when it returns, they are durable. */
  ingest(events: readonly TrackedEvent[]): IngestResult;
  listIssues(filter: IssueFilter, now: number): Page<IssueSummary>;
  getIssue(id: number, now: number): IssueDetail | undefined;
  issueEvents(id: number, cursor: string | undefined, limit: number): Page<StoredEvent> | undefined;
  /**
   * The feedback linked to an issue (issue-ingest.ts: its event among the recent ids, or coming
   * within the hour after it), newest first; undefined when there is no such issue.
   */
  issueFeedback(
    id: number,
    cursor: string | undefined,
    limit: number,
  ): Page<IssueFeedback> | undefined;
  /** All user feedback, of every project, linked or not, newest first. */
  listFeedback(filter: FeedbackFilter): Page<FeedbackEntry>;
  attachment(id: number): AttachmentFile | undefined;
  /** An attachment sent with a piece of feedback. */
  feedbackAttachment(id: number): AttachmentFile | undefined;
  /** Returns the ids that exist (and were changed). */
  setStatus(ids: readonly number[], status: IssueStatus, now: number): number[];
  /** Of every project, or of any of `project` (ids). */
  stats(now: number, project?: readonly number[]): Stats;
  /** Which of `eventIds` are stored, in any project: a scan (event ids have no index), for checks. */
  storedEventIds(eventIds: readonly string[]): Set<string>;
  /** Issues in status open or investigating, per project and severity. */
  openIssueCounts(): { projectId: number; severity: Severity; count: number }[];
  /**
   * Stores operations and memory snapshots in one transaction. Each trace one of them names
   * together with a correlation id is linked to it first, so the batch's other records of that
   * trace join the correlation id's session. Returns the indices of the operations that were
   * stored already (the same project, trace and span: sent again, or earlier in the batch), each
   * of which replaced its copy rather than adding one.
   */
  ingestTraces(
    projectId: number,
    operations: readonly Operation[],
    memory: readonly MemorySnapshot[],
  ): number[];
  /**
   * Makes the links a batch's records would make (ingestTraces), in one transaction: a batch
   * written in several (writer.ts) links them all before its first records.
   */
  linkTraces(projectId: number, links: readonly TraceLink[]): void;
  /**
   * Stores user feedback in one transaction, as received at `receivedAt`. Feedback is kept by
   * the id of the event it names, which may come before or after it, and linked to that event's
   * issue where it can be (issueFeedback); it goes by age (deleteEventsBefore). A piece sent
   * again (the same SentFeedback.sentId) overwrites it within 5 minutes of its first sending, and
   * is refused after (issue-ingest.ts). Returns how many pieces are new (not overwrites, not
   * refused).
   */
  ingestFeedback(projectId: number, receivedAt: number, feedback: readonly SentFeedback[]): number;
  /**
   * Error events join their sessions shortly after they are stored (session-index.ts): this
   * joins up to `budget` of those still waiting (all by default), and returns how many wait.
   * Readers of sessions call it first.
   */
  indexSessions(budget?: number): number;
  listSessions(filter: SessionFilter): Page<SessionSummary>;
  /**
   * A session by its id, or by a trace id linked to a correlation id: then the correlation id's
   * session, whose `id` says so.
   */
  getSession(id: string): SessionDetail | undefined;
  /**
   * Deletes up to `batch` events received before `before` (of the projects `scope` names), and
   * once those are gone up to `batch` issues left with no events whose last event is older (with
   * the feedback linked to them), then up to `batch` pieces of user feedback received before
   * `before`; returns how many went (0: nothing left to do). A call that steps over its budget of
   * other projects' old rows without finding one of the scope's returns how many it stepped
   * over: the sweep goes on from there at the next call (age-walk.ts).
   */
  deleteEventsBefore(before: number, batch: number, scope?: RetentionScope): number;
  /**
   * Deletes up to `batch` operations, memory snapshots and sessions older than `before`, and
   * once those are gone moves the start of up to 100 sessions crossing `before` to their
   * earliest remaining record; returns how many rows went or were kept (a session an event or
   * another project still holds) and starts moved, and other projects' rows stepped over when a
   * call found none of the scope's (0: nothing left).
   */
  deleteSessionsBefore(before: number, batch: number, scope?: RetentionScope): number;
  /**
   * How many rows deleteEventsBefore and deleteSessionsBefore deleted since the last call: what
   * a sweep reports. Their answers are work done, which counts rows stepped over and kept too
   * (an idle sweep over data kept longer answered 450,000 and deleted none).
   */
  takeRetentionDeletes(): number;
  close(): void;
}

/** What one call of retention's deletes did: rows taken up (deleted, kept, stepped over), and deleted. */
export interface RetentionStep {
  readonly work: number;
  readonly deleted: number;
}
