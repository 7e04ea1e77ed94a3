import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { openSqlite } from './sqlite';

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
    const kept = [1, 2, 3, 4].filter((n) => repo.hasEvent(n.toString(16).padStart(32, '0')));
    expect(kept).toEqual([3, 4]);
  } finally {
    repo.close();
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
    old.exec(`DROP INDEX events_session; ALTER TABLE events DROP COLUMN session_key;
      CREATE INDEX events_trace ON events (trace_id);`);
    old.close();

    const upgraded = openSqlite(file);
    expect(upgraded.getSession('req-old')?.errors).toBe(1);
    upgraded.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
