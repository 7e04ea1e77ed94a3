// Retention's walk by age (age-walk.ts): one table, one scope, in memory; then the store's
// retention calls with another project's old rows in the way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import type { Operation } from '../ingest/otlp';
import { createScrubber } from '../scrub/scrub';
import { ageWalk, WALK_BUDGET } from './age-walk';
import { scopeCondition } from './sessions';
import { openSqlite } from './sqlite';

describe('ageWalk', () => {
  // rows: [rowid, project, time]; project 1's rows at times 1 and 2 share them with project 2's.
  const ROWS: [number, number, number][] = [
    [1, 2, 1],
    [2, 1, 1],
    [3, 2, 1],
    [4, 1, 1],
    [5, 1, 2],
    [6, 2, 2],
    [7, 1, 3], // not older than `before` = 3
    [8, 2, 0],
  ];
  const table = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (project_id INTEGER, time REAL); CREATE INDEX t_time ON t (time)');
    const insert = db.prepare('INSERT INTO t (rowid, project_id, time) VALUES (?, ?, ?)');
    for (const row of ROWS) insert.run(...row);
    return db;
  };

  it('finds a scope’s rows oldest first, ties by rowid, a batch at a time, and goes on from there', () => {
    const walk = ageWalk(table(), 't', 'time', 'rowid');
    const one = scopeCondition(1);
    expect(walk.done(3, one)).toBeUndefined();
    expect(walk.next(3, 2, one)).toEqual({ keys: [2, 4], passed: 0 });
    expect(walk.done(3, one)).toBe(false);
    // Nothing deleted in between, and still not found again: the walk goes on past them.
    expect(walk.next(3, 2, one)).toEqual({ keys: [5], passed: 0 });
    expect(walk.done(3, one)).toBe(true);
    expect(walk.next(3, 2, one)).toEqual({ keys: [], passed: 0 });
    // Another sweep (another `before`, or another scope) walks from the start.
    expect(walk.next(4, 10, one)).toEqual({ keys: [2, 4, 5, 7], passed: 0 });
    expect(walk.next(3, 10, scopeCondition({ except: [1] }))).toEqual({
      keys: [8, 1, 3, 6],
      passed: 0,
    });
    expect(walk.next(3, 10, scopeCondition(undefined))).toEqual({
      keys: [8, 1, 2, 3, 4, 5, 6],
      passed: 0,
    });
  });

  it('starts the sweep again once reset (its transaction failed)', () => {
    const walk = ageWalk(table(), 't', 'time', 'rowid');
    const one = scopeCondition(1);
    expect(walk.next(3, 2, one).keys).toEqual([2, 4]);
    walk.reset();
    expect(walk.done(3, one)).toBeUndefined();
    expect(walk.next(3, 2, one).keys).toEqual([2, 4]);
  });

  it('steps over at most its budget of other scopes’ rows a call, and says it did', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (project_id INTEGER, time REAL); CREATE INDEX t_time ON t (time)');
    const insert = db.prepare('INSERT INTO t (project_id, time) VALUES (?, ?)');
    const others = 2 * WALK_BUDGET + 10;
    db.transaction(() => {
      for (let i = 0; i < others; i++) insert.run(2, i);
      insert.run(1, others);
    })();
    const walk = ageWalk(db, 't', 'time', 'rowid');
    const one = scopeCondition(1);
    const calls: { found: number; passed: number }[] = [];
    for (;;) {
      const { keys, passed } = walk.next(others + 1, 500, one);
      if (keys.length === 0 && passed === 0) break;
      calls.push({ found: keys.length, passed });
    }
    // Three calls: two stop at the budget having found nothing, the third finds the one row.
    expect(calls.length).toBe(3);
    for (const c of calls.slice(0, 2)) {
      expect(c.found).toBe(0);
      expect(c.passed).toBeGreaterThanOrEqual(WALK_BUDGET);
      expect(c.passed).toBeLessThanOrEqual(WALK_BUDGET + 500);
    }
    expect(calls[2]).toEqual({ found: 1, passed: 0 });
    expect(walk.done(others + 1, one)).toBe(true);
  });
});

