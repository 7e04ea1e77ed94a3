// What an issue shows (its title, culprit, service, environment and latest event) is its newest
// event's by the event's own time, as Sentry's latest event is (ordered by timestamp): an SDK's
// offline queue or a retried batch delivers hours-old events after newer ones, and the last to
// arrive took the issue over.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { openSqlite } from './sqlite';

const NOW = Date.UTC(2026, 10, 22, 12);
const HOUR = 3_600_000;
const scrub = createScrubber({ enabled: true });

/** A KeyError raised in charge(), so that every such event joins one issue by its frames. */
const keyError = (n: number, at: number, value: string, env: string, server: string) =>
  readEvent(
    {
      event_id: n.toString(16).padStart(32, '0'),
      timestamp: at / 1000,
      environment: env,
      server_name: server,
      exception: {
        values: [
          {
            type: 'KeyError',
            value,
            stacktrace: {
              frames: [
                { function: 'charge', module: 'billing', filename: 'billing.py', in_app: true },
              ],
            },
          },
        ],
      },
    },
    1,
    scrub,
    NOW,
  );

function withStore(test: (repo: ReturnType<typeof openSqlite>, file: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-newest-'));
  const file = join(dir, 'tracker.db');
  const repo = openSqlite(file);
  try {
    test(repo, file);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

it('keeps the newest event when an older one arrives after it, in a later batch or the same one', () => {
  withStore((repo) => {
    repo.ingest([keyError(1, NOW - 60_000, "'new-key'", 'production', 'api-new')]);
    repo.ingest([keyError(2, NOW - 2 * HOUR, "'old-key'", 'staging', 'api-old')]);
    const [summary] = repo.listIssues({ sort: 'last_seen', limit: 10 }, NOW).items;
    expect(summary).toMatchObject({
      id: 1,
      title: "KeyError: 'new-key'",
      service: 'api-new',
      count: 2,
      firstSeen: new Date(NOW - 2 * HOUR).toISOString(),
      lastSeen: new Date(NOW - 60_000).toISOString(),
    });
    const issue = repo.getIssue(1, NOW);
    expect(issue?.environment).toBe('production');
    expect(issue?.latestEvent?.event_id).toBe('1'.padStart(32, '0'));

    // One batch, the newest first: still the newest.
    repo.ingest([
      keyError(3, NOW - 30_000, "'newest-key'", 'production', 'api-newest'),
      keyError(4, NOW - 3 * HOUR, "'older-key'", 'staging', 'api-old'),
    ]);
    expect(repo.getIssue(1, NOW)).toMatchObject({
      title: "KeyError: 'newest-key'",
      service: 'api-newest',
      environment: 'production',
      latestEvent: { event_id: '3'.padStart(32, '0') },
    });
  });
});

it('follows the newest event: a later message retitles the issue and is found by search', () => {
  withStore((repo) => {
    repo.ingest([keyError(1, NOW - HOUR, "'first-key'", 'production', 'api')]);
    repo.ingest([keyError(2, NOW - 60_000, "'second-key'", 'canary', 'api-canary')]);
    const ids = (q: string) =>
      repo.listIssues({ sort: 'last_seen', limit: 10, q }, NOW).items.map((i) => i.id);
    expect(ids('second-key')).toEqual([1]);
    expect(ids('first-key')).toEqual([]);
    expect(repo.getIssue(1, NOW)).toMatchObject({
      title: "KeyError: 'second-key'",
      service: 'api-canary',
      environment: 'canary',
      latestEvent: { event_id: '2'.padStart(32, '0') },
    });
  });
});

it('reads the last event to arrive in a database from before, and records the newest from then on', () => {
  withStore((repo, file) => {
    repo.ingest([keyError(1, NOW - 60_000, "'new-key'", 'production', 'api-new')]);
    repo.ingest([keyError(2, NOW - 2 * HOUR, "'old-key'", 'staging', 'api-old')]);
    repo.close();
    // The issues table as trackers before this one made it: no latest_event column.
    const raw = new Database(file);
    raw.exec('ALTER TABLE issues DROP COLUMN latest_event');
    raw.close();
    const reopened = openSqlite(file);
    try {
      expect(reopened.getIssue(1, NOW)?.latestEvent?.event_id).toBe('2'.padStart(32, '0'));
      reopened.ingest([keyError(3, NOW - 30_000, "'newest-key'", 'production', 'api-new')]);
      reopened.ingest([keyError(4, NOW - 4 * HOUR, "'oldest-key'", 'staging', 'api-old')]);
      expect(reopened.getIssue(1, NOW)?.latestEvent?.event_id).toBe('3'.padStart(32, '0'));
    } finally {
      reopened.close();
    }
  });
});
