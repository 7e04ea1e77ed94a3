// Error events joining their sessions after the commit that stores them (session-index.ts):
// a burst joins a generation at a time, nothing is lost across a restart, and databases whose
// events held their session in a column keep it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import type { SessionFilter } from './session-reads';
import { GENERATION } from './session-index';
import { openSqlite } from './sqlite';
import { operation as op } from '../testing/session-records';

const T0 = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

// Event n of a burst: its own trace; every third event's correlation id is shared with the two
// before it (sessions of three events), and one event in ten names its trace only.
const SESSIONS = (n: number) => `req-${Math.floor(n / 3)}`;
const traceOnly = (n: number) => n % 10 === 9;
const burstEvent = (n: number) =>
  readEvent(
    {
      event_id: hex(n + 1, 32),
      timestamp: (T0 + n) / 1000,
      message: `failure ${n % 7}`,
      tags: traceOnly(n)
        ? { service: 'billing' }
        : { service: 'checkout', correlation_id: SESSIONS(n) },
      contexts: { trace: { trace_id: hex(0xabc0000 + n, 32) } },
    },
    1,
    scrub,
    T0 + n,
  );

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-session-index-'));
  file = join(dir, 'tracker.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Stores events 0..count-1 in batches of 32, as group commits under load do. */
function burst(repo: Repository, count: number) {
  for (let n = 0; n < count; n += 32)
    repo.ingest(Array.from({ length: Math.min(32, count - n) }, (_, i) => burstEvent(n + i)));
}

/** What the burst's sessions must be, worked out from the generator above. */
function expected(count: number) {
  const sessions = new Map<string, { events: number; start: number; end: number }>();
  for (let n = 0; n < count; n++) {
    const id = traceOnly(n) ? hex(0xabc0000 + n, 32) : SESSIONS(n);
    const s = sessions.get(id) ?? { events: 0, start: T0 + n, end: T0 + n };
    s.events += 1;
    s.end = T0 + n;
    sessions.set(id, s);
  }
  return sessions;
}

const raw = (sql: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get();
  } finally {
    db.close();
  }
};

it('joins a burst to its sessions a generation at a time, and a reader that catches up sees every event', () => {
  const count = GENERATION + 1_000;
  const repo = openSqlite(file);
  try {
    burst(repo, count);
    // Under load the events wait: a generation of GENERATION started and is being worked off.
    const joined = raw('SELECT COUNT(*) FROM event_sessions') as number;
    expect(joined).toBeLessThan(count);

    expect(repo.indexSessions()).toBe(0);
    expect(raw('SELECT COUNT(*) FROM event_sessions')).toBe(count);
    const want = expected(count);
    expect(raw('SELECT COUNT(*) FROM sessions WHERE alias_of IS NULL')).toBe(want.size);
    for (const id of ['req-0', 'req-1500', SESSIONS(count - 1), hex(0xabc0000 + 9, 32)]) {
      const got = repo.getSession(id);
      const w = want.get(id);
      expect(w).toBeDefined();
      expect(got?.errorEvents).toHaveLength(w?.events as number);
      expect(got?.start).toBe(new Date(w?.start as number).toISOString());
      expect(got?.end).toBe(new Date(w?.end as number).toISOString());
    }
  } finally {
    repo.close();
  }
});

it('after a restart, events that were still waiting join their sessions, each once', () => {
  const count = GENERATION + 600;
  const before = openSqlite(file);
  burst(before, count);
  // Part of a generation is committed, the rest is lost with the process.
  expect(raw('SELECT COUNT(*) FROM event_sessions')).toBeLessThan(count);
  before.close();

  const after = openSqlite(file);
  try {
    expect(after.indexSessions()).toBe(0);
    const want = expected(count);
    expect(raw('SELECT COUNT(*) FROM event_sessions')).toBe(count);
    expect(raw('SELECT COUNT(*) FROM sessions WHERE alias_of IS NULL')).toBe(want.size);
    // One link per event naming both ids, made once however often its generation ran.
    expect(raw('SELECT COUNT(*) FROM trace_links')).toBe(
      Array.from({ length: count }, (_, n) => n).filter((n) => !traceOnly(n)).length,
    );
    expect(after.getSession('req-100')?.errorEvents.map((e) => e.eventId)).toEqual([
      hex(301, 32),
      hex(302, 32),
      hex(303, 32),
    ]);
  } finally {
    after.close();
  }
});