describe('the store’s retention with another project’s old rows in the way', () => {
  const DAY = 86_400_000;
  const NOW = Date.UTC(2026, 10, 22, 12);
  const scrub = createScrubber({ enabled: true });
  const OTHERS = 12_000; // project 2's, older than project 1's cutoff and kept
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'beacon-age-walk-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes project 1’s old events and keeps project 2’s, each of these stepped over once', () => {
    const repo = openSqlite(join(dir, 'tracker.db'));
    try {
      const event = (n: number, projectId: number, receivedAt: number) =>
        readEvent(
          { event_id: n.toString(16).padStart(32, '0'), message: `retained? ${projectId}` },
          projectId,
          scrub,
          receivedAt,
        );
      const events = [];
      for (let n = 1; n <= OTHERS; n++) events.push(event(n, 2, NOW - 20 * DAY + n));
      // Project 1's old events come after all of project 2's, then a recent one.
      for (let n = 1; n <= 30; n++) events.push(event(OTHERS + n, 1, NOW - 9 * DAY + n));
      events.push(event(OTHERS + 31, 1, NOW - DAY));
      repo.ingest(events);

      const returned: number[] = [];
      for (let n; (n = repo.deleteEventsBefore(NOW - 7 * DAY, 7, 1)) > 0;) returned.push(n);
      // Each of project 2's rows passed once in the sweep (not once a call), then 30 in
      // batches of 7, and project 1's emptied issue.
      expect(returned.filter((n) => n >= WALK_BUDGET).length).toBe(
        Math.floor(OTHERS / WALK_BUDGET),
      );
      expect(returned.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(OTHERS + 30 + 1);
      const ids = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, i) => (from + i).toString(16).padStart(32, '0'));
      expect(repo.storedEventIds(ids(1, OTHERS)).size).toBe(OTHERS);
      expect(repo.storedEventIds(ids(OTHERS + 1, OTHERS + 31))).toEqual(
        new Set(ids(OTHERS + 31, OTHERS + 31)),
      );
    } finally {
      repo.close();
    }
  });

  it('deletes project 1’s old operations and sessions and keeps project 2’s', () => {
    const repo = openSqlite(join(dir, 'tracker.db'));
    try {
      const op = (n: number, end: number, correlationId: string): Operation => ({
        traceId: n.toString(16).padStart(32, 'a'),
        spanId: n.toString(16).padStart(16, 'b'),
        name: `op ${n}`,
        service: 'worker',
        start: end - 5,
        end,
        status: 'ok',
        attributes: {},
        correlationId,
      });
      const others: Operation[] = [];
      for (let n = 1; n <= OTHERS; n++) others.push(op(n, NOW - 20 * DAY + n, `keep-${n % 50}`));
      repo.ingestTraces(2, others, []);
      repo.ingestTraces(1, [op(OTHERS + 1, NOW - 9 * DAY, 'old')], []);
      repo.ingestTraces(1, [op(OTHERS + 2, NOW - DAY, 'new')], []);

      const returned: number[] = [];
      for (let n; (n = repo.deleteSessionsBefore(NOW - 7 * DAY, 500, 1)) > 0;) returned.push(n);
      // Project 2's operations and trace links are stepped over once each in the sweep, at most
      // a budget's worth (and a chunk) a call, and the calls say so; its 50 sessions are too.
      expect(returned[0]).toBeGreaterThanOrEqual(WALK_BUDGET);
      for (const n of returned) expect(n).toBeLessThanOrEqual(4 * (WALK_BUDGET + 500));
      expect(returned.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * OTHERS + 50 + 3);
      expect(repo.getSession('old')).toBeUndefined();
      expect(repo.getSession('new')?.timeline).toHaveLength(1);
      expect(repo.getSession('keep-7')?.timeline).toHaveLength(OTHERS / 50);
    } finally {
      repo.close();
    }
  });
});
