// The issue lifecycle against Sentry's: what a regression counts, and which release is older when
// two were first seen at once (getsentry/sentry src/sentry/models/groupresolution.py).
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { withTempStore } from '../testing/temp-store';
import type { Repository } from './repository';

const NOW = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });

type Repo = Repository;

const withRepo = (run: (repo: Repo) => void) => withTempStore('lifecycle', run);

let sequence = 0;
/** The same error each time, from `release` ('' for none), at `level`, arriving at `at`. */
const sent = (release: string, level: string, at: number) =>
  readEvent(
    {
      event_id: (0x11fe000 + ++sequence).toString(16).padStart(32, '0'),
      level,
      ...(release ? { release } : {}),
      tags: { service: 'billing' },
      exception: { values: [{ type: 'RangeError', value: 'invoice total out of range' }] },
    },
    1,
    scrub,
    at,
  );

const onlyIssue = (repo: Repo): number => {
  const [issue] = repo.listIssues({ sort: 'last_seen', limit: 1 }, NOW).items;
  if (!issue) throw new Error('no issue stored');
  return issue.id;
};

describe('a regression', () => {
  it('is counted under the issue’s severity, not the lower one of the event that reopened it', () => {
    withRepo((repo) => {
      repo.ingest([sent('billing@1.0.0', 'fatal', NOW)]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'resolved', NOW);
      const result = repo.ingest([sent('billing@1.0.1', 'error', NOW + 1)]);
      expect(result.opened).toEqual([{ projectId: 1, service: 'billing', severity: 'critical' }]);
      expect(repo.getIssue(id, NOW)).toMatchObject({
        status: 'open',
        regression: true,
        severity: 'critical',
      });
    });
  });

  it('is counted under the severity its event raised the issue to', () => {
    withRepo((repo) => {
      repo.ingest([sent('billing@1.0.0', 'warning', NOW)]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'resolved', NOW);
      const result = repo.ingest([sent('billing@1.0.1', 'fatal', NOW + 1)]);
      expect(result.opened).toEqual([{ projectId: 1, service: 'billing', severity: 'critical' }]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ severity: 'critical' });
    });
  });

  it('is not counted, and an ignored issue stays ignored, on new events', () => {
    withRepo((repo) => {
      repo.ingest([sent('billing@1.0.0', 'error', NOW)]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'ignored', NOW);
      const result = repo.ingest([sent('billing@2.0.0', 'fatal', NOW + 1)]);
      expect(result.opened).toEqual([]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'ignored', regression: false });
    });
  });
});

describe('releases first seen at once', () => {
  it('an event from one does not reopen an issue resolved in the other; one from the same does', () => {
    withRepo((repo) => {
      // Two builds (git SHAs, no version to compare) first seen in one batch, the same millisecond.
      repo.ingest([sent('3f2a9c1', 'error', NOW), sent('9b8e7d6', 'error', NOW)]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'resolved', NOW);
      const resolvedIn = repo.getIssue(id, NOW)?.resolvedInRelease;
      const other = resolvedIn === '3f2a9c1' ? '9b8e7d6' : '3f2a9c1';
      expect(['3f2a9c1', '9b8e7d6']).toContain(resolvedIn);
      expect(repo.ingest([sent(other, 'error', NOW + 1)]).opened).toEqual([]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'resolved', regression: false });
      expect(repo.ingest([sent(resolvedIn as string, 'error', NOW + 2)]).opened).toHaveLength(1);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'open', regression: true });
    });
  });

  it('an event from a build first seen later reopens it', () => {
    withRepo((repo) => {
      repo.ingest([sent('3f2a9c1', 'error', NOW)]);
      const id = onlyIssue(repo);
      repo.setStatus([id], 'resolved', NOW);
      repo.ingest([sent('9b8e7d6', 'error', NOW + 1)]);
      expect(repo.getIssue(id, NOW)).toMatchObject({ status: 'open', regression: true });
    });
  });
});
