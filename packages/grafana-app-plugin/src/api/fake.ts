import { type ReadOptions, type TrackerApi, TrackerError, abortedError } from './client';
import type {
  BulkStatusResult,
  FeedbackEntry,
  FeedbackQuery,
  IssueDetail,
  IssueFeedback,
  IssueQuery,
  IssueStatus,
  IssueSummary,
  Page,
  ProjectInfo,
  ProjectList,
  SessionDetail,
  SessionExport,
  SessionQuery,
  SessionSummary,
  Stats,
  StatsQuery,
  StoredEvent,
} from './types';

export interface FakeTrackerData {
  /** The projects `projects()` lists; none when absent. */
  projects?: ProjectInfo[];
  issues?: IssueDetail[];
  /** Events by issue id, newest first. */
  events?: Record<number, StoredEvent[]>;
  sessions?: SessionDetail[];
  /** When absent, stats are counted from `issues`. */
  stats?: Stats;
  /** User feedback by issue id, newest first. */
  feedback?: Record<number, IssueFeedback[]>;
  /** All user feedback, newest first (the feedback page's list). */
  allFeedback?: FeedbackEntry[];
  /** Attachments' bytes by id, as the tracker would send them. */
  attachments?: Record<number, Uint8Array>;
  /** The bytes of feedback's attachments by id, likewise. */
  feedbackAttachments?: Record<number, Uint8Array>;
  /** Calls that fail, by method name: the error each throws. */
  failures?: Partial<Record<keyof TrackerApi, TrackerError>>;
  /** Calls that never answer (for loading states). */
  pending?: Array<keyof TrackerApi>;
  /** Calls that never answer when their first argument is the one given (another issue, another session). */
  pendingFor?: Partial<Record<keyof TrackerApi, unknown>>;
}

/** The bytes held for attachment `id`, or the tracker's 404 for one it does not keep. */
function bytesOf(held: Record<number, Uint8Array> | undefined, what: string, id: number): ArrayBuffer {
  const bytes = held?.[id];
  if (!bytes) {
    throw new TrackerError('not-found', `downloading ${what} ${id}: not found: ${what} ${id} not found`, 404);
  }
  return bytes.slice().buffer;
}

/** A page of `items` (none: an empty page); the fake's cursor is the index the page starts at. */
function pageOf<T>(items: readonly T[] = [], cursor: string | undefined, limit: number): Page<T> {
  const start = cursor ? Number(cursor) : 0;
  const end = start + limit;
  return { items: items.slice(start, end), nextCursor: end < items.length ? String(end) : null };
}

export interface FakeCall {
  method: keyof TrackerApi;
  /** The arguments, without a read's options. */
  args: unknown[];
  /** The signal the caller gave, if any (a test can see whether it was aborted). */
  signal?: AbortSignal;
}

const summaryOf = ({
  id,
  projectId,
  title,
  culprit,
  status,
  severity,
  type,
  service,
  count,
  users,
  firstSeen,
  lastSeen,
  groupedBy,
  hourly,
}: IssueDetail): IssueSummary => ({
  id,
  projectId,
  title,
  culprit,
  status,
  severity,
  type,
  service,
  count,
  users,
  firstSeen,
  lastSeen,
  groupedBy,
  hourly,
});

const sessionSummaryOf = ({
  id,
  correlationId,
  services,
  projectIds,
  start,
  end,
  durationMs,
  operations,
  errors,
  slowOperations,
}: SessionDetail): SessionSummary => ({
  id,
  correlationId,
  services,
  projectIds,
  start,
  end,
  durationMs,
  operations,
  errors,
  slowOperations,
});

const HOUR = 3_600_000;

const SORT_KEYS: Record<string, (i: IssueSummary) => number> = {
  last_seen: (i) => Date.parse(i.lastSeen),
  first_seen: (i) => Date.parse(i.firstSeen),
  events: (i) => i.count,
  users: (i) => i.users,
};

/**
 * An in-memory tracking server driven by the data it is given: it filters, sorts and pages the way
 * issue 4 describes (cursor = offset), records every call, and fails or hangs where told to. A read
 * given a signal behaves as ProxyTrackerApi's: aborted already, it is not sent (not recorded) and
 * rejects; aborted while it hangs, it rejects; both with an `aborted` TrackerError.
 */
export class FakeTrackerApi implements TrackerApi {
  readonly calls: FakeCall[] = [];
  private issues: IssueDetail[];

  constructor(private readonly data: FakeTrackerData = {}) {
    this.issues = (data.issues ?? []).map((i) => ({ ...i }));
  }

