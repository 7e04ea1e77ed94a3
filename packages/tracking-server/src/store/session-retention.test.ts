// Retention of debug sessions against a real store: what a sweep removes, and what it must keep
// for the records still within retention.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import type { Operation } from '../ingest/otlp';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const scrub = createScrubber({ enabled: true });
const trace = (n: number) => n.toString(16).padStart(32, 'a');

const op = (n: number, traceId: string, start: number, extra: Partial<Operation> = {}) => ({
  traceId,
  spanId: n.toString(16).padStart(16, 'b'),
  name: `op ${n}`,
  service: 'api-gateway',
  start,
  end: start + 10,
  status: 'ok' as const,
  attributes: {},
  ...extra,
});

/** An error event of project 1 dated `timestamp`, received at `receivedAt`. */
const errorEvent = (n: number, correlationId: string, timestamp: number, receivedAt: number) =>
  readEvent(
    {
      event_id: n.toString(16).padStart(32, '0'),
      timestamp: timestamp / 1000,
      message: `failure ${n}`,
      tags: { correlation_id: correlationId },
    },
    1,
    scrub,
    receivedAt,
  );

let dir: string;
let file: string;
let repo: Repository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-session-retention-'));
  file = join(dir, 'tracker.db');
  repo = openSqlite(file);
});
afterEach(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

const sweep = (before: number) => {
  while (repo.deleteEventsBefore(before, 500) + repo.deleteSessionsBefore(before, 500) > 0);
};
const listed = () => repo.listSessions({ limit: 50 }).items.map((s) => [s.id, s.errors]);
const rows = (sql: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

it('keeps the session of an event sent late while the event is kept, and never shows it in another', () => {
  repo.ingestTraces(1, [op(1, trace(1), T0, { correlationId: 'fresh' })], []);
  // Dated five days back (an SDK's offline queue), received now: kept by its arrival.
  repo.ingest([errorEvent(1, 'offline', T0 - 5 * DAY, T0)]);
  repo.indexSessions();
  expect(listed()).toEqual([
    ['fresh', 0],
    ['offline', 1],
  ]);

  sweep(T0 - DAY);
  // The event is within retention: its session still shows it.
  expect(listed()).toEqual([
    ['fresh', 0],
    ['offline', 1],
  ]);
  expect(repo.getSession('offline')?.errorEvents.map((e) => e.title)).toEqual(['failure 1']);
  // A new session is a stranger to that event.
  repo.ingestTraces(1, [op(2, trace(2), T0 + 20, { correlationId: 'stranger' })], []);
  expect(repo.getSession('stranger')).toMatchObject({ errors: 0, errorEvents: [] });

  // Once the event is gone, a later sweep takes its session row too, leaving no join behind.
  sweep(T0 + 2 * DAY);
  expect(listed()).toEqual([]);
  sweep(T0 + 3 * DAY);
  expect(rows('SELECT sid FROM sessions')).toEqual([]);
  expect(rows('SELECT event FROM event_sessions')).toEqual([]);
  expect(rows('SELECT trace_id FROM trace_links')).toEqual([]);
  expect(rows('SELECT span_id FROM operations')).toEqual([]);
});
