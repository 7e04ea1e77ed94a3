import fc from 'fast-check';
import { cleanup, screen } from '@testing-library/react';
import { FakeTrackerApi } from '../api/fake';
import type { SentryEventPayload, StoredEvent } from '../api/types';
import { testIds } from '../components/testIds';
import { EVENT_1, ISSUES } from '../testdata/fixtures';
import { RENDER_PROPERTY_TIMEOUT_MS, renderApp } from '../test/render';
import { issueIdFrom } from './IssueDetailPage';

const url = (raw: string) => `/a/beacon-observability-app/issues/${encodeURIComponent(raw)}`;

describe('issueIdFrom (property)', () => {
  test('an id written as 1 to 15 digits (leading zeros too) reads as its number (10k cases)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999_999_999 }), fc.nat(14), (id, zeros) => {
        const raw = `${'0'.repeat(zeros)}${id}`;
        return issueIdFrom(raw) === (raw.length <= 15 ? id : undefined);
      }),
      { numRuns: 10_000 }
    );
  });

  test('any other text is no id (10k cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.double().map(String), fc.stringMatching(/^[-+ 0-9a-fx.e]{0,18}$/)),
        (raw) => {
          const id = issueIdFrom(raw);
          // The tracker's own rule (tracking-server src/api/rest.ts idOf): 1 to 15 digits, at least 1.
          const digits = /^[0-9]{1,15}$/.test(raw) && /[1-9]/.test(raw);
          return digits ? id !== undefined && String(id) === raw.replace(/^0+/, '') : id === undefined;
        }
      ),
      { numRuns: 10_000 }
    );
  });
});

describe('issueIdFrom: paths that opened an issue they do not name', () => {
  test.each(['0x10', '1e3', ' 7', '7.0', '+7', '-1', '0', '', '1234567890123456'])('%j is no issue id', (raw) => {
    expect(issueIdFrom(raw)).toBeUndefined();
  });

  test('the page at /issues/0x1 says it is not an issue id instead of showing issue 1', async () => {
    renderApp(url('0x1'), new FakeTrackerApi({ issues: ISSUES }));
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('"0x1" is not an issue id');
    cleanup();
  });
});

describe('Issue detail page with any id or event payload (property)', () => {
  afterEach(cleanup);

  test(
    'any id in the path shows the issue it names or an error, never a crash (150 cases)',
    async () => {
      const known = new Map(ISSUES.map((i) => [i.id, i.title]));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ minLength: 1, maxLength: 12 }),
            fc.constantFrom('1', '01', '4', '5', '0x2', '1e0', '2.0')
          ),
          async (raw) => {
            cleanup();
            renderApp(url(raw), new FakeTrackerApi({ issues: ISSUES }));
            const [shown] = await screen.findAllByTestId(
              (id) => id === testIds.issue.title || id === testIds.state.error
            );
            const title = /^[0-9]{1,15}$/.test(raw) ? known.get(Number(raw)) : undefined;
            if (title !== undefined) {
              expect(shown).toHaveTextContent(title);
            } else {
              expect(shown.getAttribute('data-testid')).toBe(testIds.state.error);
            }
          }
        ),
        { numRuns: 150 }
      );
    },
    RENDER_PROPERTY_TIMEOUT_MS
  );

  test(
    'an issue whose event carries any JSON (as the payload or in its parts) renders, never a crash (150 cases)',
    async () => {
      const odd = fc.jsonValue({ maxDepth: 3 });
      const payload = fc.oneof(
        odd,
        fc
          .record({
            key: fc.constantFrom('exception', 'breadcrumbs', 'message', 'tags', 'user', 'logentry'),
            value: fc.oneof(
              odd,
              odd.map((v) => ({ values: [v] })),
              odd.map((v) => ({ values: [{ type: v, value: v, stacktrace: { frames: [v, { filename: v }] } }] })),
              odd.map((v) => [{ timestamp: v, message: v, category: v, data: v }])
            ),
          })
          .map(({ key, value }) => ({ ...EVENT_1.event, [key]: value }))
      );
      await fc.assert(
        fc.asyncProperty(payload, async (event) => {
          cleanup();
          const stored: StoredEvent = { ...EVENT_1, event: event as SentryEventPayload };
          renderApp(url('1'), new FakeTrackerApi({ issues: ISSUES, events: { 1: [stored] } }));
          await screen.findByText('Breadcrumbs');
          expect(screen.getByTestId(testIds.issue.container)).toBeInTheDocument();
        }),
        { numRuns: 150 }
      );
    },
    RENDER_PROPERTY_TIMEOUT_MS
  );
});