it('joins a quiet batch in the transaction that stores it', () => {
  const repo = openSqlite(file);
  try {
    repo.ingest([burstEvent(0), burstEvent(1), burstEvent(9)]);
    expect(raw('SELECT COUNT(*) FROM event_sessions')).toBe(3);
    expect(repo.getSession('req-0')?.errorEvents).toHaveLength(2);
  } finally {
    repo.close();
  }
});

it('keeps the sessions of a database whose events held theirs in a column', () => {
  const before = openSqlite(file);
  before.ingest([burstEvent(0), burstEvent(1), burstEvent(3)]);
  before.close();
  // The shape from before event_sessions: each event's session row id in events.session_sid.
  const old = new Database(file);
  old.exec(`UPDATE events SET session_sid = (SELECT sid FROM event_sessions WHERE event = events.rowid);
    DROP TRIGGER event_sessions_gone; DROP TABLE event_sessions; DROP TABLE indexed;
    CREATE INDEX events_sid ON events (session_sid) WHERE session_sid IS NOT NULL;`);
  old.close();

  const upgraded = openSqlite(file);
  try {
    expect(upgraded.getSession('req-0')?.errorEvents).toHaveLength(2);
    expect(upgraded.getSession('req-1')?.errorEvents).toHaveLength(1);
    expect(raw("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_sid'")).toBe(0);
    // Retention takes an event's join with it.
    upgraded.deleteEventsBefore(T0 + 1, 10);
    expect(raw('SELECT COUNT(*) FROM event_sessions')).toBe(2);
  } finally {
    upgraded.close();
  }
});

