// Reading issues back for the API: the filtered, cursor-paged list, one issue with its latest
// event, an issue's events and user feedback, all feedback, and the stats, each issue with its
// last 24 hours for sparklines.
import type Database from 'better-sqlite3';
import type { ErrorType, Severity } from '../grouping/classify';
import type { GroupedBy } from '../grouping/grouping';
import { unpackPayload } from './payload';
import type {
  AttachmentInfo,
  FeedbackEntry,
  FeedbackInfo,
  IssueDetail,
  IssueFilter,
  IssueStatus,
  IssueSummary,
  Page,
  Repository,
  Stats,
  StoredEvent,
} from './repository';
import { inOneSnapshot } from './snapshot';
import { HOUR, MINUTE } from './sqlite-schema';

interface IssueRow {
  id: number;
  project_id: number;
  title: string;
  culprit: string;
  status: IssueStatus;
  severity: Severity;
  type: ErrorType;
  service: string;
  environment: string;
  release: string;
  grouped_by: GroupedBy;
  components: string;
  first_seen: number;
  last_seen: number;
  count: number;
  users: number;
  regression: number;
  latest_event: number | null;
  /** Of a list asked for a time range only. */
  range_count?: number;
  resolved_in_release: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

interface EventRow {
  rowid: number;
  id: string;
  timestamp: number;
  received_at: number;
  level: string;
  release: string;
  environment: string;
  trace_id: string | null;
  correlation_id: string | null;
  payload: string | Buffer;
}

interface FeedbackRow {
  id: number;
  event_id: string;
  received_at: number;
  name: string;
  email: string;
  message: string;
  url: string | null;
}

/** A feedback row with what listFeedback adds: its project and the issue it is linked to. */
interface LinkedFeedbackRow extends FeedbackRow {
  project_id: number;
  issue_id: number | null;
  issue_title: string | null;
}

const feedbackInfo = (r: FeedbackRow, attachments?: readonly AttachmentInfo[]): FeedbackInfo => ({
  id: r.id,
  receivedAt: iso(r.received_at),
  name: r.name,
  email: r.email,
  message: r.message,
  ...(r.url !== null ? { url: r.url } : {}),
  attachments: attachments ?? [],
});

const SORT_COLUMN = {
  last_seen: 'last_seen',
  first_seen: 'first_seen',
  events: 'count',
  users: 'users',
} as const;

/**
 * A page cursor: where the last page ended (the sort value and the row id that breaks ties on
 * it), tagged with what it pages through — the sort of an issue list, or an issue's events — so
 * a cursor given to another sort is refused rather than silently skipping rows.
 */
function encodeCursor(tag: string, value: number, id: number): string {
  return Buffer.from(JSON.stringify([tag, value, id])).toString('base64url');
}

export class CursorError extends Error {}

function decodeCursor(cursor: string, tag: string): [number, number] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    /* refused below */
  }
  if (Array.isArray(v) && v.length === 3 && v.slice(1).every((n) => Number.isFinite(n))) {
    if (v[0] === tag) return [v[1] as number, v[2] as number];
    if (typeof v[0] === 'string')
      throw new CursorError(
        `cursor ${JSON.stringify(cursor)} is for ${v[0]}, not ${tag}: start again without it`,
      );
  }
  throw new CursorError(`invalid cursor ${JSON.stringify(cursor)}`);
}

/**
 * The longest LIKE pattern SQLite reads (SQLITE_MAX_LIKE_PATTERN_LENGTH, 50,000 bytes by default):
 * a longer one fails the query ("LIKE or GLOB pattern too complex").
 */
const MAX_LIKE_PATTERN_BYTES = 50_000;

/** A search text too long for SQLite to match: the caller's to shorten, not a failure inside. */
export class SearchError extends Error {}

/**
 * The most bytes of event JSON a page of an issue's events holds (GET /issues/{id}/events): a
 * page ends before the event that would take it past this, and its nextCursor reads on from
 * there; an event of more than this alone is a page of its own. Counted by `limit` alone, 100
 * events of ~900 KB were a 90 MB answer, which the main thread (the one receiving ingest) cloned
 * from the reader thread and wrote out: its event loop stalled 0.5 s, and ten such reads at once
 * took the process to ~800 MB.
 */
