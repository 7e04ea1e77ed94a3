import { Observable, of } from 'rxjs';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type BackendSrvRequest, type FetchResponse, locationService } from '@grafana/runtime';
import { ProxyTrackerApi, TrackerError } from '../api/client';
import { FakeTrackerApi } from '../api/fake';
import type { Page, SessionSummary } from '../api/types';
import { testIds } from '../components/testIds';
import { fakeBackend } from '../test/backend';
import { NOW, ODD_SESSION_ID, PATH_SESSION_ID, SESSION, SESSION_2, sessionWithId } from '../testdata/fixtures';
import { reloadAppInGrafanaHistory, renderApp, renderAppInGrafanaHistory } from '../test/render';
import { MIN_DURATION_PROBLEM } from './SessionsPage';

const URL = '/a/beacon-observability-app/sessions';
const rows = () =>
  screen.getAllByTestId(testIds.sessions.row).map((r) =>
    within(r)
      .getAllByRole('cell')
      .map((c) => c.textContent)
  );

describe('Debug sessions page', () => {
  test('lists sessions by correlation id with services, duration, operations, errors and slow operations', async () => {
    renderApp(URL, new FakeTrackerApi({ sessions: [SESSION, SESSION_2] }));
    await screen.findAllByTestId(testIds.sessions.row);
    expect(rows().map((r) => [r[0], r[1], r[3], r[4], r[5], r[6]])).toEqual([
      ['req-42', 'api-gateway, ai-service', '2.00 s', '3', '1', '1'],
      ['req-43', 'collaboration', '120 ms', '1', '0', '0'],
    ]);
    expect(within(screen.getAllByTestId(testIds.sessions.row)[0]).getByRole('link')).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/sessions/req-42'
    );
  });

  test("a session's start is a relative time whose exact UTC time the keyboard and screen readers reach", async () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW); // 2026-11-22 12:00 UTC
    try {
      renderApp(URL, new FakeTrackerApi({ sessions: [SESSION] }));
      const [row] = await screen.findAllByTestId(testIds.sessions.row);
      const started = within(row).getAllByRole('cell')[2];
      // What a screen reader reads in the cell; the part in brackets is out of sight.
      expect(started.textContent).toBe('2m ago (2026-11-22 11:57:59.000 UTC)');
      const time = within(started).getByRole('time');
      expect(time).toHaveAttribute('datetime', '2026-11-22T11:57:59.000Z');
      expect(started).not.toHaveAttribute('title');
      // Tab from the session's link reaches the time (the services cell holds nothing to focus).
      act(() => within(row).getByRole('link').focus());
      await userEvent.tab();
      expect(time).toHaveFocus();
      expect(await screen.findByRole('tooltip')).toHaveTextContent('2026-11-22 11:57:59.000 UTC');
      expect(time).toHaveAccessibleDescription('2026-11-22 11:57:59.000 UTC');
    } finally {
      jest.restoreAllMocks();
    }
  });

  test('searches by correlation id and narrows to sessions with errors', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION, SESSION_2] });
    renderApp(URL, api);
    await screen.findAllByTestId(testIds.sessions.row);
    await userEvent.type(screen.getByTestId(testIds.sessions.search), 'req-43{enter}');
    await waitFor(() => expect(rows().map((r) => r[0])).toEqual(['req-43']));
    expect(api.callsOf('listSessions').at(-1)![0]).toEqual({ q: 'req-43', limit: 200 });

    await userEvent.clear(screen.getByTestId(testIds.sessions.search));
    await userEvent.tab();
    await waitFor(() => expect(rows()).toHaveLength(2));
    await userEvent.click(screen.getByLabelText('Only with errors'));
    await waitFor(() => expect(rows().map((r) => r[0])).toEqual(['req-42']));
    expect(api.callsOf('listSessions').at(-1)![0]).toEqual({ hasErrors: true, limit: 200 });
  });

  test('a minimum duration that is none keeps the filter as it was, and the field says why', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION, SESSION_2] }); // 2000 ms and 120 ms
    renderAppInGrafanaHistory(`${URL}?minDurationMs=500`, api);
    await waitFor(() => expect(rows().map((r) => r[0])).toEqual(['req-42']));
    const field = screen.getByRole('textbox', { name: 'Minimum duration in milliseconds' });
    expect(field).toHaveValue('500');
    expect(field).not.toHaveAttribute('aria-invalid');

    // Typed in one change: cleared first, the field would drop the filter once its debounce ran
    // (300 ms, which a loaded machine can take between two steps of a test).
    fireEvent.change(field, { target: { value: '2s' } });
    await userEvent.type(field, '{enter}');
    // What was typed stays, marked invalid and why; the list keeps its filter, asking for nothing.
    expect(field).toHaveValue('2s');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(MIN_DURATION_PROBLEM)).toBeInTheDocument();
    expect(MIN_DURATION_PROBLEM).toMatch(/a whole number of milliseconds/);
    expect(locationService.getLocation().search).toBe('?minDurationMs=500');
    expect(rows().map((r) => r[0])).toEqual(['req-42']);
    expect(api.callsOf('listSessions')).toEqual([[{ minDurationMs: 500, limit: 200 }]]);

    // Typing the filter's own value again clears the error.
    await userEvent.clear(field);
    await userEvent.type(field, '500{enter}');
    expect(screen.queryByText(MIN_DURATION_PROBLEM)).not.toBeInTheDocument();
    expect(field).not.toHaveAttribute('aria-invalid');
    expect(field).toHaveValue('500');

    await userEvent.clear(field);
    await userEvent.type(field, '100{enter}');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(locationService.getLocation().search).toBe('?minDurationMs=100');
    // Emptied, the field drops the filter.
    await userEvent.clear(field);
    await userEvent.tab();
    await waitFor(() => expect(locationService.getLocation().search).toBe(''));
    expect(screen.queryByText(MIN_DURATION_PROBLEM)).not.toBeInTheDocument();
  });

  test('"Only with errors" is a step Back undoes; typing a service replaces its step', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION, SESSION_2] });
    const history = locationService.getHistory();
    renderAppInGrafanaHistory(URL, api);
    await waitFor(() => expect(rows()).toHaveLength(2));
    await userEvent.click(screen.getByTestId(testIds.sessions.withErrors));
    await waitFor(() => expect(locationService.getLocation().search).toBe('?hasErrors=true'));
    expect(history.action).toBe('PUSH');
    await userEvent.type(screen.getByTestId(testIds.sessions.service), 'api-gateway{enter}');
    await waitFor(() => expect(locationService.getLocation().search).toBe('?hasErrors=true&service=api-gateway'));
    expect(history.action).toBe('REPLACE');

    // Back: the list before the checkbox, with every session.
    act(() => history.goBack());
    await waitFor(() => expect(locationService.getLocation().search).toBe(''));
    expect(locationService.getLocation().pathname).toBe(URL);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId(testIds.sessions.withErrors)).not.toBeChecked();
    expect(screen.getByTestId(testIds.sessions.service)).toHaveValue('');
  });

  test('an empty list tells the user how to get sessions', async () => {
    renderApp(URL, new FakeTrackerApi({ sessions: [] }));
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent(
      'Send spans with the OpenTelemetry OTLP exporter'
    );
  });

  test('an unreachable tracker points to the configuration page', async () => {
    renderApp(
      URL,
      new FakeTrackerApi({
        failures: { listSessions: new TrackerError('unreachable', 'listing debug sessions: down') },
      })
    );
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('The tracking server is unreachable');
    expect(screen.getByTestId(testIds.state.configLink)).toBeInTheDocument();
  });
});

