import fc from 'fast-check';
import { cleanup, screen } from '@testing-library/react';
import { FakeTrackerApi } from '../api/fake';
import { testIds } from '../components/testIds';
import { SESSION, SESSION_2 } from '../testdata/fixtures';
import { RENDER_PROPERTY_TIMEOUT_MS, renderApp } from '../test/render';

describe("Debug session page in React Router's MemoryRouter with any id in its path (property)", () => {
  afterEach(cleanup);

  test(
    'shows the session the id names, else the error state, never a crash (200 cases)',
    async () => {
      const sessions = [SESSION, SESSION_2];
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ minLength: 1, maxLength: 16 }),
            // "%2F" as text is what React Router's useParams turned into "/".
            fc.constantFrom(SESSION.id, SESSION_2.id, '%41', '%', '%2', '%2F', 'a/%2F', '..', '?x=1', '#', ' ')
          ),
          async (id) => {
            cleanup();
            const api = new FakeTrackerApi({ sessions });
            renderApp(`/a/beacon-observability-app/sessions/${encodeURIComponent(id)}`, api);
            const [shown] = await screen.findAllByTestId(
              (t) => t === testIds.session.container || t === testIds.state.error
            );
            // The page asks for the id exactly as written in the path, however odd.
            expect(api.callsOf('getSession')[0]).toEqual([id]);
            const known = sessions.some((s) => s.id === id || s.traceIds.includes(id));
            expect(shown.getAttribute('data-testid')).toBe(known ? testIds.session.container : testIds.state.error);
          }
        ),
        { numRuns: 200 }
      );
    },
    RENDER_PROPERTY_TIMEOUT_MS
  );
});