export const EVENTS_PAGE_BYTES = 2 * 1024 * 1024;

export type IssueReads = Pick<
  Repository,
  | 'listIssues'
  | 'getIssue'
  | 'issueEvents'
  | 'issueFeedback'
  | 'listFeedback'
  | 'attachment'
  | 'feedbackAttachment'
  | 'stats'
  | 'storedEventIds'
  | 'openIssueCounts'
>;

/** The open issues by project and severity, read from the issues_open_counts index alone. */
export const OPEN_ISSUE_COUNTS =
  "SELECT project_id AS projectId, severity, COUNT(*) AS count FROM issues WHERE status IN ('open', 'investigating') GROUP BY project_id, severity";

/** Has a character past ASCII, whose case SQLite's LIKE does not ignore. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Text lower-cased for a search past ASCII, with final sigma read as σ (CaseFolding.txt: 03C2 C
 * 03C3). toLowerCase writes Σ as ς at the end of a word (SpecialCasing.txt, Final_Sigma), so a
 * search ending inside a word (`ΕΙΣ`, lower-cased `εις`) missed the title it is part of
 * (`ΕΙΣΟΔΟΣ`, lower-cased `εισοδος`).
 */
const fold = (s: string) => s.toLowerCase().replace(/ς/g, 'σ');

/**
 * The SQL condition that one of `columns` contains `q`, ignoring case in every script, its
 * pattern bound as `@q` in `params`; throws a SearchError for a pattern SQLite cannot match.
 */
