import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { cleanup, screen } from '@testing-library/react';
import { FakeTrackerApi } from '../api/fake';
import type { SessionQuery } from '../api/types';
import { testIds } from '../components/testIds';
import { SESSION, SESSION_2 } from '../testdata/fixtures';
import { RENDER_PROPERTY_TIMEOUT_MS, renderApp } from '../test/render';
import { sessionQueryFrom } from './SessionsPage';

/** What the tracker's GET /sessions accepts as minDurationMs (tracking-server src/api/rest.ts). */
const TRACKER_MIN_DURATION = /^[0-9]{1,12}(?:\.[0-9]+)?$/;
const KEYS = ['project', 'q', 'service', 'minDurationMs', 'hasErrors'];
/** What the tracker's GET /sessions accepts as a project (rest.ts): a positive id of up to 15 digits. */
const TRACKER_PROJECT = /^[0-9]{1,15}$/;

/** A URL query as a user could type it: the page's keys and others, any values, any order, repeats. */
const anyQuery = fc.oneof(
  fc.string().map((s) => new URLSearchParams(s)),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...KEYS, 'cursor', 'limit'), fc.string({ maxLength: 6 })),
        fc.oneof(
          fc.string(),
          fc.constantFrom(
            'Infinity',
            '-Infinity',
            'NaN',
            '1e21',
            '1e-7',
            '0x10',
            '-5',
            '0',
            '1.5',
            ' 7',
            'true',
            'TRUE'
          ),
          fc.double().map(String),
          fc.stringMatching(/^[0-9]{1,20}$/)
        )
      ),
      { maxLength: 8 }
    )
    .map((pairs) => new URLSearchParams(pairs))
);

/** Names what in `query` the tracker would refuse or the page should not send; empty when it is fine. */
function problemsOf(query: SessionQuery, params: URLSearchParams): string[] {
  const problems: string[] = [];
  const extra = Object.keys(query).filter((k) => ![...KEYS, 'limit'].includes(k));
  if (extra.length) {
    problems.push(`keys ${extra}`);
  }
  const min = query.minDurationMs;
  if (min !== undefined && !(Number.isInteger(min) && min > 0 && TRACKER_MIN_DURATION.test(String(min)))) {
    problems.push(`minDurationMs ${min}`);
  }
  if (query.hasErrors !== undefined && !(query.hasErrors === true && params.get('hasErrors') === 'true')) {
    problems.push(`hasErrors ${query.hasErrors}`);
  }
  for (const key of ['q', 'service'] as const) {
    if (query[key] !== (params.get(key) || undefined)) {
      problems.push(`${key} ${JSON.stringify(query[key])}`);
    }
  }
  if (query.limit !== 200) {
    problems.push(`limit ${query.limit}`);
  }
  // Every project id the URL names that the tracker takes, once each, in order; none is no filter.
  const ids = [...new Set(params.getAll('project').filter((v) => TRACKER_PROJECT.test(v) && Number(v) > 0))];
  const want = ids.length > 0 ? ids.map(Number) : undefined;
  if (!isDeepStrictEqual(query.project, want)) {
    problems.push(`project ${JSON.stringify(query.project)}`);
  }
  return problems;
}

describe('sessionQueryFrom (property)', () => {
  test('any URL query gives filters the tracker accepts, text filters as typed (10k cases)', () => {
    fc.assert(
      fc.property(anyQuery, (params) => problemsOf(sessionQueryFrom(params), params).length === 0),
      { numRuns: 10_000 }
    );
  });

  test('filters the page itself writes read back as written (10k cases)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            q: fc.string({ minLength: 1 }),
            service: fc.string({ minLength: 1 }),
            min: fc.record({ ms: fc.integer({ min: 1, max: 999_999_999_999 }), zeros: fc.nat(3) }),
            hasErrors: fc.constant(true as const),
            project: fc.uniqueArray(fc.integer({ min: 1, max: 999_999_999_999_999 }), { minLength: 1, maxLength: 5 }),
          },
          { requiredKeys: [] }
        ),
        ({ q, service, min, hasErrors, project }) => {
          const params = new URLSearchParams();
          project?.forEach((id) => params.append('project', String(id)));
          q !== undefined && params.set('q', q);
          service !== undefined && params.set('service', service);
          // The field writes digits only; a URL may carry leading zeros, up to 12 digits in all.
          const digits = min && `${'0'.repeat(min.zeros)}${min.ms}`;
          const sentMin = digits !== undefined && digits.length <= 12 ? min!.ms : undefined;
          digits !== undefined && params.set('minDurationMs', digits);
          hasErrors && params.set('hasErrors', 'true');
          const want: SessionQuery = { project, q, service, minDurationMs: sentMin, hasErrors, limit: 200 };
          return isDeepStrictEqual(sessionQueryFrom(params), want);
        }
      ),
      { numRuns: 10_000 }
    );
  });
});

describe('sessionQueryFrom: minimum durations not written as whole milliseconds (Infinity, 1e21, 1e-7 went out and were answered 400)', () => {
  test.each(['Infinity', '1e21', '1e-7', '1e3', '0x10', '-5', '0', ' 7', '1234567890123'])(
    'minDurationMs=%s is no filter',
    (min) => {
      expect(sessionQueryFrom(new URLSearchParams({ minDurationMs: min })).minDurationMs).toBeUndefined();
    }
  );

  test('minDurationMs=250 and 000250 filter at 250 ms', () => {
    expect(sessionQueryFrom(new URLSearchParams({ minDurationMs: '250' })).minDurationMs).toBe(250);
    expect(sessionQueryFrom(new URLSearchParams({ minDurationMs: '000250' })).minDurationMs).toBe(250);
  });
});

describe('Debug sessions page with any URL query (property)', () => {
  afterEach(cleanup);

  test(
    'renders rows or the empty state, never an error, and asks the tracker only what it accepts (200 cases)',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyQuery, async (params) => {
          cleanup();
          const api = new FakeTrackerApi({ sessions: [SESSION, SESSION_2] });
          renderApp(`/a/beacon-observability-app/sessions?${params}`, api);
          await screen.findAllByTestId(
            (id) => id === testIds.sessions.row || id === testIds.state.empty || id === testIds.state.error
          );
          expect(screen.queryByTestId(testIds.state.error)).toBeNull();
          const calls = api.callsOf('listSessions');
          expect(calls.length).toBeGreaterThan(0);
          for (const [query] of calls) {
            expect(problemsOf(query as SessionQuery, params)).toEqual([]);
          }
        }),
        { numRuns: 200 }
      );
    },
    RENDER_PROPERTY_TIMEOUT_MS
  );
});
