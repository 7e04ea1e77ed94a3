// The stats' top issues are the ones still needing attention, as Sentry's default issue stream
// (`is:unresolved`): an ignored issue that keeps firing, or one resolved today, is not among them.
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { withTempStore } from '../testing/temp-store';

const NOW = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });

let sequence = 0;
/** `n` events of the error named `type`, an hour before NOW. */
const events = (type: string, n: number) =>
  Array.from({ length: n }, () =>
    readEvent(
      {
        event_id: (0x5ca7000 + ++sequence).toString(16).padStart(32, '0'),
        tags: { service: 'billing' },
        exception: { values: [{ type, value: 'it failed' }] },
      },
      1,
      scrub,
      NOW - 3_600_000,
    ),
  );

it('leaves ignored and resolved issues out of the top issues, and counts their events still', () => {
  withTempStore('stats-top', (repo) => {
    repo.ingest([
      ...events('IgnoredError', 5),
      ...events('ResolvedError', 4),
      ...events('OpenError', 3),
      ...events('InvestigatedError', 2),
    ]);
    const idOf = (title: string) => {
      const issue = repo
        .listIssues({ sort: 'events', limit: 10 }, NOW)
        .items.find((i) => i.title.startsWith(title));
      if (!issue) throw new Error(`no issue ${title}`);
      return issue.id;
    };
    repo.setStatus([idOf('IgnoredError')], 'ignored', NOW);
    repo.setStatus([idOf('ResolvedError')], 'resolved', NOW);
    repo.setStatus([idOf('InvestigatedError')], 'investigating', NOW);

    const stats = repo.stats(NOW);
    expect(stats.topIssues.map((i) => [i.title.split(':')[0], i.status])).toEqual([
      ['OpenError', 'open'],
      ['InvestigatedError', 'investigating'],
    ]);
    expect(stats.lastDay).toBe(14);
    expect(stats.openIssues).toBe(2);
  });
});

it('lists the 10 issues with the most events of the last 24 hours, most first', () => {
  withTempStore('stats-top-ten', (repo) => {
    // Twelve open issues: Error1 with 1 event … Error12 with 12.
    repo.ingest(Array.from({ length: 12 }, (_, i) => events(`Error${i + 1}`, i + 1)).flat());
    const stats = repo.stats(NOW);
    expect(stats.topIssues.map((i) => [i.title.split(':')[0], i.count])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`Error${12 - i}`, 12 - i]),
    );
  });
});