function containsAny(columns: readonly string[], q: string, params: Record<string, unknown>) {
  // Only then: a JavaScript call a row is slower than LIKE alone, and ASCII needs none.
  const unicode = NON_ASCII.test(q);
  const pattern = `%${(unicode ? fold(q) : q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (Buffer.byteLength(pattern) > MAX_LIKE_PATTERN_BYTES)
    throw new SearchError(
      `q is too long: ${q.length} characters, more than a search can match (${MAX_LIKE_PATTERN_BYTES} bytes of UTF-8, % _ and \\ counted twice): search for a part of it`,
    );
  params.q = pattern;
  const like = (c: string) => `${unicode ? `beacon_lower(${c})` : c} LIKE @q ESCAPE '\\'`;
  return `(${columns.map(like).join(' OR ')})`;
}

/**
 * The SQL condition that `column` is one of the project ids, bound in `params`. Unary `+` keeps
 * SQLite off the indexes that begin with project_id: a tracker holds a few projects, each much
 * of its rows, so reading the list's own order and checking each row fills a page soon, where
 * reading all of a project's rows to sort them would read them all for every page.
 */
function inProjects(column: string, ids: readonly number[], params: Record<string, unknown>) {
  if (ids.length === 0) return '0'; // any of none: nothing
  params.projects = JSON.stringify(ids);
  return `+${column} IN (SELECT value FROM json_each(@projects))`;
}

export function issueReads(db: Database.Database): IssueReads {
  // LIKE ignores the case of ASCII letters only; a search with others (`Ошибка`, `ÉCHEC`)
  // compares both sides lower-cased by JavaScript, which knows every script's case.
  db.function('beacon_lower', { deterministic: true }, (s: unknown) =>
    typeof s === 'string' ? fold(s) : s,
  );
  const hours = db.prepare('SELECT hour, count FROM issue_hours WHERE issue_id = ? AND hour >= ?');
  /** The attachments kept with these owners (event rows, or pieces of feedback), by owner. */
  const attachmentLists = (table: 'attachments' | 'feedback_attachments', owner: string) => {
    const select = db.prepare(
      `SELECT id, ${owner} AS owner, filename, content_type, type, size, data IS NULL AS filtered
       FROM ${table} WHERE ${owner} IN (SELECT value FROM json_each(?)) ORDER BY id`,
    );
    return (owners: readonly number[]): Map<number, AttachmentInfo[]> => {
      const byOwner = new Map<number, AttachmentInfo[]>();
      const rows = select.all(JSON.stringify(owners)) as {
        id: number;
        owner: number;
        filename: string;
        content_type: string;
        type: string;
        size: number;
        filtered: 0 | 1;
      }[];
      for (const r of rows) {
        const list = byOwner.get(r.owner) ?? [];
        list.push({
          id: r.id,
          filename: r.filename,
          contentType: r.content_type,
          type: r.type,
          size: r.size,
          filtered: r.filtered === 1,
        });
        byOwner.set(r.owner, list);
      }
      return byOwner;
    };
  };
  const attachmentsOf = attachmentLists('attachments', 'event');
  const feedbackAttachmentsOf = attachmentLists('feedback_attachments', 'feedback');

  const eventFeedback = db.prepare(
    `SELECT id, event_id, received_at, name, email, message, url FROM feedback
     WHERE project_id = ? AND event_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
  );

  /** An attachment's name and bytes (null where they were filtered), from either table. */
  const attachmentFile = (table: 'attachments' | 'feedback_attachments', id: number) => {
    const row = db.prepare(`SELECT filename, data FROM ${table} WHERE id = ?`).get(id) as
      { filename: string; data: Buffer | null } | undefined;
    return row && { filename: row.filename, data: row.data };
  };

  /** The feedback about these events of a project, by event id. */
  const feedbackOf = (projectId: number, ids: readonly string[]): Map<string, FeedbackInfo[]> => {
    const byEvent = new Map<string, FeedbackInfo[]>();
    const rows = eventFeedback.all(projectId, JSON.stringify(ids)) as FeedbackRow[];
    const attachments = feedbackAttachmentsOf(rows.map((r) => r.id));
    for (const r of rows) {
      const list = byEvent.get(r.event_id) ?? [];
      list.push(feedbackInfo(r, attachments.get(r.id)));
      byEvent.set(r.event_id, list);
    }
    return byEvent;
  };

  /**
   * A page of the feedback `where` selects (of `feedback AS f`), newest first: feedback_received
   * reads all of it in that order, feedback_by_issue an issue's. Each row has the title of the
   * issue it is linked to, and its attachments; `item` makes the page's items of them.
   */
  const feedbackPage = <T>(
    what: string,
    where: string,
    params: Record<string, unknown>,
    cursor: string | undefined,
    limit: number,
    item: (r: LinkedFeedbackRow, attachments: readonly AttachmentInfo[] | undefined) => T,
  ): Page<T> => {
    const bound: Record<string, unknown> = { ...params, limit: limit + 1 };
    let after = '';
    if (cursor) {
      [bound.r, bound.rowid] = decodeCursor(cursor, what);
      after = 'AND (f.received_at < @r OR (f.received_at = @r AND f.id < @rowid))';
    }
    const rows = db
      .prepare(
        `SELECT f.id, f.project_id, f.event_id, f.issue_id, f.received_at, f.name, f.email,
                f.message, f.url, issues.title AS issue_title
         FROM feedback AS f LEFT JOIN issues ON issues.id = f.issue_id
         WHERE ${where} ${after}
         ORDER BY f.received_at DESC, f.id DESC LIMIT @limit`,
      )
      .all(bound) as LinkedFeedbackRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const attachments = feedbackAttachmentsOf(page.map((r) => r.id));
    return {
      items: page.map((r) => item(r, attachments.get(r.id))),
      nextCursor:
        rows.length > limit && last ? encodeCursor(what, last.received_at, last.id) : null,
    };
  };

  const hourly = (issueId: number, now: number): number[] => {
    const current = Math.floor(now / HOUR);
    const out = new Array<number>(24).fill(0);
    for (const r of hours.all(issueId, current - 23) as { hour: number; count: number }[]) {
      const i = r.hour - (current - 23);
      if (i >= 0 && i < 24) out[i] = r.count;
    }
    return out;
  };

  const summary = (r: IssueRow, now: number): IssueSummary => ({
    id: r.id,
    projectId: r.project_id,
    title: r.title,
    culprit: r.culprit,
    status: r.status,
    severity: r.severity,
    type: r.type,
    service: r.service,
    count: r.count,
    users: r.users,
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
    groupedBy: r.grouped_by,
    hourly: hourly(r.id, now),
    ...(r.range_count !== undefined ? { rangeCount: r.range_count } : {}),
  });

  // Each read sees one snapshot (snapshot.ts): an issue's hourly counts summed above its count,
  // /stats' totals disagreed, when a commit came between their SELECTs.
  return inOneSnapshot<IssueReads>(db, {
    listIssues(f: IssueFilter, now: number): Page<IssueSummary> {
      // Asked for a time range, each issue's events in it are counted (issue_hours, by the
      // hours the range touches, as Sentry's issue stream counts an issue's events in its
      // period), and sorting by events sorts by them: an old issue's lifetime total put it above
      // one firing now.
      const ranged = f.seenAfter !== undefined || f.seenBefore !== undefined;
      const column = ranged && f.sort === 'events' ? 'range_count' : SORT_COLUMN[f.sort];
      const tag = column === 'range_count' ? 'sort=events in range' : `sort=${f.sort}`;
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: f.limit + 1 };
      if (f.project !== undefined) where.push(inProjects('project_id', f.project, params));
      for (const key of ['status', 'severity', 'type'] as const) {
        if (f[key] !== undefined) {
          where.push(`${key} = @${key}`);
          params[key] = f[key];
        }
      }
      // Any of the issue's events, not only its latest.
      for (const key of ['service', 'environment'] as const) {
        const values = f[key];
        if (values !== undefined) {
          const names = values.map((v, i) => {
            params[`${key}${i}`] = v;
            return `@${key}${i}`;
          });
          where.push(
            names.length === 0 // any of none: no issue
              ? '0'
              : `id IN (SELECT issue_id FROM issue_${key}s WHERE ${key} IN (${names.join(', ')}))`,
          );
        }
      }
      if (f.release !== undefined) {
        where.push('id IN (SELECT issue_id FROM issue_releases WHERE release = @release)');
        params.release = f.release;
      }
      if (f.q) where.push(containsAny(['title', 'culprit'], f.q, params));
      // Active in the range: last seen at or after its start, first seen at or before its end.
      // The start is a range of issues_last_seen (the index last_seen order reads anyway); the
      // end, `+` keeping SQLite off issues_first_seen for it, is checked on the rows that range
      // reads: a dashboard's range ends near now, where first_seen <= end holds for nearly all.
      if (f.seenAfter !== undefined) {
        where.push('last_seen >= @seenAfter');
        params.seenAfter = f.seenAfter;
      }
      if (f.seenBefore !== undefined) {
        where.push('+first_seen <= @seenBefore');
        params.seenBefore = f.seenBefore;
      }
      let cursorAt: string | undefined;
      if (f.cursor) {
        const [value, id] = decodeCursor(f.cursor, tag);
        cursorAt = `(${column} < @cv OR (${column} = @cv AND id < @cid))`;
        params.cv = value;
        params.cid = id;
      }
      const whereOf = (conditions: (string | undefined)[]) => {
        const all = conditions.filter((c) => c !== undefined);
        return all.length ? `WHERE ${all.join(' AND ')}` : '';
      };
      const order = `ORDER BY ${column} DESC, id DESC LIMIT @limit`;
      if (ranged) {
        params.fromHour = f.seenAfter === undefined ? 0 : Math.floor(f.seenAfter / HOUR);
        params.toHour =
          f.seenBefore === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(f.seenBefore / HOUR);
      }
      const rows = db
        .prepare(
          ranged
            ? `SELECT * FROM (SELECT *, (SELECT COALESCE(SUM(count), 0) FROM issue_hours
                 WHERE issue_id = issues.id AND hour BETWEEN @fromHour AND @toHour) AS range_count
               FROM issues ${whereOf(where)}) ${whereOf([cursorAt])} ${order}`
            : `SELECT * FROM issues ${whereOf([...where, cursorAt])} ${order}`,
        )
        .all(params) as IssueRow[];
      const more = rows.length > f.limit;
      const page = rows.slice(0, f.limit);
      const last = page[page.length - 1] as (IssueRow & Record<string, number>) | undefined;
      return {
        items: page.map((r) => summary(r, now)),
        nextCursor: more && last ? encodeCursor(tag, last[column] as number, last.id) : null,
      };
    },

    getIssue(id, now) {
      const r = db.prepare('SELECT * FROM issues WHERE id = ?').get(id) as IssueRow | undefined;
      if (!r) return undefined;
      // The newest event by its own time (issue-ingest.ts), else the last to arrive.
      const latest = (db
        .prepare('SELECT payload FROM events WHERE rowid = ? AND issue_id = ?')
        .get(r.latest_event, id) ??
        db
          .prepare(
            'SELECT payload FROM events WHERE issue_id = ? ORDER BY received_at DESC, rowid DESC LIMIT 1',
          )
          .get(id)) as { payload: string | Buffer } | undefined;
      const releases = (
        db
          .prepare('SELECT release FROM issue_releases WHERE issue_id = ? ORDER BY release')
          .all(id) as { release: string }[]
      ).map((x) => x.release);
      const detail: IssueDetail = {
        ...summary(r, now),
        environment: r.environment,
        release: r.release,
        releases,
        regression: r.regression === 1,
        ...(r.resolved_in_release ? { resolvedInRelease: r.resolved_in_release } : {}),
        grouping: { rule: r.grouped_by, components: JSON.parse(r.components) as string[] },
        ...(latest
          ? { latestEvent: JSON.parse(unpackPayload(latest.payload)) as Record<string, unknown> }
          : {}),
      };
      return detail;
    },

    issueEvents(id, cursor, limit) {
      const issue = db.prepare('SELECT project_id FROM issues WHERE id = ?').get(id) as
        { project_id: number } | undefined;
      if (!issue) return undefined;
      const params: Record<string, unknown> = { id, limit: limit + 1 };
      let extra = '';
      if (cursor) {
        const [received, rowid] = decodeCursor(cursor, `events of issue ${id}`);
        extra = 'AND (received_at < @r OR (received_at = @r AND rowid < @rowid))';
        params.r = received;
        params.rowid = rowid;
      }
      const rows = db
        .prepare(
          `SELECT rowid, * FROM events WHERE issue_id = @id ${extra} ORDER BY received_at DESC, rowid DESC LIMIT @limit`,
        )
        .iterate(params) as IterableIterator<EventRow>;
      // Up to `limit` events, and no more of their JSON than EVENTS_PAGE_BYTES, unless the first
      // alone is more: the row after the page, read to know there is one, is not inflated.
      const page: { row: EventRow; json: string }[] = [];
      let bytes = 0;
      let more = false;
      for (const row of rows) {
        if (page.length === limit) {
          more = true;
          break;
        }
        const json = unpackPayload(row.payload);
        bytes += Buffer.byteLength(json);
        if (page.length > 0 && bytes > EVENTS_PAGE_BYTES) {
          more = true;
          break;
        }
        page.push({ row, json });
      }
      const last = page[page.length - 1]?.row;
      const attachments = attachmentsOf(page.map((e) => e.row.rowid));
      const feedback = feedbackOf(
        issue.project_id,
        page.map((e) => e.row.id),
      );
      return {
        items: page.map(({ row: e, json }): StoredEvent => ({
          id: e.id,
          timestamp: iso(e.timestamp),
          receivedAt: iso(e.received_at),
          level: e.level,
          release: e.release,
          environment: e.environment,
          ...(e.trace_id ? { traceId: e.trace_id } : {}),
          ...(e.correlation_id ? { correlationId: e.correlation_id } : {}),
          event: JSON.parse(json) as Record<string, unknown>,
          attachments: attachments.get(e.rowid) ?? [],
          feedback: feedback.get(e.id) ?? [],
        })),
        nextCursor:
          more && last ? encodeCursor(`events of issue ${id}`, last.received_at, last.rowid) : null,
      };
    },

    issueFeedback(id, cursor, limit) {
      if (!db.prepare('SELECT 1 FROM issues WHERE id = ?').get(id)) return undefined;
      return feedbackPage(
        `feedback of issue ${id}`,
        'f.issue_id = @id',
        { id },
        cursor,
        limit,
        (r, attachments) => ({
          ...feedbackInfo(r, attachments),
          eventId: r.event_id,
        }),
      );
    },

    listFeedback({ project, q, cursor, limit }) {
      const params: Record<string, unknown> = {};
      const where: string[] = [];
      if (project !== undefined) where.push(inProjects('f.project_id', project, params));
      if (q) where.push(containsAny(['f.message', 'f.name', 'f.email'], q, params));
      // Any search pages the one order: a cursor goes on from its place in all of it.
      const entry = (r: LinkedFeedbackRow, attachments?: readonly AttachmentInfo[]) => ({
        ...feedbackInfo(r, attachments),
        projectId: r.project_id,
        ...(r.event_id ? { eventId: r.event_id } : {}),
        ...(r.issue_id !== null && r.issue_title !== null
          ? { issue: { id: r.issue_id, title: r.issue_title } }
          : {}),
      });
      const all = where.length > 0 ? where.join(' AND ') : '1';
      return feedbackPage<FeedbackEntry>('all feedback', all, params, cursor, limit, entry);
    },

    attachment: (id) => attachmentFile('attachments', id),
    feedbackAttachment: (id) => attachmentFile('feedback_attachments', id),

    stats(now, project): Stats {
      const current = Math.floor(now / HOUR);
      const since = current - 23;
      // The 24 hours up to `now`: a clock stepped back leaves later hours stored.
      const day: Record<string, unknown> = { since, current };
      // Of every project, or of those asked for: each table's project_id, or its issue's.
      const of = (column: string) =>
        project === undefined ? '' : ` AND ${inProjects(column, project, day)}`;
      // Each event under its own severity and service (service_hours), not its issue's.
      const countsBy = (column: 'severity' | 'service') => {
        const counts: Record<string, number> = {};
        for (const r of db
          .prepare(
            `SELECT ${column} AS k, SUM(count) AS n FROM service_hours WHERE hour BETWEEN @since AND @current${of('project_id')} GROUP BY ${column}`,
          )
          .all(day) as { k: string; n: number }[])
          counts[r.k] = r.n;
        return counts;
      };
      // The last 60 minutes and 24 hours to the minute, the one in progress included.
      const minute = Math.floor(now / MINUTE);
      const eventsInMinutes = (n: number) =>
        (
          db
            .prepare(
              `SELECT COALESCE(SUM(count), 0) AS n FROM event_minutes WHERE minute BETWEEN @first AND @minute${of('project_id')}`,
            )
            .get({ ...day, first: minute - n + 1, minute }) as { n: number }
        ).n;
      const bySeverity = countsBy('severity');
      const byService = countsBy('service');
      const trend = new Array<number>(24).fill(0);
      const hours =
        project === undefined
          ? 'issue_hours h'
          : 'issue_hours h JOIN issues i ON i.id = h.issue_id';
      for (const r of db
        .prepare(
          `SELECT h.hour, SUM(h.count) AS n FROM ${hours} WHERE h.hour BETWEEN @since AND @current${of('i.project_id')} GROUP BY h.hour`,
        )
        .all(day) as {
        hour: number;
        n: number;
      }[])
        trend[r.hour - since] = r.n;
      // The unresolved ones, as Sentry's default issue stream: an ignored issue that keeps firing
      // is what its team asked not to be shown.
      const top = db
        .prepare(
          `SELECT i.* FROM issues i JOIN (SELECT issue_id, SUM(count) AS n FROM issue_hours WHERE hour BETWEEN @since AND @current GROUP BY issue_id) h ON h.issue_id = i.id WHERE i.status IN ('open', 'investigating')${of('i.project_id')} ORDER BY h.n DESC, i.id DESC LIMIT 10`,
        )
        .all(day) as IssueRow[];
      return {
        bySeverity,
        byService,
        topIssues: top.map((r) => summary(r, now)),
        lastHour: eventsInMinutes(60),
        lastDay: eventsInMinutes(24 * 60),
        openIssues: (
          db
            .prepare(
              `SELECT COUNT(*) AS n FROM issues WHERE status IN ('open', 'investigating')${of('project_id')}`,
            )
            .get(day) as { n: number }
        ).n,
        trend,
      };
    },

    storedEventIds(eventIds) {
      const wanted = new Set(eventIds);
      const found = new Set<string>();
      for (const id of db
        .prepare('SELECT id FROM events')
        .pluck()
        .iterate() as IterableIterator<string>)
        if (wanted.has(id)) found.add(id);
      return found;
    },
    openIssueCounts: () =>
      (
        db.prepare(OPEN_ISSUE_COUNTS).all() as {
          projectId: number;
          severity: Severity;
          count: number;
        }[]
      ).map((r) => ({ ...r })),
  });
}