describe('Debug sessions page of a tracker with several projects', () => {
  const PROJECTS = [
    { id: 1, name: 'shop' },
    { id: 2, name: 'payments' },
  ];
  // A checkout's browser (shop) and API (payments) share its correlation id.
  const sessions = [
    { ...SESSION, projectIds: [1, 2] },
    { ...SESSION_2, projectIds: [2] },
    { ...sessionWithId('req-44'), projectIds: [1] },
  ];
  const headers = () => screen.getAllByRole('columnheader').map((h) => h.textContent);
  /** The projects shown chosen in the filter. */
  const chosen = () =>
    within(screen.getByTestId(testIds.sessions.project))
      .queryAllByRole('button', { name: 'Remove' })
      .map((remove) => remove.parentElement?.textContent);

  test('names the projects of each session, and filters to the projects chosen by name, in the URL too', async () => {
    const fake = new FakeTrackerApi({ projects: PROJECTS, sessions });
    renderAppInGrafanaHistory(URL, fake);
    await waitFor(() => expect(headers()).toContain('Projects'));
    expect(rows().map((r) => [r[0], r[2]])).toEqual([
      ['req-42', 'shop, payments'],
      ['req-43', 'payments'],
      ['req-44', 'shop'],
    ]);

    await userEvent.click(screen.getByLabelText('Project'));
    const listbox = screen.getByRole('listbox', { name: 'Project options' });
    expect([...listbox.children].map((o) => o.textContent)).toEqual(['shop', 'payments']);
    await userEvent.click(screen.getByRole('option', { name: 'shop' }));
    await waitFor(() => expect(rows().map((r) => r[0])).toEqual(['req-42', 'req-44']));
    expect(locationService.getLocation().search).toBe('?project=1');
    expect(chosen()).toEqual(['shop']);
    expect(fake.callsOf('listSessions')).toEqual([[{ limit: 200 }], [{ project: [1], limit: 200 }]]);
  });

  test('a link to some projects asks for their sessions, skipping what is no project id', async () => {
    const fake = new FakeTrackerApi({ projects: PROJECTS, sessions });
    renderAppInGrafanaHistory(`${URL}?project=2&project=payments&project=0&project=2`, fake);
    await waitFor(() => expect(rows().map((r) => r[0])).toEqual(['req-42', 'req-43']));
    expect(fake.callsOf('listSessions')).toEqual([[{ project: [2], limit: 200 }]]);
    await waitFor(() => expect(chosen()).toEqual(['payments']));
  });

  test('a project no session has records of says that nothing matches the filters', async () => {
    const fake = new FakeTrackerApi({ projects: [...PROJECTS, { id: 3, name: 'search' }], sessions });
    renderAppInGrafanaHistory(`${URL}?project=3`, fake);
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No debug sessions match these filters.');
  });

  test('with one project, shows no Project filter and no Projects column', async () => {
    const fake = new FakeTrackerApi({ projects: [PROJECTS[0]], sessions });
    renderAppInGrafanaHistory(URL, fake);
    await screen.findAllByTestId(testIds.sessions.row);
    await waitFor(() => expect(fake.callsOf('projects')).toHaveLength(1));
    await act(async () => {}); // the projects' answer is rendered
    expect(screen.queryByTestId(testIds.sessions.project)).toBeNull();
    expect(headers()).toEqual(['Correlation id', 'Services', 'Started', 'Duration', 'Operations', 'Errors', 'Slow']);
  });
});

