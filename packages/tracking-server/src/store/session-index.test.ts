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
import { GENERATION } from './session-index';
import { openSqlite } from './sqlite';

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