describe('an event that touched its session’s row, and waits to join it, when the row is remade', () => {
  const DAY = 86_400_000;
  const t = hex(0x31, 32);
  const other = hex(0x32, 32);
  const eventId = (n: number) => hex(n, 32);
  const event = (
    n: number,
    time: number,
    tags: Record<string, string>,
    traceId?: string,
    projectId = 1,
  ) =>
    readEvent(
      {
        event_id: eventId(n),
        timestamp: time / 1000,
        message: `failure ${n}`,
        tags,
        ...(traceId ? { contexts: { trace: { trace_id: traceId } } } : {}),
      },
      projectId,
      scrub,
      T0,
    );

  let repo: Repository;
  beforeEach(() => {
    repo = openSqlite(file);
    // Load: a burst of events naming no session (none waits to join), so the events after it
    // wait instead of joining in the transaction that stores them.
    repo.ingest(Array.from({ length: 500 }, (_, n) => event(0x10000 + n, T0, {})));
  });
  afterEach(() => repo.close());

  const ids = (filter: Partial<SessionFilter> = {}) =>
    repo.listSessions({ limit: 50, ...filter }).items.map((s) => s.id);
  const names = (id: string) => repo.getSession(id)?.timeline.map((o) => o.name);
  const events = (id: string) => repo.getSession(id)?.errorEvents.map((e) => e.eventId);
  /** Works `steps` of the waiting events' generation: its links and touches, by hand. */
  const touch = (steps: number) => {
    expect(repo.indexSessions(steps)).toBeGreaterThan(0);
    expect(raw('SELECT COUNT(*) FROM event_sessions')).toBe(0);
  };

  it('joins a late event whose row retention deleted meanwhile, not the next new session', () => {
    repo.ingest([event(1, T0 - 10 * DAY, { correlation_id: 'late', service: 'billing' })]);
    touch(1);
    expect(raw("SELECT COUNT(*) FROM sessions WHERE id = 'late'")).toBe(1);
    for (let i = 0; i < 10 && repo.deleteSessionsBefore(T0 - 7 * DAY, 100) > 0; i++);
    expect(raw("SELECT COUNT(*) FROM sessions WHERE id = 'late'")).toBe(0);
    // A new session, which may be given the deleted row's id.
    repo.ingestTraces(1, [op(2, other, T0, { correlationId: 'stranger' })], []);

    expect(repo.indexSessions()).toBe(0);
    expect(events('late')).toEqual([eventId(1)]);
    expect(repo.getSession('late')).toMatchObject({
      start: new Date(T0 - 10 * DAY).toISOString(),
      services: ['billing'],
    });
    expect(events('stranger')).toEqual([]);
    expect(ids({ hasErrors: true })).toEqual(['late']);
  });

  it('keeps what a waiting event added to a row that retention made say what is left', () => {
    repo.ingestTraces(
      1,
      [op(2, other, T0 - 10 * DAY, { correlationId: 'mix' }), op(3, other, T0 + 50)],
      [],
    );
    repo.ingest([event(1, T0 + 20, { correlation_id: 'mix', service: 'billing' })]);
    touch(1);
    for (let i = 0; i < 10 && repo.deleteSessionsBefore(T0 - 7 * DAY, 100) > 0; i++);
    expect(repo.indexSessions()).toBe(0);

    expect(events('mix')).toEqual([eventId(1)]);
    expect(names('mix')).toEqual(['op 3']);
    // The row's filters say what the detail shows: the event's error and service are the row's.
    expect(ids({ hasErrors: true })).toEqual(['mix']);
    expect(ids({ service: 'billing' })).toEqual(['mix']);
  });

  it('moves a waiting event that knows only its trace to the correlation id that claims the trace', () => {
    // Records of the trace alone, records naming t as their correlation id, then a claim of t.
    repo.ingestTraces(1, [op(1, t, T0, { service: 'worker' })], []);
    repo.ingestTraces(2, [op(3, other, T0 + 20, { correlationId: t, service: 'billing' })], []);
    repo.ingest([
      event(2, T0 + 5, { service: 'inventory' }, t),
      event(4, T0 + 25, { service: 'checkout', correlation_id: t }, other, 2),
    ]);
    touch(3); // event 4's link, and both events' rows
    repo.ingestTraces(1, [op(5, t, T0 + 40, { correlationId: 'req-31' })], []);
    expect(repo.indexSessions()).toBe(0);

    expect(ids().sort()).toEqual(['req-31', t].sort());
    expect(names('req-31')).toEqual(['op 1', 'op 5']);
    expect(events('req-31')).toEqual([eventId(2)]);
    expect(names(t)).toEqual(['op 3']);
    expect(events(t)).toEqual([eventId(4)]);
    expect(ids({ service: 'inventory' })).toEqual(['req-31']);
    expect(ids({ service: 'checkout' })).toEqual([t]);
  });

  it('keeps a waiting event naming a claimed trace’s id as its correlation id in a session of that id', () => {
    repo.ingestTraces(1, [op(1, t, T0, { service: 'worker' })], []);
    repo.ingest([event(4, T0 + 25, { service: 'checkout', correlation_id: t }, other)]);
    touch(2); // its link, and its row: the trace's, which no record names t yet
    repo.ingestTraces(1, [op(5, t, T0 + 40, { correlationId: 'req-31' })], []);
    expect(repo.indexSessions()).toBe(0);

    expect(ids().sort()).toEqual(['req-31', t].sort());
    expect(names('req-31')).toEqual(['op 1', 'op 5']);
    expect(events('req-31')).toEqual([]);
    expect(names(t)).toEqual([]);
    expect(events(t)).toEqual([eventId(4)]);
    // The claiming session took none of the event's: no error, no service of it.
    expect(ids({ hasErrors: true })).toEqual([t]);
    expect(ids({ service: 'checkout' })).toEqual([t]);
    expect(ids({ service: 'worker' })).toEqual(['req-31']);
  });
});