describe('Debug sessions page pages through the tracker with nextCursor', () => {
  const TRACKER = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1/sessions';
  const PROJECTS = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1/projects';
  const req44 = sessionWithId('req-44');

  test('"Load more sessions" asks for the next page with its cursor and appends it, one row per session', async () => {
    const { backend, requests } = fakeBackend({
      [`GET ${PROJECTS}`]: { items: [{ id: 1, name: 'shop' }] },
      [`GET ${TRACKER}?hasErrors=true&limit=200`]: { items: [SESSION, SESSION_2], nextCursor: 'c1' },
      // SESSION_2 had a newer record meanwhile and comes again: it keeps its row.
      [`GET ${TRACKER}?hasErrors=true&limit=200&cursor=c1`]: { items: [SESSION_2, req44], nextCursor: 'c2' },
      [`GET ${TRACKER}?hasErrors=true&limit=200&cursor=c2`]: { items: [], nextCursor: null },
    });
    renderApp(`${URL}?hasErrors=true`, new ProxyTrackerApi(() => backend));
    await screen.findAllByTestId(testIds.sessions.row);
    expect(rows().map((r) => r[0])).toEqual(['req-42', 'req-43']);

    act(() => screen.getByTestId(testIds.sessions.more).focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(rows().map((r) => r[0])).toEqual(['req-42', 'req-43', 'req-44']));
    // Focus goes to the first session the page added, not to the page's start.
    expect(screen.getByRole('link', { name: 'req-44' })).toHaveFocus();
    act(() => screen.getByTestId(testIds.sessions.more).focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByTestId(testIds.sessions.more)).not.toBeInTheDocument());
    expect(rows().map((r) => r[0])).toEqual(['req-42', 'req-43', 'req-44']);
    // The last page added nothing and took the button away: focus goes to the last session.
    expect(screen.getByRole('link', { name: 'req-44' })).toHaveFocus();
    expect(requests).toEqual([
      `GET ${PROJECTS}`, // to name them, were there several
      `GET ${TRACKER}?hasErrors=true&limit=200`,
      `GET ${TRACKER}?hasErrors=true&limit=200&cursor=c1`,
      `GET ${TRACKER}?hasErrors=true&limit=200&cursor=c2`,
    ]);
  });

  test('a further page that fails keeps the rows shown and says why', async () => {
    const { backend } = fakeBackend({
      [`GET ${TRACKER}?limit=200`]: { items: [SESSION], nextCursor: 'stale' },
    });
    renderApp(URL, new ProxyTrackerApi(() => backend));
    await screen.findAllByTestId(testIds.sessions.row);
    await userEvent.click(screen.getByTestId(testIds.sessions.more));
    expect(
      await screen.findByText(
        "listing debug sessions: the tracker URL does not lead to the tracking server's API (404: no fake for GET " +
          `${TRACKER}?limit=200&cursor=stale)`
      )
    ).toBeInTheDocument();
    expect(rows().map((r) => r[0])).toEqual(['req-42']);
  });

  test("while new filters load, the old list's cursor is not used", async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION, SESSION_2] });
    const answers: Array<(page: Page<SessionSummary>) => void> = [];
    const listSessions = jest.fn(
      (..._args: Parameters<FakeTrackerApi['listSessions']>) =>
        new Promise<Page<SessionSummary>>((resolve) => answers.push(resolve))
    );
    api.listSessions = listSessions;
    renderApp(URL, api);
    act(() => answers[0]({ items: [SESSION], nextCursor: 'old' }));
    await screen.findAllByTestId(testIds.sessions.row);
    await userEvent.click(screen.getByLabelText('Only with errors'));
    await waitFor(() => expect(listSessions).toHaveBeenCalledTimes(2));
    // Waiting, but not `disabled` (a disabled button drops the keyboard focus).
    expect(screen.getByTestId(testIds.sessions.more)).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(screen.getByTestId(testIds.sessions.more));
    expect(listSessions.mock.calls.map(([query]) => query)).toEqual([{ limit: 200 }, { hasErrors: true, limit: 200 }]);
  });

  test('the fake tracker searches session ids as the real one: case and all', async () => {
    const api = new FakeTrackerApi({ sessions: [sessionWithId('Req-1'), sessionWithId('req-2')] });
    expect((await api.listSessions({ q: 'req' })).items.map((s) => s.id)).toEqual(['req-2']);
    expect((await api.listSessions({ q: 'Req' })).items.map((s) => s.id)).toEqual(['Req-1']);
  });

  test('the fake tracker pages as the real one: every session once, in order', async () => {
    const many = Array.from({ length: 5 }, (_, i) => sessionWithId(`s${i}`));
    const api = new FakeTrackerApi({ sessions: many });
    const first = await api.listSessions({ limit: 2 });
    const second = await api.listSessions({ limit: 2, cursor: first.nextCursor! });
    const third = await api.listSessions({ limit: 2, cursor: second.nextCursor! });
    expect([first, second, third].map((p) => p.items.map((s) => s.id))).toEqual([['s0', 's1'], ['s2', 's3'], ['s4']]);
    expect(third.nextCursor).toBeNull();
  });
});

