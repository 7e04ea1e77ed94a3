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
    // 3 events, 1 op, its trace’s link to the correlation id, 1 session.
    expect(await sweepRetention(inlineWriter(repo), rules, 1)).toBe(6);
    const ids = [1, 2, 3, 4, 5, 6].map(id);
    expect(repo.storedEventIds(ids)).toEqual(new Set([id(2), id(3), id(5)]));
    expect(repo.listSessions({ limit: 10 }).items.map((s) => s.id)).toEqual(['new-job']);
    expect(repo.getSession('old-job')).toBeUndefined();
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
