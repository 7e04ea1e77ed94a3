// Each read the API makes answers from one snapshot (snapshot.ts), whatever another connection
// commits between its statements. The seam: the reading connection's statements each let the
// writer commit just before they run, so every read has commits between its statements — the
// interleaving that under real ingest tore 16 % of /stats answers, made here every time. The
// reading connection is read-only: a read that wrote would fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { CursorError, issueReads } from './issue-reads';
import type { Repository } from './repository';
import { sessionReads } from './session-reads';
import { openSqlite } from './sqlite';

const NOW = Date.UTC(2026, 11, 7, 12, 30);
const scrub = createScrubber({ enabled: true });

let dir: string;
let writer: Repository;
let db: Database.Database;
/** Commits made from inside reads, by the seam. */
let commits = 0;
/** What the seam commits before each statement of a read; none while undefined. */
let between: (() => void) | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-snapshot-'));
  writer = openSqlite(join(dir, 'tracker.db'));
  db = new Database(join(dir, 'tracker.db'), { readonly: true });
  commits = 0;
  between = undefined;
});
afterEach(() => {
  db.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `db`, whose statements each run `between` (a commit on the writer's connection) first. */
function interleaved(target: Database.Database): Database.Database {
  const running = new Set<PropertyKey>(['all', 'get', 'iterate', 'run']);
  const statement = (st: Database.Statement): Database.Statement => {
    const proxy: Database.Statement = new Proxy(st, {
      get(s, key) {
        const value = Reflect.get(s, key, s) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (running.has(key) && between) {
            between();
            commits++;
          }
          const result = (value as (...a: unknown[]) => unknown).apply(s, args);
          return result === s ? proxy : result; // pluck() and the like answer the statement
        };
      },
    });
    return proxy;
  };
  return new Proxy(target, {
    get(d, key) {
      if (key === 'prepare') return (sql: string) => statement(d.prepare(sql));
      const value = Reflect.get(d, key, d) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(d) : value;
    },
  });
}

let sent = 0;
/** An error event of issue `kind`, sent now, under a severity and service of its own. */
const event = (kind: string) => {
  const n = ++sent;
  return readEvent(
    {
      event_id: n.toString(16).padStart(32, '0'),
      timestamp: (NOW - 60_000) / 1000,
      level: ['error', 'warning', 'fatal'][n % 3],
      exception: { values: [{ type: kind, value: 'x' }] },
      tags: { service: `svc${n % 4}` },
    },
    1,
    scrub,
    NOW - 60_000,
  );
};
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

describe('an issue read', () => {
  beforeEach(() => writer.ingest([event('A'), event('B'), event('A'), event('C')]));

  it('/stats: every total counts the same events, though commits came between its SELECTs', () => {
    const reads = issueReads(interleaved(db));
    between = () => writer.ingest([event(['A', 'B', 'C'][commits % 3] as string)]);
    const stats = reads.stats(NOW);
    between = undefined;
    expect(commits).toBeGreaterThanOrEqual(5); // the seam did come between them
    const counted = sum(Object.values(stats.bySeverity));
    expect({
      byService: sum(Object.values(stats.byService)),
      trend: sum(stats.trend),
      lastHour: stats.lastHour,
      lastDay: stats.lastDay,
      topIssues: sum(stats.topIssues.map((i) => i.count)),
    }).toEqual({
      byService: counted,
      trend: counted,
      lastHour: counted,
      lastDay: counted,
      topIssues: counted,
    });
    // Its snapshot was the one of its first SELECT, and ended with it: the next read sees all.
    expect(reads.stats(NOW).lastDay).toBe(4 + commits);
    expect(db.inTransaction).toBe(false);
  });

  it("lists issues whose hourly counts sum to their count, and reads one's detail so", () => {
    const reads = issueReads(interleaved(db));
    between = () => writer.ingest([event('A'), event('B'), event('C')]);
    const list = reads.listIssues({ sort: 'last_seen', limit: 10 }, NOW);
    const detail = reads.getIssue(1, NOW);
    between = undefined;
    expect(commits).toBeGreaterThanOrEqual(6);
    expect(list.items).toHaveLength(3);
    for (const issue of [...list.items, detail])
      expect({ id: issue?.id, hourly: sum(issue?.hourly ?? []) }).toEqual({
        id: issue?.id,
        hourly: issue?.count,
      });
  });

  it('rolls back what throws after its snapshot was taken, and the next read is afresh', () => {
    const reads = issueReads(interleaved(db));
    const page = reads.issueEvents(1, undefined, 1);
    expect(page?.nextCursor).toEqual(expect.any(String));
    // A cursor of issue 1's events, given for issue 2's: refused after issue 2 was looked up.
    between = () => writer.ingest([event('B')]);
    expect(() => reads.issueEvents(2, page?.nextCursor as string, 1)).toThrow(CursorError);
    between = undefined;
    expect(db.inTransaction).toBe(false);
    expect(reads.getIssue(2, NOW)?.count).toBe(1 + commits);
  });
});

describe('a session read', () => {
  /** The n-th record of session `s1`: an operation of 600 ms (slow) and a memory snapshot. */
  const record = (n: number) => {
    const traceId = n.toString(16).padStart(32, '0');
    const start = NOW - 600_000 + n * 1000;
    writer.ingestTraces(
      1,
      [
        {
          traceId,
          spanId: 'b'.repeat(16),
          name: 'GET /checkout',
          service: 'api',
          start,
          end: start + 600,
          status: 'ok',
          correlationId: 's1',
          attributes: {},
        },
      ],
      [
        {
          traceId,
          spanId: 'b'.repeat(16),
          seq: 0,
          service: 'api',
          correlationId: 's1',
          time: start,
        },
      ],
    );
  };
  beforeEach(() => [1, 2, 3].forEach(record));

  it("lists a session whose slow operations are its operations, and details one's records so", () => {
    const reads = sessionReads(interleaved(db));
    between = () => record(4 + commits);
    const list = reads.list({ limit: 10 });
    const detail = reads.detail('s1');
    between = undefined;
    expect(commits).toBeGreaterThanOrEqual(6);
    const [s1] = list.items;
    expect(s1?.slowOperations).toBe(s1?.operations);
    expect(detail?.memory.length).toBe(detail?.timeline.length);
    expect(detail?.operations).toBe(detail?.timeline.length);
    expect(db.inTransaction).toBe(false);
  });
});