/**
 * The cell shows `id` and says `why` it has no link to a screen reader (in text out of sight) and
 * to the keyboard (the id is a tab stop whose tooltip, shown on focus, describes it), not in a
 * title only a mouse can show.
 */
async function expectHint(cell: HTMLElement, id: string, why: string) {
  expect(cell.textContent).toBe(`${id} (${why})`);
  const shown = within(cell).getByText(id);
  expect(shown).not.toHaveAttribute('title');
  act(() => shown.focus());
  expect(shown).toHaveFocus();
  await waitFor(() => expect(screen.getByRole('tooltip')).toHaveTextContent(why));
  expect(shown).toHaveAccessibleDescription(why);
  act(() => shown.blur());
}

test('a session whose id is "." or ".." is listed without a link, saying why it cannot be opened', async () => {
  renderApp(URL, new FakeTrackerApi({ sessions: [sessionWithId('.'), sessionWithId('..'), SESSION] }));
  await screen.findAllByTestId(testIds.sessions.row);
  const [dot, dotDot, other] = screen.getAllByTestId(testIds.sessions.row);
  const why =
    'This session cannot be opened: browsers drop "." and ".." from URL paths, so the tracking server cannot be asked for it by its id.';
  for (const [row, id] of [
    [dot, '.'],
    [dotDot, '..'],
  ] as const) {
    expect(within(row).queryByRole('link')).toBeNull();
    await expectHint(within(row).getAllByRole('cell')[0], id, why);
  }
  expect(within(other).getByRole('link')).toHaveAttribute('href', '/a/beacon-observability-app/sessions/req-42');
});

