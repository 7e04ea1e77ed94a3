import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { recordingConnection } from '../testing/query-plans';
import { withTempStore } from '../testing/temp-store';
import { issueReads } from './issue-reads';
import type { IssueFilter, Repository } from './repository';
import { openSqlite } from './sqlite';

/** The filters of a listing, without its order and page size. */
type Filters = Omit<IssueFilter, 'sort' | 'limit'>;

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });
const event = (n: number, projectId: number, receivedAt: number) =>
  readEvent(
    { event_id: n.toString(16).padStart(32, '0'), message: 'retained?' },
    projectId,
    scrub,
    receivedAt,
  );

it('deletes each project’s events past its own retention, a batch at a time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-retention-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    repo.ingest([
      event(1, 1, NOW - 10 * DAY),
      event(2, 1, NOW - 10 * DAY),
      event(3, 1, NOW - 1 * DAY),
      event(4, 2, NOW - 10 * DAY),
    ]);
    // Project 1 keeps 7 days: two events go, in batches of one; project 2's stays.
    expect(repo.deleteEventsBefore(NOW - 7 * DAY, 1, 1)).toBe(1);
    expect(repo.deleteEventsBefore(NOW - 7 * DAY, 1, 1)).toBe(1);
    expect(repo.deleteEventsBefore(NOW - 7 * DAY, 1, 1)).toBe(0);
    const ids = [1, 2, 3, 4].map((n) => n.toString(16).padStart(32, '0'));
    expect(repo.storedEventIds(ids)).toEqual(new Set(ids.slice(2)));
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The events table as trackers before this one made it, keyed by the event's id, its rows keeping
 * their row ids; `last` are the columns it ends with.
 */
function keyEventIds(db: Database.Database, last: string[]) {
  const columns = `id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, ${last.join(', ')}`;
  db.exec(`CREATE TABLE events_keyed (
      id TEXT PRIMARY KEY, issue_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
      timestamp INTEGER NOT NULL, received_at INTEGER NOT NULL, level TEXT NOT NULL,
      severity TEXT NOT NULL, service TEXT NOT NULL, environment TEXT NOT NULL, release TEXT NOT NULL,
      ${last.map((c) => `${c} ${c === 'payload' ? 'TEXT NOT NULL' : c === 'session_sid' ? 'INTEGER' : 'TEXT'}`).join(', ')});
    INSERT INTO events_keyed (rowid, ${columns}) SELECT rowid, ${columns} FROM events;
    DROP TABLE events;
    ALTER TABLE events_keyed RENAME TO events;
    CREATE INDEX events_issue ON events (issue_id, received_at DESC, id);
    CREATE INDEX events_received ON events (received_at);`);
}

