// The stats of some projects (GET /stats?project=…): every count of the header — by severity
// and service, the last hour and day, the hourly trend, the top and open issues — of their
// events and issues alone, as the issue list filtered to them lists them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { openSqlite } from './sqlite';
import { withTempStore } from '../testing/temp-store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 11, 6, 12, 30);
const scrub = createScrubber({ enabled: true });

let sequence = 0;
/** An event of `project`'s error `type`, from `service`, dated `before` ms before it arrived at `at`. */
const sent = (
  project: number,
  type: string,
  service: string,
  level: string,
  before: number,
  at = NOW,
) =>
  readEvent(
    {
      event_id: (0x57a7 + ++sequence).toString(16).padStart(32, '0'),
      timestamp: (at - before) / 1000,
      level,
      tags: { service },
      exception: { values: [{ type, value: 'it failed' }] },
    },
    project,
    scrub,
    at,
  );

/** The hourly trend with these counts in the hours before the one in progress (0: it). */
const trend = (counts: Record<number, number>) => {
  const hours = new Array<number>(24).fill(0);
  for (const [ago, n] of Object.entries(counts)) hours[23 - Number(ago)] = n;
  return hours;
};

it('counts the events and issues of the projects asked for alone', () => {
  withTempStore('stats-projects', (repo) => {
    repo.ingest([
      sent(1, 'CartError', 'checkout', 'error', 5 * MINUTE),
      sent(1, 'CartError', 'checkout', 'error', 2 * HOUR),
      sent(2, 'CardDeclined', 'payments', 'warning', 10 * MINUTE),
      sent(2, 'CardDeclined', 'payments', 'warning', 3 * HOUR),
      sent(2, 'LedgerError', 'billing', 'fatal', 20 * HOUR),
      // Project 11's, whose id holds project 1's digits.
      sent(11, 'CartError', 'checkout', 'error', 90 * MINUTE),
    ]);
    const payments = repo.stats(NOW, [2]);
    expect(payments.byService).toEqual({ payments: 2, billing: 1 });
    expect(payments.bySeverity).toEqual({ warning: 2, critical: 1 });
    expect([payments.lastHour, payments.lastDay]).toEqual([1, 3]);
    expect(payments.trend).toEqual(trend({ 0: 1, 3: 1, 20: 1 }));
    expect(payments.topIssues.map((i) => [i.title.split(':')[0], i.projectId, i.count])).toEqual([
      ['CardDeclined', 2, 2],
      ['LedgerError', 2, 1],
    ]);
    expect(payments.openIssues).toBe(2);

    const shop = repo.stats(NOW, [1]);
    expect(shop.byService).toEqual({ checkout: 2 });
    expect([shop.lastHour, shop.lastDay, shop.openIssues]).toEqual([1, 2, 1]);
    expect(shop.trend).toEqual(trend({ 0: 1, 2: 1 }));

    // Any of several, and all of them unasked.
    const either = repo.stats(NOW, [1, 11]);
    expect(either.byService).toEqual({ checkout: 3 });
    expect([either.lastHour, either.lastDay, either.openIssues]).toEqual([1, 3, 2]);
    expect(either.topIssues.map((i) => i.projectId)).toEqual([1, 11]);
    const all = repo.stats(NOW);
    expect(all.byService).toEqual({ checkout: 3, payments: 2, billing: 1 });
    expect([all.lastHour, all.lastDay, all.openIssues]).toEqual([2, 6, 4]);
    expect(all.trend).toEqual(trend({ 0: 2, 1: 1, 2: 1, 3: 1, 20: 1 }));

    // A project of no events: nothing, not everything.
    expect(repo.stats(NOW, [5])).toEqual({
      bySeverity: {},
      byService: {},
      topIssues: [],
      lastHour: 0,
      lastDay: 0,
      openIssues: 0,
      trend: new Array<number>(24).fill(0),
    });
  });
});

it('counts again by project when it opens a database whose counts had no project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-stats-projects-'));
  const file = join(dir, 'tracker.db');
  // The counts are made again from the real clock's last day, so these events are sent now.
  const now = Date.now();
  const first = openSqlite(file);
  first.ingest([
    sent(1, 'CartError', 'checkout', 'error', MINUTE, now),
    sent(2, 'CardDeclined', 'payments', 'warning', 2 * MINUTE, now),
    sent(2, 'CardDeclined', 'payments', 'warning', 3 * HOUR, now),
  ]);
  first.close();
  // The tables as trackers before them left them, with counts that are not the events'.
  const raw = new Database(file);
  raw.exec(`DROP TABLE service_hours; DROP TABLE event_minutes;
    CREATE TABLE service_hours (
      hour INTEGER NOT NULL, service TEXT NOT NULL, severity TEXT NOT NULL, count INTEGER NOT NULL,
      PRIMARY KEY (hour, service, severity)) WITHOUT ROWID;
    INSERT INTO service_hours VALUES (${Math.floor(now / HOUR)}, 'stale', 'error', 40);
    CREATE TABLE event_minutes (minute INTEGER PRIMARY KEY, count INTEGER NOT NULL);
    INSERT INTO event_minutes VALUES (${Math.floor(now / MINUTE)}, 40);`);
  raw.close();
  const again = openSqlite(file);
  try {
    const payments = again.stats(now, [2]);
    expect(payments.byService).toEqual({ payments: 2 });
    expect([payments.lastHour, payments.lastDay]).toEqual([1, 2]);
    const all = again.stats(now);
    expect(all.byService).toEqual({ checkout: 1, payments: 2 });
    expect([all.lastHour, all.lastDay]).toEqual([2, 3]);
    // New events count on, under their project.
    again.ingest([sent(1, 'CartError', 'checkout', 'error', 0, now)]);
    expect(again.stats(now, [1]).byService).toEqual({ checkout: 2 });
  } finally {
    again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