  private async answer<T>(
    method: keyof TrackerApi,
    args: unknown[],
    { signal }: ReadOptions = {},
    result: () => T
  ): Promise<T> {
    if (signal?.aborted) {
      throw abortedError(method, signal);
    }
    this.calls.push({ method, args, signal });
    const held = this.data.pendingFor;
    if (this.data.pending?.includes(method) || (held && method in held && held[method] === args[0])) {
      return new Promise<T>((_, reject) =>
        signal?.addEventListener('abort', () => reject(abortedError(method, signal)), { once: true })
      );
    }
    const failure = this.data.failures?.[method];
    if (failure) {
      throw failure;
    }
    return result();
  }

  callsOf(method: keyof TrackerApi): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** The signal of each call of `method`, in order (undefined where none was given). */
  signalsOf(method: keyof TrackerApi): Array<AbortSignal | undefined> {
    return this.calls.filter((c) => c.method === method).map((c) => c.signal);
  }

  projects(options?: ReadOptions): Promise<ProjectList> {
    return this.answer('projects', [], options, () => ({ items: this.data.projects ?? [] }));
  }

  listIssues(query: IssueQuery, options?: ReadOptions): Promise<Page<IssueSummary>> {
    return this.answer('listIssues', [query], options, () => {
      const q = query.q?.toLowerCase();
      const matches = this.issues.filter(
        (i) =>
          (!query.project || query.project.includes(i.projectId)) &&
          (!query.status || i.status === query.status) &&
          (!query.severity || i.severity === query.severity) &&
          (!query.type || i.type === query.type) &&
          (!query.service || [query.service].flat().includes(i.service)) &&
          (!query.environment || [query.environment].flat().includes(i.environment)) &&
          (!query.release || i.releases.includes(query.release)) &&
          (query.seenAfter === undefined || Date.parse(i.lastSeen) >= query.seenAfter) &&
          (query.seenBefore === undefined || Date.parse(i.firstSeen) <= query.seenBefore) &&
          (!q || i.title.toLowerCase().includes(q) || i.culprit.toLowerCase().includes(q))
      );
      // As the tracker: in a time range, the events of the clock hours it touches, by which
      // sort=events sorts; of an issue given without its events, all of them (its count).
      const ranged = query.seenAfter !== undefined || query.seenBefore !== undefined;
      const fromHour = query.seenAfter === undefined ? -Infinity : Math.floor(query.seenAfter / HOUR);
      const toHour = query.seenBefore === undefined ? Infinity : Math.floor(query.seenBefore / HOUR);
      const rangeCount = (i: IssueSummary) => {
        const events = this.data.events?.[i.id];
        return events
          ? events.filter((e) => {
              const hour = Math.floor(Date.parse(e.timestamp) / HOUR);
              return hour >= fromHour && hour <= toHour;
            }).length
          : i.count;
      };
      const key = ranged && query.sort === 'events' ? rangeCount : SORT_KEYS[query.sort ?? 'last_seen'];
      matches.sort((a, b) => key(b) - key(a) || b.id - a.id);
      const start = query.cursor ? Number(query.cursor) : 0;
      const limit = query.limit ?? 50;
      const end = start + limit;
      return {
        items: matches.slice(start, end).map((i) => ({
          ...summaryOf(i),
          ...(ranged ? { rangeCount: rangeCount(i) } : {}),
        })),
        nextCursor: end < matches.length ? String(end) : null,
      };
    });
  }

  getIssue(id: number, options?: ReadOptions): Promise<IssueDetail> {
    return this.answer('getIssue', [id], options, () => {
      const issue = this.issues.find((i) => i.id === id);
      if (!issue) {
        throw new TrackerError('not-found', `loading issue ${id}: not found: issue ${id} not found`, 404);
      }
      return { ...issue };
    });
  }

  issueEvents(id: number, cursor?: string, limit = 20, options?: ReadOptions): Promise<Page<StoredEvent>> {
    return this.answer('issueEvents', [id, cursor, limit], options, () =>
      pageOf(this.data.events?.[id], cursor, limit)
    );
  }

  issueFeedback(id: number, cursor?: string, limit = 20, options?: ReadOptions): Promise<Page<IssueFeedback>> {
    return this.answer('issueFeedback', [id, cursor, limit], options, () =>
      pageOf(this.data.feedback?.[id], cursor, limit)
    );
  }

  listFeedback(query: FeedbackQuery, options?: ReadOptions): Promise<Page<FeedbackEntry>> {
    return this.answer('listFeedback', [query], options, () => {
      const q = query.q?.toLowerCase();
      const found = (this.data.allFeedback ?? []).filter(
        (f) =>
          (!query.project || query.project.includes(f.projectId)) &&
          (!q || [f.message, f.name, f.email].some((text) => text.toLowerCase().includes(q)))
      );
      return pageOf(found, query.cursor, query.limit ?? 50);
    });
  }