test('a session whose id has "/" is listed without a link, saying why it cannot be opened', async () => {
  renderApp(URL, new FakeTrackerApi({ sessions: [sessionWithId('checkout/req-42'), SESSION] }));
  await screen.findAllByTestId(testIds.sessions.row);
  const [slash, other] = screen.getAllByTestId(testIds.sessions.row);
  expect(within(slash).queryByRole('link')).toBeNull();
  await expectHint(
    within(slash).getAllByRole('cell')[0],
    'checkout/req-42',
    'This session cannot be opened: Grafana\'s plugin proxy forwards its "/" unescaped, as a path separator, so the tracking server cannot be asked for it by its id.'
  );
  expect(within(other).getByRole('link')).toHaveAttribute('href', '/a/beacon-observability-app/sessions/req-42');
});

describe('Debug sessions page links to a session whose id has characters a URL path treats specially', () => {
  const TRACKER = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1/sessions';

  /** Renders the list holding one session, follows its link, and gives back the tracker requests. */
  async function followLink(render: typeof renderApp, id: string, segment: string) {
    const session = sessionWithId(id);
    const { backend, requests } = fakeBackend({
      [`GET ${TRACKER}?limit=200`]: { items: [session] },
      [`GET ${TRACKER}/${segment}`]: session,
    });
    const api = new ProxyTrackerApi(() => backend);
    render(URL, api);
    const [row] = await screen.findAllByTestId(testIds.sessions.row);
    const link = within(row).getByRole('link');
    expect(link).toHaveAttribute('href', `/a/beacon-observability-app/sessions/${segment}`);
    await userEvent.click(link);
    expect(await screen.findByTestId(testIds.session.container)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(id);
    // Those of sessions: each page also asks for the projects (to name them), wherever it is.
    return { api, asked: () => requests.filter((r) => r.startsWith(`GET ${TRACKER}`)) };
  }

  test("in React Router's MemoryRouter, an id with :, ?, #, a space and % opens and is asked of the tracker as one path segment", async () => {
    const segment = 'checkout%3Areq-42%3Fx%3D1%23top%2050%25';
    const { asked } = await followLink(renderApp, ODD_SESSION_ID, segment);
    expect(asked()).toEqual([`GET ${TRACKER}?limit=200`, `GET ${TRACKER}/${segment}`]);
  });

  test("in Grafana's history, an id with :, ?, #, a space and no % opens and is asked of the tracker as one path segment", async () => {
    const segment = 'checkout%3Areq-42%3Fx%3D1%23top%2050';
    const { asked } = await followLink(renderAppInGrafanaHistory, PATH_SESSION_ID, segment);
    expect(asked()).toEqual([`GET ${TRACKER}?limit=200`, `GET ${TRACKER}/${segment}`]);
  });

  test("in Grafana's history, reloading the address the link left asks the tracker for the same id with :, ?, #, a space and no %", async () => {
    const segment = 'checkout%3Areq-42%3Fx%3D1%23top%2050';
    const { api, asked } = await followLink(renderAppInGrafanaHistory, PATH_SESSION_ID, segment);
    // What the history holds after the click: decodeURI's output, the space bare, reserved escapes kept.
    expect(locationService.getLocation().pathname).toBe(
      '/a/beacon-observability-app/sessions/checkout%3Areq-42%3Fx%3D1%23top 50'
    );
    reloadAppInGrafanaHistory(api);
    expect(await screen.findByTestId(testIds.session.container)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(PATH_SESSION_ID);
    expect(asked()).toEqual([`GET ${TRACKER}?limit=200`, `GET ${TRACKER}/${segment}`, `GET ${TRACKER}/${segment}`]);
  });
});

describe('Debug sessions page: a request it no longer wants is cancelled', () => {
  const TRACKER = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1/sessions';

  test('a new filter cancels a further page on its way, without an error; leaving cancels its first page', async () => {
    const unsubscribed: string[] = [];
    const backend = {
      fetch<T>(req: BackendSrvRequest) {
        if (req.url === `${TRACKER}?limit=200`) {
          return of({ data: { items: [SESSION], nextCursor: 'c1' }, status: 200 } as FetchResponse<T>);
        }
        if (req.url.endsWith('/projects')) {
          return of({ data: { items: [] }, status: 200 } as FetchResponse<T>);
        }
        // Any other request stays on its way; unsubscribing is what cancels it in Grafana.
        return new Observable<FetchResponse<T>>(() => () => {
          unsubscribed.push(req.url);
        });
      },
    };
    const { unmount } = renderApp(URL, new ProxyTrackerApi(() => backend));
    await screen.findAllByTestId(testIds.sessions.row);
    await userEvent.click(screen.getByTestId(testIds.sessions.more));
    await userEvent.click(screen.getByLabelText('Only with errors'));
    await waitFor(() => expect(unsubscribed).toEqual([`${TRACKER}?limit=200&cursor=c1`]));
    await act(async () => {});
    // The old list stays while the new filter's first page loads, with no "cancelled" error.
    expect(rows().map((r) => r[0])).toEqual(['req-42']);
    expect(screen.queryByText(/cancelled/)).toBeNull();
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();

    unmount();
    expect(unsubscribed).toEqual([`${TRACKER}?limit=200&cursor=c1`, `${TRACKER}?hasErrors=true&limit=200`]);
  });
});