/** SQLite's plan for `sql` on a new database of this schema, its steps joined by `; `. */
function queryPlan(sql: string, ...params: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-plan-'));
  const file = join(dir, 'tracker.db');
  openSqlite(file).close();
  const raw = new Database(file, { readonly: true });
  try {
    const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return plan.map((p) => p.detail).join('; ');
  } finally {
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const issueCounts = (repo: ReturnType<typeof openSqlite>) =>
  repo
    .listIssues({ sort: 'last_seen', limit: 10 }, NOW)
    .items.map((i) => i.count)
    .sort();

it('stores an event sent again within the hour once, after a restart too; another project’s is its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-dedupe-'));
  const file = join(dir, 'tracker.db');
  try {
    const repo = openSqlite(file);
    // Each answer names the events it did not store, by their place in the batch.
    expect(repo.ingest([event(1, 1, NOW), event(2, 1, NOW), event(1, 1, NOW)]).duplicates).toEqual([
      2,
    ]);
    expect(repo.ingest([event(2, 1, NOW + 1000)]).duplicates).toEqual([0]);
    expect(issueCounts(repo)).toEqual([2]);
    repo.close();

    const restarted = openSqlite(file);
    expect(restarted.ingest([event(1, 1, NOW + 2000), event(1, 2, NOW + 2000)]).duplicates).toEqual(
      [0],
    );
    // Project 2's event of the same id is an issue of its own.
    expect(issueCounts(restarted)).toEqual([1, 2]);
    // An hour on, the id is no longer remembered (as in Sentry's ingest): it is stored again.
    expect(restarted.ingest([event(1, 1, NOW + 3_600_000 + 1)])).not.toHaveProperty('duplicates');
    expect(issueCounts(restarted)).toEqual([1, 3]);
    restarted.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('still stores an event sent again 59 minutes on once: the window is the hour', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-dedupe-hour-'));
  try {
    const repo = openSqlite(join(dir, 'tracker.db'));
    repo.ingest([event(1, 1, NOW)]);
    repo.ingest([event(1, 1, NOW + 59 * 60_000)]);
    expect(issueCounts(repo)).toEqual([1]);
    repo.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('upgrades a database whose events were keyed by id, keeping rows, sessions and retention', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-unkey-'));
  const file = join(dir, 'tracker.db');
  const withSession = (n: number, receivedAt: number) =>
    readEvent(
      {
        event_id: n.toString(16).padStart(32, '0'),
        message: 'keyed',
        tags: { correlation_id: 'req-keyed' },
      },
      1,
      scrub,
      receivedAt,
    );
  try {
    const repo = openSqlite(file);
    repo.ingest([withSession(1, NOW - 10 * DAY), withSession(2, NOW), withSession(3, NOW)]);
    repo.indexSessions();
    repo.close();
    const old = new Database(file);
    const rows = old.prepare('SELECT rowid, id FROM events ORDER BY rowid').all();
    keyEventIds(old, ['trace_id', 'correlation_id', 'payload', 'session_key', 'session_sid']);
    old.exec(`CREATE TRIGGER event_sessions_gone AFTER DELETE ON events
      BEGIN DELETE FROM event_sessions WHERE event = old.rowid; END;`);
    old.close();

    const upgraded = openSqlite(file);
    upgraded.ingest([withSession(2, NOW + 1)]); // sent again: still known after the upgrade
    expect(upgraded.getSession('req-keyed')?.errors).toBe(3);
    expect(upgraded.deleteEventsBefore(NOW - 7 * DAY, 10)).toBe(1);
    upgraded.close();

    const raw = new Database(file);
    const indexes = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
      .pluck()
      .all();
    expect(indexes.sort()).toEqual(['events_by_issue', 'events_received']);
    expect(raw.prepare('SELECT rowid, id FROM events ORDER BY rowid').all()).toEqual(rows.slice(1));
    // The trigger came back with the table: the deleted event's join went with it.
    expect(raw.prepare('SELECT event FROM event_sessions ORDER BY event').pluck().all()).toEqual(
      rows.slice(1).map((r) => (r as { rowid: number }).rowid),
    );
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('upgrades a database from before the session key column, keeping its events in sessions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-migrate-'));
  const file = join(dir, 'tracker.db');
  try {
    const repo = openSqlite(file);
    repo.ingest([
      readEvent(
        {
          event_id: 'e'.repeat(32),
          message: 'before the upgrade',
          tags: { correlation_id: 'req-old' },
          contexts: { trace: { trace_id: 'f'.repeat(32) } },
        },
        1,
        scrub,
        NOW,
      ),
    ]);
    repo.close();
    // The shape of that older database: no session_key, an index per id column.
    const old = new Database(file);
    old.exec(`DROP TABLE sessions; DROP TRIGGER event_sessions_gone; DROP TABLE event_sessions; DROP TABLE indexed;
      ALTER TABLE events DROP COLUMN session_sid;
      ALTER TABLE events DROP COLUMN session_key;`);
    keyEventIds(old, ['trace_id', 'correlation_id', 'payload']);
    old.exec('CREATE INDEX events_trace ON events (trace_id);');
    old.close();

    const upgraded = openSqlite(file);
    expect(upgraded.getSession('req-old')?.errors).toBe(1);
    upgraded.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('stores payloads deflated and still reads the JSON text of rows from before', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-payload-'));
  const file = join(dir, 'tracker.db');
  try {
    const repo = openSqlite(file);
    repo.ingest([event(1, 1, NOW), event(2, 1, NOW + 1)]);
    repo.close();
    const raw = new Database(file);
    const kinds = raw.prepare('SELECT typeof(payload) AS kind FROM events').pluck().all();
    expect(kinds).toEqual(['blob', 'blob']);
    // The older of the two rows as an older tracker wrote it: the JSON text itself.
    const old = '{"event_id":"00000000000000000000000000000001","message":"written as text"}';
    raw.prepare('UPDATE events SET payload = ? WHERE id = ?').run(old, '0'.repeat(31) + '1');
    raw.close();

    const reopened = openSqlite(file);
    const issueId = reopened.listIssues({ sort: 'last_seen', limit: 10 }, NOW).items[0]
      ?.id as number;
    const events = reopened.issueEvents(issueId, undefined, 10)?.items ?? [];
    expect(events.map((e) => e.event.message)).toEqual(['retained?', 'written as text']);
    expect(reopened.getIssue(issueId, NOW)?.latestEvent?.message).toBe('retained?');
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('page cursors', () => {
  let dir: string;
  let repo: ReturnType<typeof openSqlite>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-cursor-'));
    repo = openSqlite(join(dir, 'tracker.db'));
    // Five issues that tie on every sort key (one event each, same time, no users), and five
    // events of one more issue received in the same millisecond.
    repo.ingest(
      [1, 2, 3, 4, 5].map((n) =>
        readEvent(
          { event_id: n.toString(16).padStart(32, '0'), message: `tie ${'x'.repeat(n)}` },
          1,
          scrub,
          NOW,
        ),
      ),
    );
    repo.ingest(
      [11, 12, 13, 14, 15].map((n) =>
        readEvent(
          { event_id: n.toString(16).padStart(32, '0'), message: 'same issue' },
          1,
          scrub,
          NOW,
        ),
      ),
    );
  });
  afterEach(() => {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['last_seen', 'first_seen', 'events', 'users'] as const)(
    'pages through issues that tie on %s, each exactly once',
    (sort) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = repo.listIssues(
          { sort, limit: 2, q: 'tie', ...(cursor ? { cursor } : {}) },
          NOW,
        );
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([5, 4, 3, 2, 1]); // ties broken by id, newest first
    },
  );

  it('refuses a cursor made for another sort, naming both', () => {
    const { nextCursor } = repo.listIssues({ sort: 'events', limit: 2 }, NOW);
    expect(() =>
      repo.listIssues({ sort: 'last_seen', limit: 2, cursor: nextCursor as string }, NOW),
    ).toThrow(/is for sort=events, not sort=last_seen/);
  });

  it('pages through events received in the same millisecond, each exactly once', () => {
    const [issue] = repo.listIssues({ sort: 'events', limit: 1 }, NOW).items;
    expect(issue?.count).toBe(5);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = repo.issueEvents(issue?.id as number, cursor, 2);
      seen.push(...(page?.items ?? []).map((e) => e.id));
      cursor = page?.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([15, 14, 13, 12, 11].map((n) => n.toString(16).padStart(32, '0')));
  });
});

it('finds issues by text ignoring the case of every script, not only of ASCII letters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-filters-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    const ev = (n: number, message: string) =>
      readEvent({ event_id: n.toString(16).padStart(32, '0'), message }, 1, scrub, NOW + n);
    repo.ingest([
      ev(1, 'Ошибка соединения с базой'),
      ev(2, 'ÉCHEC du paiement'),
      ev(3, 'Zahlung über 100% Limit'),
      ev(4, 'Άκυρη ΕΙΣΟΔΟΣ'),
    ]);
    const ids = (q: string) =>
      repo.listIssues({ sort: 'first_seen', limit: 10, q }, NOW + 10).items.map((i) => i.id);
    expect(ids('ошибка')).toEqual([1]);
    expect(ids('ОШИБКА СОЕДИНЕНИЯ')).toEqual([1]);
    expect(ids('échec')).toEqual([2]);
    expect(ids('Échec DU')).toEqual([2]);
    expect(ids('ÜBER')).toEqual([3]);
    expect(ids('είσοδος')).toEqual([]); // an accent is not a case: ί is not ι
    expect(ids('εισοδος')).toEqual([4]);
    // LIKE's wildcards stay literal when the search has letters past ASCII.
    expect(ids('über 100% l')).toEqual([3]);
    expect(ids('über 1_0%')).toEqual([]);
    expect(ids('ü%l')).toEqual([]);
    // ASCII searches as before: LIKE alone.
    expect(ids('zahlung')).toEqual([3]);
    expect(ids('PAIEMENT')).toEqual([2]);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('filters issues by status, severity, type, service, environment, release and text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-filters-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    const ev = (n: number, body: Record<string, unknown>) =>
      readEvent({ event_id: n.toString(16).padStart(32, '0'), ...body }, 1, scrub, NOW);
    repo.ingest([
      ev(1, {
        message: 'checkout failed',
        level: 'fatal',
        environment: 'production',
        release: 'web@1',
        tags: { service: 'web' },
      }),
      ev(2, {
        exception: { values: [{ type: 'QueryFailedError', value: 'deadlock detected' }] },
        environment: 'staging',
        release: 'web@2',
        tags: { service: 'api' },
      }),
      ev(3, {
        message: 'slow response',
        level: 'warning',
        environment: 'production',
        release: 'web@2',
        tags: { service: 'web' },
      }),
    ]);
    repo.setStatus([2], 'resolved', NOW);
    const ids = (f: Filters) =>
      repo.listIssues({ sort: 'last_seen', limit: 10, ...f }, NOW).items.map((i) => i.id);
    expect(ids({ severity: 'critical' })).toEqual([1]);
    expect(ids({ severity: 'warning' })).toEqual([3]);
    expect(ids({ type: 'database' })).toEqual([2]);
    expect(ids({ environment: ['staging'] })).toEqual([2]);
    expect(ids({ environment: ['production'] })).toEqual([3, 1]);
    expect(ids({ release: 'web@2' })).toEqual([3, 2]);
    expect(ids({ service: ['web'] })).toEqual([3, 1]);
    expect(ids({ q: 'deadlock' })).toEqual([2]);
    expect(ids({ q: '100%' })).toEqual([]); // LIKE wildcards are matched literally
    expect(ids({ status: 'open' })).toEqual([3, 1]);
    expect(ids({ status: 'resolved' })).toEqual([2]);
    expect(ids({ environment: ['production'], severity: 'warning' })).toEqual([3]);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('filters issues to any of the projects named, reading the sort order rather than sorting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-projects-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    // Issue n is project p's, seen at NOW + n: the newest first is the highest n.
    const ev = (n: number, project: number, message: string) =>
      readEvent({ event_id: n.toString(16).padStart(32, '0'), message }, project, scrub, NOW + n);
    repo.ingest([
      ev(1, 1, 'checkout failed'),
      ev(2, 2, 'checkout failed'), // the same message in another project is its own issue
      ev(3, 3, 'cart empty'),
      ev(4, 1, 'cart empty'),
      ev(5, 2, 'slow search'),
    ]);
    const listed = (f: Filters, limit = 10, cursor?: string) =>
      repo.listIssues({ sort: 'last_seen', limit, ...f, ...(cursor ? { cursor } : {}) }, NOW + 9);
    const ids = (f: Filters) => listed(f).items.map((i) => [i.id, i.projectId]);
    expect(ids({ project: [2] })).toEqual([
      [5, 2],
      [2, 2],
    ]);
    expect(ids({ project: [3, 1] })).toEqual([
      [4, 1],
      [3, 3],
      [1, 1],
    ]);
    expect(ids({ project: [1], q: 'checkout' })).toEqual([[1, 1]]);
    expect(ids({ project: [9] })).toEqual([]);
    expect(ids({ project: [] })).toEqual([]);
    // A cursor goes on within the filter.
    const first = listed({ project: [1, 2] }, 2);
    expect(first.items.map((i) => i.id)).toEqual([5, 4]);
    expect(listed({ project: [1, 2] }, 2, first.nextCursor!).items.map((i) => i.id)).toEqual([
      2, 1,
    ]);
    const raw = recordingConnection(join(dir, 'tracker.db'));
    try {
      issueReads(raw.db).listIssues({ project: [1], sort: 'last_seen', limit: 10 }, NOW);
      const [sql] = raw.take().filter((s) => /FROM issues/.test(s));
      const plan = raw.plan(sql!);
      expect(plan).toContain('SCAN issues USING INDEX issues_last_seen');
      expect(plan).not.toContain('TEMP B-TREE');
    } finally {
      raw.db.close();
    }
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('issues active in a time range (seenAfter, seenBefore)', () => {
  const HOUR = 3_600_000;
  const T = NOW - 10 * HOUR;
  const at = (h: number) => T + h * HOUR;
  // Issue n is seen at these hours after T: first and last seen are its first and last.
  const SEEN: Record<number, number[]> = {
    1: [0, 1],
    2: [2, 3],
    3: [4, 6, 8],
    4: [5],
    5: [6, 9],
    6: [9],
  };
  let dir: string;
  let repo: ReturnType<typeof openSqlite>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-seen-'));
    repo = openSqlite(join(dir, 'tracker.db'));
    let n = 0x7000;
    // An issue a call, so that issue n is the nth.
    for (const [issue, hours] of Object.entries(SEEN))
      repo.ingest(
        hours.map((h) =>
          readEvent(
            {
              event_id: (n++).toString(16).padStart(32, '0'),
              message: `seen ${'x'.repeat(+issue)}`,
            },
            1,
            scrub,
            at(h),
          ),
        ),
      );
  });
  afterEach(() => {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ids = (f: { seenAfter?: number; seenBefore?: number }, sort = 'last_seen' as const) =>
    repo.listIssues({ sort, limit: 10, ...f }, NOW).items.map((i) => i.id);

  it('keeps the issues last seen at or after seenAfter and first seen at or before seenBefore', () => {
    expect(repo.listIssues({ sort: 'last_seen', limit: 10 }, NOW).items).toHaveLength(6);
    // 2 was last seen at 3 and 4 first seen at 5: the bounds are in; 1 ends before, 5 starts after.
    expect(ids({ seenAfter: at(3), seenBefore: at(5) })).toEqual([3, 4, 2]);
    expect(ids({ seenAfter: at(3) + 1, seenBefore: at(5) })).toEqual([3, 4]);
    expect(ids({ seenAfter: at(3), seenBefore: at(5) - 1 })).toEqual([3, 2]);
    expect(ids({ seenAfter: at(5) })).toEqual([6, 5, 3, 4]); // 5 and 6 tie at 9: by id
    expect(ids({ seenBefore: at(2) })).toEqual([2, 1]);
    expect(ids({ seenAfter: at(10) })).toEqual([]);
    expect(ids({ seenAfter: at(0), seenBefore: at(0) })).toEqual([1]);
  });

  it.each([
    ['last_seen', [3, 4, 2]],
    ['first_seen', [4, 3, 2]],
    ['events', [4, 3, 2]], // one event each in the range's hours (3 to 5): by id
    ['users', [4, 3, 2]], // no users: by id
  ] as const)('pages by %s through the issues of the range only, each once', (sort, expected) => {
    for (const limit of [1, 2]) {
      const pages: number[][] = [];
      let cursor: string | undefined;
      do {
        const page = repo.listIssues(
          { sort, limit, seenAfter: at(3), seenBefore: at(5), ...(cursor ? { cursor } : {}) },
          NOW,
        );
        pages.push(page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect([limit, pages]).toEqual([
        limit,
        limit === 1 ? expected.map((id) => [id]) : [expected.slice(0, 2), expected.slice(2)],
      ]);
    }
  });

  it('counts each issue’s events in the hours the range touches, and sorts by them', () => {
    // Issue 7: 20 events at hour 1, one at hour 7. Issue 8: three at hour 7, one at hour 8.
    let n = 0x7100;
    const send = (issue: number, ...hours: number[]) =>
      repo.ingest(
        hours.map((h) =>
          readEvent(
            {
              event_id: (n++).toString(16).padStart(32, '0'),
              message: `seen ${'x'.repeat(issue)}`,
            },
            1,
            scrub,
            at(h) + 45 * 60_000, // at a quarter to the next hour
          ),
        ),
      );
    send(7, ...new Array<number>(20).fill(1), 7);
    send(8, 7, 7, 7, 8);
    const page = (f: { seenAfter?: number; seenBefore?: number; sort?: 'events' | 'last_seen' }) =>
      repo
        .listIssues({ sort: 'events', limit: 10, ...f }, NOW)
        .items.map((i) => [i.id, i.count, i.rangeCount]);
    // 7:30 to 8:30 touches hours 7 and 8: 8 has 4 there, 7 has 1 (of its 21); 3 (seen at 8:00)
    // and 5 (at 6:00 and 9:00) are active in the range, with 1 and 0 events in its hours.
    expect(page({ seenAfter: at(7) + HOUR / 2, seenBefore: at(8) + HOUR / 2 })).toEqual([
      [8, 4, 4],
      [7, 21, 1],
      [3, 3, 1],
      [5, 2, 0],
    ]);
    // Without a range: the lifetime totals, and no rangeCount.
    expect(page({}).slice(0, 2)).toEqual([
      [7, 21, undefined],
      [8, 4, undefined],
    ]);
    // Another sort with a range: in its order, each with its count in the range.
    expect(page({ seenAfter: at(8), sort: 'last_seen' })).toEqual([
      [6, 1, 1],
      [5, 2, 1],
      [8, 4, 1],
      [3, 3, 1],
    ]);
  });
});

describe('filters by service and environment', () => {
  // One issue (same type and value) seen in two services and two environments, then a second.
  const sent = (n: number, service: string, environment: string) =>
    readEvent(
      {
        event_id: (0x6000 + n).toString(16).padStart(32, '0'),
        environment,
        tags: { service },
        exception: { values: [{ type: n < 10 ? 'PaymentError' : 'TimeoutError', value: 'x' }] },
      },
      1,
      scrub,
      NOW + n,
    );
  const feed = (repo: ReturnType<typeof openSqlite>) => {
    repo.ingest([sent(1, 'checkout', 'production'), sent(2, 'billing', 'staging')]);
    repo.ingest([sent(3, 'billing', 'staging'), sent(11, 'search', 'production')]);
  };
  const ids = (repo: ReturnType<typeof openSqlite>, f: Filters) =>
    repo.listIssues({ sort: 'first_seen', limit: 10, ...f }, NOW).items.map((i) => i.id);

  it('finds an issue under every service and environment its events came from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-filters-'));
    const repo = openSqlite(join(dir, 'tracker.db'));
    try {
      feed(repo);
      // Issue 1's latest event is billing's, in staging; its first was checkout's, in production.
      expect(repo.getIssue(1, NOW)).toMatchObject({ service: 'billing' });
      expect(ids(repo, { service: ['checkout'] })).toEqual([1]);
      expect(ids(repo, { service: ['billing'] })).toEqual([1]);
      expect(ids(repo, { service: ['search'] })).toEqual([2]);
      expect(ids(repo, { environment: ['production'] })).toEqual([2, 1]);
      expect(ids(repo, { environment: ['staging'] })).toEqual([1]);
      expect(ids(repo, { environment: ['development'] })).toEqual([]);
      // Several values: an issue with an event from any of them, each issue once.
      expect(ids(repo, { service: ['checkout', 'search'] })).toEqual([2, 1]);
      expect(ids(repo, { service: ['checkout', 'billing'] })).toEqual([1]);
      expect(ids(repo, { service: ['nowhere', 'search'] })).toEqual([2]);
      expect(ids(repo, { environment: ['staging', 'development'] })).toEqual([1]);
      expect(ids(repo, { service: ['billing', 'search'], environment: ['staging'] })).toEqual([1]);
      expect(ids(repo, { service: [] })).toEqual([]);
    } finally {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('looks the issues of a service, environment or release up by key, not by reading every row', () => {
    for (const [table, column] of [
      ['issue_services', 'service'],
      ['issue_environments', 'environment'],
      ['issue_releases', 'release'],
    ]) {
      expect(queryPlan(`SELECT issue_id FROM ${table} WHERE ${column} = ?`, 'x')).toMatch(
        new RegExp(`^SEARCH ${table} USING`),
      );
    }
    // Several services or environments (a dashboard's multi-value variable): by key too.
    for (const table of ['issue_services', 'issue_environments']) {
      const column = table === 'issue_services' ? 'service' : 'environment';
      expect(
        queryPlan(`SELECT issue_id FROM ${table} WHERE ${column} IN (?, ?, ?)`, 'x', 'y', 'z'),
      ).toMatch(new RegExp(`^SEARCH ${table} USING`));
    }
  });

  it('fills them from the events kept when it opens a database from before them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-filters-'));
    const file = join(dir, 'tracker.db');
    const first = openSqlite(file);
    feed(first);
    first.close();
    const raw = new Database(file);
    raw.exec('DROP TABLE issue_services; DROP TABLE issue_environments');
    raw.close();
    const again = openSqlite(file);
    try {
      expect(ids(again, { service: ['checkout'] })).toEqual([1]);
      expect(ids(again, { environment: ['production'] })).toEqual([2, 1]);
    } finally {
      again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stats by service and severity', () => {
  const HOUR = 3_600_000;
  const sent = (n: number, service: string, level: string, receivedAt: number) =>
    readEvent(
      {
        event_id: (0x5000 + n).toString(16).padStart(32, '0'),
        level,
        tags: { service },
        exception: { values: [{ type: 'PaymentError', value: 'card declined' }] },
      },
      1,
      scrub,
      receivedAt,
    );

  it('counts each event under its own service and severity, not its issue’s latest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-stats-'));
    const repo = openSqlite(join(dir, 'tracker.db'));
    try {
      // One issue (same type and value), fed by two services at two levels.
      repo.ingest([
        sent(1, 'svc-a', 'error', NOW - 2 * HOUR),
        sent(2, 'svc-a', 'error', NOW - HOUR),
        sent(3, 'svc-a', 'warning', NOW - HOUR),
        sent(4, 'svc-d', 'error', NOW),
        sent(5, 'svc-a', 'error', NOW - 30 * HOUR), // outside the day
      ]);
      const stats = repo.stats(NOW);
      expect(stats.byService).toEqual({ 'svc-a': 3, 'svc-d': 1 });
      expect(stats.bySeverity).toEqual({ error: 3, warning: 1 });
      expect(stats.lastDay).toBe(4);
    } finally {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fills the counts from the last day’s events when it opens a database from before them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-stats-'));
    const file = join(dir, 'tracker.db');
    const first = openSqlite(file);
    first.ingest([sent(11, 'svc-b', 'error', Date.now()), sent(12, 'svc-c', 'error', Date.now())]);
    first.close();
    // A database as trackers before service_hours left it.
    const raw = new Database(file);
    raw.exec('DROP TABLE service_hours');
    raw.close();
    const again = openSqlite(file);
    try {
      expect(again.stats(Date.now()).byService).toEqual({ 'svc-b': 1, 'svc-c': 1 });
    } finally {
      again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the last hour and the last day', () => {
  const MINUTE = 60_000;
  /** Event n, sent at `sentAt` and dated `minutesBefore` earlier. */
  const dated = (n: number, sentAt: number, minutesBefore: number) =>
    readEvent(
      {
        event_id: (0x7000 + n).toString(16).padStart(32, '0'),
        timestamp: (sentAt - minutesBefore * MINUTE) / 1000,
        tags: { service: 'checkout' },
        exception: { values: [{ type: 'TimeoutError', value: 'upstream timed out' }] },
      },
      1,
      scrub,
      sentAt,
    );

  it('counts the last 60 minutes and 24 hours to the minute, not the clock hours', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-window-'));
    const file = join(dir, 'tracker.db');
    const repo = openSqlite(file);
    // At 12:33: the hour in progress began 33 minutes ago, the day's first clock hour 23 h 33 min ago.
    const now = NOW + 33 * MINUTE;
    try {
      repo.ingest([
        dated(1, now, 10), // 12:23, this clock hour
        dated(2, now, 40), // 11:53, the clock hour before, within 60 minutes
        dated(3, now, 61), // 11:32, over an hour ago
        dated(4, now, 23 * 60 + 50), // yesterday 12:43, within 24 hours, before the first clock hour of the stats
        dated(5, now, 24 * 60 + 10), // yesterday 12:23, over 24 hours ago
      ]);
      const stats = repo.stats(now);
      expect([stats.lastHour, stats.lastDay]).toEqual([2, 4]);
      // The same store read two hours on: only what is within the windows then.
      expect([
        repo.stats(now + 120 * MINUTE).lastHour,
        repo.stats(now + 120 * MINUTE).lastDay,
      ]).toEqual([0, 3]);
    } finally {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fills the minute counts from the last day’s events when it opens a database from before them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-window-'));
    const file = join(dir, 'tracker.db');
    // The fill reads the real clock's last day, so these events are sent now.
    const now = Date.now();
    const first = openSqlite(file);
    first.ingest([dated(11, now, 10), dated(12, now, 40), dated(13, now, 61)]);
    first.close();
    const raw = new Database(file);
    raw.exec('DROP TABLE event_minutes');
    raw.close();
    const again = openSqlite(file);
    try {
      const stats = again.stats(now);
      expect([stats.lastHour, stats.lastDay]).toEqual([2, 3]);
    } finally {
      again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hourly counts', () => {
  const HOUR = 3_600_000;
  /** Event n of one issue, sent at `sentAt` and dated `hoursBefore` earlier. */
  const late = (n: number, sentAt: number, hoursBefore: number) =>
    readEvent(
      {
        event_id: (0x6000 + n).toString(16).padStart(32, '0'),
        timestamp: (sentAt - hoursBefore * HOUR) / 1000,
        tags: { service: 'mobile' },
        exception: { values: [{ type: 'SyncError', value: 'queue replayed' }] },
      },
      1,
      scrub,
      sentAt,
    );

  it('counts an event in the hour it happened, as first and last seen do, not the hour it came', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-hours-'));
    const repo = openSqlite(join(dir, 'tracker.db'));
    try {
      // An SDK's offline queue, sent now: one event from 3 hours ago, one from 30 hours ago.
      repo.ingest([late(1, NOW, 0), late(2, NOW, 3), late(3, NOW, 30)]);
      const issue = repo.getIssue(1, NOW);
      const hourly = new Array<number>(24).fill(0);
      hourly[23] = 1;
      hourly[20] = 1;
      expect(issue?.hourly).toEqual(hourly);
      expect(issue?.count).toBe(3);
      expect(issue?.firstSeen).toBe(new Date(NOW - 30 * HOUR).toISOString());
      const stats = repo.stats(NOW);
      expect(stats.trend).toEqual(hourly);
      expect([stats.lastHour, stats.lastDay]).toEqual([1, 2]);
      expect(stats.byService).toEqual({ mobile: 2 });
    } finally {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts an event dated into the next hour, seconds ahead of its arrival, in the hour it came', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-hours-'));
    const repo = openSqlite(join(dir, 'tracker.db'));
    try {
      // Sent at hh:59:50 by a clock 30 s fast: dated in the next hour, which has not begun.
      const sentAt = NOW + HOUR - 10_000;
      repo.ingest([late(21, sentAt, -30_000 / HOUR)]);
      const hourly = new Array<number>(24).fill(0);
      hourly[23] = 1;
      expect(repo.getIssue(1, sentAt)?.hourly).toEqual(hourly);
      const stats = repo.stats(sentAt);
      expect(stats.trend).toEqual(hourly);
      expect([stats.lastHour, stats.lastDay]).toEqual([1, 1]);
      // Asked by a clock stepped back an hour: still the 24 hours up to its now.
      const earlier = repo.stats(sentAt - HOUR);
      expect(earlier.trend).toEqual(new Array<number>(24).fill(0));
      expect([earlier.byService, earlier.topIssues, earlier.lastDay]).toEqual([{}, [], 0]);
    } finally {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops the hours no sparkline or stat reads any more as a new hour starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-hours-'));
    const file = join(dir, 'tracker.db');
    const repo = openSqlite(file);
    const raw = new Database(file, { readonly: true });
    const hours = (table: string) =>
      (
        raw.prepare(`SELECT DISTINCT hour FROM ${table} ORDER BY hour`).pluck().all() as number[]
      ).map((h) => h - Math.floor(NOW / HOUR));
    try {
      repo.ingest([late(11, NOW, 0)]);
      repo.ingest([late(12, NOW + 10 * HOUR, 0)]);
      expect(hours('issue_hours')).toEqual([0, 10]);
      repo.ingest([late(13, NOW + 30 * HOUR, 0)]);
      // The stats keep a day; the issue list's counts in a range, 31 days (744 hours).
      expect(hours('service_hours')).toEqual([10, 30]);
      expect(hours('issue_hours')).toEqual([0, 10, 30]);
      repo.ingest([late(14, NOW + 749 * HOUR, 0)]);
      expect(hours('issue_hours')).toEqual([10, 30, 749]);
      expect(repo.getIssue(1, NOW + 749 * HOUR)?.count).toBe(4);
    } finally {
      raw.close();
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops the hours a database from before kept when it opens it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-hours-'));
    const file = join(dir, 'tracker.db');
    openSqlite(file).close();
    const now = Math.floor(Date.now() / HOUR);
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO issue_hours (issue_id, hour, count) VALUES (1, ?, 5), (1, ?, 7)')
      .run(now - 24 * 400, now);
    raw.close();
    openSqlite(file).close();
    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('SELECT hour, count FROM issue_hours').all()).toEqual([
        { hour: now, count: 7 },
      ]);
    } finally {
      after.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the stats’ hours by an index on the hour, not by reading every row', () => {
    expect(
      queryPlan(
        'SELECT hour, SUM(count) AS n FROM issue_hours WHERE hour BETWEEN ? AND ? GROUP BY hour',
        0,
        1,
      ),
    ).toMatch(/^SEARCH issue_hours USING .*INDEX/);
  });
});

describe('reopening a resolved issue', () => {
  // The same error each time, from `release` ('' when the SDK sets none).
  const sent = (n: number, release: string) =>
    readEvent(
      {
        event_id: (0x5e1000 + n).toString(16).padStart(32, '0'),
        ...(release ? { release } : {}),
        exception: { values: [{ type: 'RangeError', value: 'invoice total out of range' }] },
      },
      1,
      scrub,
      NOW + n,
    );
  const withRepo = (run: (repo: Repository) => void) => withTempStore('reopen', run);

  const onlyIssue = (repo: ReturnType<typeof openSqlite>): number => {
    const [issue] = repo.listIssues({ sort: 'last_seen', limit: 1 }, NOW).items;
    if (!issue) throw new Error('no issue stored');
    return issue.id;
  };

  it('does not reopen an issue resolved in a release on an event with no release', () => {
    withRepo((repo) => {
      repo.ingest([sent(1, 'billing@1.10.0')]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'resolved', NOW);
      expect(repo.getIssue(id, NOW)).toMatchObject({ resolvedInRelease: 'billing@1.10.0' });
      repo.ingest([sent(2, '')]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'resolved', regression: false });
      repo.ingest([sent(3, 'billing@1.10.1')]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'open', regression: true });
    });
  });

  it('reopens an issue resolved with no release recorded on any event', () => {
    withRepo((repo) => {
      repo.ingest([sent(1, '')]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'resolved', NOW);
      repo.ingest([sent(2, '')]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'open', regression: true });
    });
  });
});
