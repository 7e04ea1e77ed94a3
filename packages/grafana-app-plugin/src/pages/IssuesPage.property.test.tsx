import fc from 'fast-check';
import { cleanup, screen } from '@testing-library/react';
import { FakeTrackerApi } from '../api/fake';
import type { IssueQuery } from '../api/types';
import { testIds } from '../components/testIds';
import { ISSUES } from '../testdata/fixtures';
import { RENDER_PROPERTY_TIMEOUT_MS, renderApp } from '../test/render';

/** The tracker's values for each filter with fixed values (tracking-server wire types), written out here. */
const ALLOWED: Record<string, readonly string[]> = {
  status: ['open', 'investigating', 'resolved', 'ignored'],
  severity: ['critical', 'error', 'warning', 'info'],
  type: ['application', 'database', 'external_api', 'validation', 'security'],
  sort: ['last_seen', 'first_seen', 'events', 'users'],
};
const TEXT = ['q', 'release'];
/** Filters on several values: each given value once, in the URL's order. */
const LISTS = ['service', 'environment'];
const KEYS = [...Object.keys(ALLOWED), ...TEXT, ...LISTS, 'cursor', 'limit', 'seenAfter', 'seenBefore'];

const anyValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...Object.values(ALLOWED).flat(), 'OPEN', ' open', 'open ', '', 'NaN', '-1', '1e400', '__proto__')
);
const anyQuery = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })), anyValue), { maxLength: 8 })
  .map((pairs) => new URLSearchParams(pairs));

/** Names what in the list request does not follow from the URL query; empty when it all does. */
function problemsOf(query: IssueQuery, params: URLSearchParams): string[] {
  const problems: string[] = [];
  for (const [key, allowed] of Object.entries(ALLOWED)) {
    const given = params.get(key) ?? '';
    const want = allowed.includes(given) ? given : key === 'sort' ? 'last_seen' : undefined;
    if (query[key as keyof IssueQuery] !== want) {
      problems.push(`${key}: ${JSON.stringify(query[key as keyof IssueQuery])}, not ${JSON.stringify(want)}`);
    }
  }
  for (const key of TEXT) {
    const want = params.get(key) || undefined;
    if (query[key as keyof IssueQuery] !== want) {
      problems.push(`${key}: ${JSON.stringify(query[key as keyof IssueQuery])}, not ${JSON.stringify(want)}`);
    }
  }
  for (const key of LISTS) {
    const given = params.getAll(key).filter((v) => v !== '');
    const want = given.length ? given.filter((v, i) => given.indexOf(v) === i) : undefined;
    const got = query[key as keyof IssueQuery];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`${key}: ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
    }
  }
  // The URL chooses filters only: where a page starts and how long it is are the page's own.
  const own = Object.keys(query).filter((k) => !KEYS.includes(k) || ['seenAfter', 'seenBefore'].includes(k));
  if (own.some((k) => query[k as keyof IssueQuery] !== undefined)) {
    problems.push(`unexpected ${own}`);
  }
  if (query.cursor !== undefined || query.limit !== 50) {
    problems.push(`cursor ${query.cursor}, limit ${query.limit}`);
  }
  return problems;
}

describe('Issues page with any URL query (property)', () => {
  afterEach(cleanup);

  test(
    'renders rows or the empty state, never an error, and asks for exactly the valid filters (200 cases)',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyQuery, async (params) => {
          cleanup();
          const api = new FakeTrackerApi({ issues: ISSUES });
          renderApp(`/a/beacon-observability-app/issues?${params}`, api);
          await screen.findAllByTestId(
            (id) => id === testIds.issues.row || id === testIds.state.empty || id === testIds.state.error
          );
          expect(screen.queryByTestId(testIds.state.error)).toBeNull();
          const [first] = api.callsOf('listIssues');
          expect(problemsOf(first[0] as IssueQuery, params)).toEqual([]);
        }),
        { numRuns: 200 }
      );
    },
    RENDER_PROPERTY_TIMEOUT_MS
  );
});
