import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from './ingest/event';
import { retentionRules, sweepRetention } from './retention';
import { createScrubber } from './scrub/scrub';
import { openSqlite } from './store/sqlite';
import { inlineWriter } from './store/writer';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });
const id = (n: number) => n.toString(16).padStart(32, '0');
const event = (n: number, projectId: number, daysAgo: number) =>
  readEvent({ event_id: id(n), message: 'kept?' }, projectId, scrub, NOW - daysAgo * DAY);

it('gives every listed project its own rule and every other project the default', () => {
  expect(
    retentionRules(
      [
        { id: 1, retentionDays: 7 },
        { id: 2, retentionDays: 0 },
      ],
      { retentionDays: 30 },
      NOW,
    ),
  ).toEqual([
    { scope: 1, before: NOW - 7 * DAY },
    { scope: { except: [1, 2] }, before: NOW - 30 * DAY },
  ]);
  expect(retentionRules([], { retentionDays: 0 }, NOW)).toEqual([]);
});

it('gives projects kept as long as the default the default rule, so one rule covers them all', () => {
  expect(
    retentionRules(
      [
        { id: 1, retentionDays: 30 },
        { id: 2, retentionDays: 7 },
        { id: 3, retentionDays: 30 },
      ],
      { retentionDays: 30 },
      NOW,
    ),
  ).toEqual([
    { scope: 2, before: NOW - 7 * DAY },
    { scope: { except: [2] }, before: NOW - 30 * DAY },
  ]);
  expect(retentionRules([{ id: 1, retentionDays: 0 }], { retentionDays: 0 }, NOW)).toEqual([]);
});

it('deletes old data of projects config.json does not list, by the default retention', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-retention-all-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    repo.ingest([
      event(1, 1, 10), // listed, 7 days: goes
      event(2, 1, 1),
      event(3, 2, 400), // listed, 0 days (keep for ever): stays
      event(4, 3, 40), // not listed (a removed project), default 30 days: goes
      event(5, 3, 10),
      event(6, 4, 31), // never listed: goes
    ]);
    const op = (projectId: number, daysAgo: number, correlationId: string) => ({
      traceId: id(projectId * 100 + daysAgo),
      spanId: 'b'.repeat(16),
      name: 'job',
      service: 'video-processing',
      start: NOW - daysAgo * DAY,
      end: NOW - daysAgo * DAY + 10,
      status: 'ok' as const,
      correlationId,
      attributes: {},
    });
    repo.ingestTraces(3, [op(3, 45, 'old-job')], []);
    repo.ingestTraces(3, [op(3, 2, 'new-job')], []);

    const rules = retentionRules(
      [
        { id: 1, retentionDays: 7 },
        { id: 2, retentionDays: 0 },
      ],
      { retentionDays: 30 },
      NOW,
    );
    // Batches of one: the sweep goes on until nothing is left.
    // 3 events, the issue of project 4 they left empty, 1 op, its trace’s link to the
    // correlation id, 1 session.
    expect(await sweepRetention(inlineWriter(repo), rules, 1)).toBe(7);
    const ids = [1, 2, 3, 4, 5, 6].map(id);
    expect(repo.storedEventIds(ids)).toEqual(new Set([id(2), id(3), id(5)]));
    expect(repo.listSessions({ limit: 10 }).items.map((s) => s.id)).toEqual(['new-job']);
    expect(repo.getSession('old-job')).toBeUndefined();
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('deletes an issue its events left empty once its last event is past retention, with its rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-retention-issues-'));
  const file = join(dir, 'tracker.db');
  const repo = openSqlite(file);
  const sent = (n: number, projectId: number, daysAgo: number, message: string) =>
    readEvent(
      {
        event_id: id(n),
        message,
        release: 'shop@1.0.0',
        environment: 'production',
        user: { id: `user-${n}` },
        tags: { service: 'checkout' },
      },
      projectId,
      scrub,
      NOW - daysAgo * DAY,
    );
  try {
    repo.ingest([
      sent(1, 1, 40, 'gone'), // every event past 30 days: the issue goes
      sent(2, 1, 35, 'also gone'),
      sent(3, 1, 40, 'still seen'), // an event within: the issue stays
      sent(4, 1, 2, 'still seen'),
      sent(5, 2, 40, 'kept for ever'), // project 2 keeps everything
    ]);
    const rules = retentionRules([{ id: 2, retentionDays: 0 }], { retentionDays: 30 }, NOW);
    // Batches of one: 3 events, then the 2 issues they left empty.
    expect(await sweepRetention(inlineWriter(repo), rules, 1)).toBe(5);
    const db = new Database(file, { readonly: true });
    const titles = db.prepare('SELECT title FROM issues ORDER BY id').pluck().all();
    expect(titles).toEqual(['still seen', 'kept for ever']);
    const [stillSeen, keptForEver] = db.prepare('SELECT id FROM issues ORDER BY id').pluck().all();
    const issuesIn = (table: string) =>
      [...new Set(db.prepare(`SELECT issue_id FROM ${table}`).pluck().all())].sort();
    for (const table of ['issue_users', 'issue_releases', 'issue_services', 'issue_environments'])
      expect([table, issuesIn(table)]).toEqual([table, [stillSeen, keptForEver]]);
    // Hours are kept for the last day only: the one recent event's.
    expect(issuesIn('issue_hours')).toEqual([stillSeen]);
    db.close();
    // A second sweep finds nothing more.
    expect(await sweepRetention(inlineWriter(repo), rules, 1)).toBe(0);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('answers the rows it deleted, not those it stepped over: an idle sweep deleted none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-retention-count-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    // Project 2 keeps everything: its old events, more than a call steps over (WALK_BUDGET),
    // are walked past by every sweep of the default rule.
    const kept = Array.from({ length: 6_000 }, (_, i) => event(100 + i, 2, 400));
    repo.ingest([...kept, event(1, 3, 40), event(2, 3, 41), event(3, 3, 1)]);
    const rulesAt = (now: number) =>
      retentionRules([{ id: 2, retentionDays: 0 }], { retentionDays: 30 }, now);
    // Project 3's 2 events past 30 days (its issue keeps its newer event); then, an hour on,
    // nothing.
    expect(await sweepRetention(inlineWriter(repo), rulesAt(NOW), 500)).toBe(2);
    expect(await sweepRetention(inlineWriter(repo), rulesAt(NOW + 3_600_000), 500)).toBe(0);
    expect(repo.storedEventIds([id(1), id(2), id(3), id(100)])).toEqual(new Set([id(3), id(100)]));
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('stops between batches once stopped() says so, before the writer closes', async () => {
  let calls = 0;
  let deleted = 0;
  let stop = false;
  const writer = {
    deleteEventsBefore: async () => {
      calls++;
      deleted++;
      stop = calls === 2; // a shutdown starts during the second batch
      return 1;
    },
    deleteSessionsBefore: async () => 0,
    takeRetentionDeletes: async () => {
      const n = deleted;
      deleted = 0;
      return n;
    },
  };
  const rules = retentionRules([], { retentionDays: 30 }, NOW);
  expect(await sweepRetention(writer, rules, 1, () => stop)).toBe(2);
  expect(calls).toBe(2);
});