  setStatus(id: number, status: IssueStatus): Promise<IssueDetail> {
    return this.answer('setStatus', [id, status], undefined, () => {
      const at = this.issues.findIndex((i) => i.id === id);
      if (at < 0) {
        throw new TrackerError('not-found', `setting issue ${id} to ${status}: not found`, 404);
      }
      const issue = { ...this.issues[at], status };
      this.issues[at] = issue;
      return { ...issue };
    });
  }

  setStatuses(ids: number[], status: IssueStatus): Promise<BulkStatusResult> {
    return this.answer('setStatuses', [ids, status], undefined, () => {
      const updated: number[] = [];
      this.issues = this.issues.map((issue) => {
        if (!ids.includes(issue.id)) {
          return issue;
        }
        updated.push(issue.id);
        return { ...issue, status };
      });
      return { updated, notFound: ids.filter((i) => !updated.includes(i)) };
    });
  }

  stats(query: StatsQuery = {}, options?: ReadOptions): Promise<Stats> {
    return this.answer('stats', [query], options, () => {
      if (this.data.stats) {
        return this.data.stats;
      }
      const issues = this.issues.filter((i) => !query.project || query.project.includes(i.projectId));
      const bySeverity: Record<string, number> = {};
      const byService: Record<string, number> = {};
      for (const i of issues) {
        bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + i.count;
        byService[i.service] = (byService[i.service] ?? 0) + i.count;
      }
      const trend = Array.from({ length: 24 }, (_, h) => issues.reduce((n, i) => n + (i.hourly[h] ?? 0), 0));
      return {
        bySeverity,
        byService,
        // As the tracker's: the unresolved issues only.
        topIssues: issues
          .filter((i) => i.status === 'open' || i.status === 'investigating')
          .sort((a, b) => b.count - a.count)
          .slice(0, 10)
          .map(summaryOf),
        lastHour: trend[23] ?? 0,
        lastDay: trend.reduce((a, b) => a + b, 0),
        openIssues: issues.filter((i) => i.status === 'open' || i.status === 'investigating').length,
        trend,
      };
    });
  }

  attachment(id: number, options?: ReadOptions): Promise<ArrayBuffer> {
    return this.answer('attachment', [id], options, () => bytesOf(this.data.attachments, 'attachment', id));
  }

  feedbackAttachment(id: number, options?: ReadOptions): Promise<ArrayBuffer> {
    return this.answer('feedbackAttachment', [id], options, () =>
      bytesOf(this.data.feedbackAttachments, 'feedback attachment', id)
    );
  }

  listSessions(query: SessionQuery, options?: ReadOptions): Promise<Page<SessionSummary>> {
    return this.answer('listSessions', [query], options, () => {
      // As the tracker: the sessions whose id contains q, case and all.
      const q = query.q;
      const items = (this.data.sessions ?? [])
        .filter(
          (s) =>
            (!q || s.id.includes(q)) &&
            (!query.project || s.projectIds.some((p) => query.project?.includes(p))) &&
            (!query.service || s.services.includes(query.service)) &&
            (query.minDurationMs === undefined || s.durationMs >= query.minDurationMs) &&
            (query.hasErrors === undefined || s.errors > 0 === query.hasErrors)
        )
        .map(sessionSummaryOf);
      // The cursor is the offset of the next page (the tracker's is opaque).
      const start = query.cursor ? Number(query.cursor) : 0;
      const end = start + (query.limit ?? 50);
      return { items: items.slice(start, end), nextCursor: end < items.length ? String(end) : null };
    });
  }

  /** A session by its id, or by a trace id of it, as the tracker answers a linked trace's id. */
  private session(id: string): SessionDetail | undefined {
    const sessions = this.data.sessions ?? [];
    return sessions.find((s) => s.id === id) ?? sessions.find((s) => s.traceIds.includes(id));
  }

  getSession(id: string, options?: ReadOptions): Promise<SessionDetail> {
    return this.answer('getSession', [id], options, () => {
      const session = this.session(id);
      if (!session) {
        throw new TrackerError('not-found', `loading debug session ${JSON.stringify(id)}: not found`, 404);
      }
      return session;
    });
  }

  exportSession(id: string, options?: ReadOptions): Promise<SessionExport> {
    return this.answer('exportSession', [id], options, () => {
      const session = this.session(id);
      if (!session) {
        throw new TrackerError('not-found', `exporting debug session ${JSON.stringify(id)}: not found`, 404);
      }
      return { exportedAt: '2026-11-22T12:00:00.000Z', session };
    });
  }
}
