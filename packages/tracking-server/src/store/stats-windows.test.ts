// The edges of the windows the REST API's stats and sparklines read: an issue's 24 hourly counts
// are the hour in progress and the 23 before it, and the stats' `lastHour` is the minute in
// progress and the 59 before it (README, REST API: "events of the last 60 minutes and 24 hours
// (to the minute)").
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { withTempStore } from '../testing/temp-store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 10, 22, 12); // a whole hour
const scrub = createScrubber({ enabled: true });

/** Event n of one issue, arriving at NOW and dated `before` ms earlier. */
const dated = (n: number, before: number) =>
  readEvent(
    {
      event_id: (0x7a11e0 + n).toString(16).padStart(32, '0'),
      timestamp: (NOW - before) / 1000,
      tags: { service: 'billing' },
      exception: { values: [{ type: 'LedgerError', value: 'out of balance' }] },
    },
    1,
    scrub,
    NOW,
  );

it('counts an event of 23 hours ago in the first of the 24 hours, and one a moment older in none', () => {
  withTempStore('stats-hours-edge', (repo) => {
    repo.ingest([dated(1, 23 * HOUR), dated(2, 23 * HOUR + 1), dated(3, 0)]);
    const hourly = new Array<number>(24).fill(0);
    hourly[0] = 1;
    hourly[23] = 1;
    expect(repo.getIssue(1, NOW)?.hourly).toEqual(hourly);
    expect(repo.stats(NOW).trend).toEqual(hourly);
    expect(repo.getIssue(1, NOW)?.count).toBe(3);
  });
});

it('counts in the last hour an event of 59 minutes ago, not one of 60', () => {
  withTempStore('stats-minutes-edge', (repo) => {
    repo.ingest([dated(11, 59 * MINUTE), dated(12, 60 * MINUTE)]);
    const stats = repo.stats(NOW);
    expect([stats.lastHour, stats.lastDay]).toEqual([1, 2]);
  });
});
