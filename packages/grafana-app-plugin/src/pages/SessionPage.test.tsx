import { setTimeZoneResolver } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ProxyTrackerApi } from '../api/client';
import { FakeTrackerApi } from '../api/fake';
import { testIds } from '../components/testIds';
import { nestOperations } from '../components/Waterfall';
import { fakeBackend } from '../test/backend';
import { URL_create, readBlob } from '../test/blobs';
import {
  ENCODED_TEXT_SESSION_ID,
  ODD_SESSION_ID,
  PATH_SESSION_ID,
  SESSION,
  SESSION_CUT,
  SESSION_EVENTS_CUT,
  XSS,
  sessionWithId,
} from '../testdata/fixtures';
import { renderApp, renderAppInGrafanaHistory } from '../test/render';

const URL = '/a/beacon-observability-app/sessions/req-42';

describe('Debug session page', () => {
  test('another session opened after one has loaded shows nothing of the first while its own loads', async () => {
    const fake = new FakeTrackerApi({ sessions: [SESSION], pendingFor: { getSession: 'req-43' } });
    renderAppInGrafanaHistory(URL, fake);
    expect(await screen.findByTestId(testIds.session.container)).toBeInTheDocument();
    act(() => locationService.push('/a/beacon-observability-app/sessions/req-43'));
    expect(await screen.findByText('Loading debug session…')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.session.container)).toBeNull();
  });

  test("shows when the session started in the Grafana user's time zone", async () => {
    setTimeZoneResolver(() => 'America/New_York');
    try {
      renderApp(URL, new FakeTrackerApi({ sessions: [SESSION] }));
      await screen.findByTestId(testIds.session.container);
      // New York is UTC-5 in November: 11:57:59Z is 06:57:59 EST.
      expect(screen.getByText('started 2026-11-22 06:57:59.000 EST')).toBeInTheDocument();
    } finally {
      setTimeZoneResolver(() => 'browser');
    }
  });

  test('nests operations under their parents in start order', () => {
    expect(nestOperations(SESSION.timeline).map((r) => [r.op.name, r.depth])).toEqual([
      ['GET /users/:id', 0],
      ['SELECT users', 1],
      ['infer embeddings', 1],
    ]);
  });

  test('draws the waterfall with durations, positions and slow operations flagged', async () => {
    renderApp(URL, new FakeTrackerApi({ sessions: [SESSION] }));
    const ops = await screen.findAllByTestId(testIds.session.operation);
    expect(ops.map((o) => o.textContent)).toEqual([
      'api-gateway GET /users/:id2.00 s slow',
      'api-gateway SELECT users50 ms',
      'ai-service infer embeddings500 ms',
    ]);
    expect(ops.map((o) => o.getAttribute('data-slow'))).toEqual(['true', 'false', 'false']);
    const bar = ops[2].querySelector('[data-bar]') as HTMLElement;
    expect(bar.style.left).toBe('10.000%');
    expect(bar.getAttribute('title')).toBe('infer embeddings: 500 ms');
  });

  test('places errors on the timeline and lists them with a link to their issue', async () => {
    renderApp(URL, new FakeTrackerApi({ sessions: [SESSION] }));
    const marker = await screen.findByTestId(testIds.session.errorMarker);
    expect(marker.style.left).toBe('50.000%');
    expect(marker).toHaveAttribute('aria-label', `error at +1.00 s: ${XSS}`);
    const link = screen.getByRole('link', { name: XSS });
    expect(link).toHaveAttribute('href', '/a/beacon-observability-app/issues/1');
  });

  test('shows the memory snapshots as a series with the peak', async () => {
    renderApp(URL, new FakeTrackerApi({ sessions: [SESSION] }));
    const memory = await screen.findByTestId(testIds.session.memory);
    expect(memory).toHaveTextContent('2 snapshots · peak RSS 150.0 MiB');
    const lines = memory.querySelectorAll('polyline');
    expect(lines[0].getAttribute('points')).toBe('0.0,41.3 300.0,4.0');
  });

  test('exports the session as a JSON download', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION] });
    const created: Blob[] = [];
    URL_create(created);
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderApp(URL, api);
    await userEvent.click(await screen.findByTestId(testIds.session.export));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    expect(api.callsOf('exportSession')).toEqual([['req-42']]);
    const anchor = click.mock.instances[0] as unknown as HTMLAnchorElement;
    expect(anchor.download).toBe('debug-session-req-42.json');
    expect(JSON.parse(await readBlob(created[0]))).toEqual({
      exportedAt: '2026-11-22T12:00:00.000Z',
      session: SESSION,
    });
    click.mockRestore();
  });

  test('opened by a trace id linked to a correlation id, shows and exports that session by its own id', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION] });
    URL_create([]);
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderApp('/a/beacon-observability-app/sessions/4bf92f3577b34da6a3ce929d0e0e4736', api);
    await userEvent.click(await screen.findByTestId(testIds.session.export));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('req-42');
    expect(api.callsOf('exportSession')).toEqual([['req-42']]);
    expect((click.mock.instances[0] as unknown as HTMLAnchorElement).download).toBe('debug-session-req-42.json');
    click.mockRestore();
  });

  test("a long id's export is named as the tracker names it: the id cut to 200 characters", async () => {
    const id = `${'a'.repeat(199)}é${'b'.repeat(100)}`;
    const api = new FakeTrackerApi({ sessions: [sessionWithId(id)] });
    URL_create([]);
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderApp(`/a/beacon-observability-app/sessions/${encodeURIComponent(id)}`, api);
    await userEvent.click(await screen.findByTestId(testIds.session.export));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    const name = (click.mock.instances[0] as unknown as HTMLAnchorElement).download;
    expect(name).toBe(`debug-session-${'a'.repeat(199)}_.json`);
    expect(name).toHaveLength(219);
    click.mockRestore();
  });

  test('an unknown session shows not found with a way back', async () => {
    renderApp('/a/beacon-observability-app/sessions/nope', new FakeTrackerApi({ sessions: [SESSION] }));
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('Not found');
    expect(within(document.body).getByText('← All debug sessions')).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/sessions'
    );
  });

  test('a session the tracker answered cut says which lists show only the first of its records', async () => {
    renderApp('/a/beacon-observability-app/sessions/req-44', new FakeTrackerApi({ sessions: [SESSION_CUT] }));
    await screen.findByTestId(testIds.session.container);
    expect(screen.getByText('200000 operations')).toBeInTheDocument();
    expect(screen.getAllByTestId(testIds.session.cut).map((n) => n.textContent)).toEqual([
      'Showing the first 3 of 200000 operations (the earliest by start).',
      'Showing the first 3 memory snapshots (the earliest); the session may have more.',
    ]);
    // In words, announced politely (Grafana's info Alert is a status), not by colour alone.
    expect(
      screen.getByRole('status', { name: 'Showing the first 3 of 200000 operations (the earliest by start).' })
    ).toBeInTheDocument();
  });

  test('with every operation listed, error events fewer than the session counts are said to be cut', async () => {
    renderApp('/a/beacon-observability-app/sessions/req-45', new FakeTrackerApi({ sessions: [SESSION_EVENTS_CUT] }));
    await screen.findByTestId(testIds.session.container);
    expect(screen.getAllByTestId(testIds.session.cut).map((n) => n.textContent)).toEqual([
      'Showing the first 2 of 5 error events (the earliest).',
    ]);
  });

  test.each([
    ['as the fixture counts it', SESSION],
    // As the tracker counts it: the error event and the failed operation.
    ['with errors counting the failed operation', { ...SESSION, errors: 2 }],
  ])('a whole session (%s) shows no notice of a cut', async (_, session) => {
    renderApp(URL, new FakeTrackerApi({ sessions: [session] }));
    await screen.findByTestId(testIds.session.container);
    expect(screen.queryByTestId(testIds.session.cut)).toBeNull();
  });

  test('error titles on the timeline stay inert text', async () => {
    const { container } = renderApp(URL, new FakeTrackerApi({ sessions: [SESSION] }));
    await screen.findByTestId(testIds.session.errorMarker);
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('Debug session page of a tracker with several projects', () => {
  const PROJECTS = [
    { id: 1, name: 'shop' },
    { id: 2, name: 'payments' },
  ];

  test.each([
    [[1, 2], 'sent to shop, payments'],
    [[2], 'sent to payments'],
    [[3], 'sent to project 3'], // one the tracker no longer lists
  ])('names the projects %j its records were sent to', async (projectIds, named) => {
    renderApp(URL, new FakeTrackerApi({ projects: PROJECTS, sessions: [{ ...SESSION, projectIds }] }));
    expect(await screen.findByTestId(testIds.session.projects)).toHaveTextContent(named);
  });

  test('with one project, names none', async () => {
    const fake = new FakeTrackerApi({ projects: [PROJECTS[0]], sessions: [SESSION] });
    renderApp(URL, fake);
    await screen.findByTestId(testIds.session.container);
    await waitFor(() => expect(fake.callsOf('projects')).toHaveLength(1));
    await act(async () => {}); // the projects' answer is rendered
    expect(screen.queryByTestId(testIds.session.projects)).toBeNull();
  });
});

describe('Debug session page for an id with characters a URL path treats specially', () => {
  const TRACKER = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1/sessions';

  /** Opens the page, exports the session, and gives back the tracker requests and the id shown. */
  async function openAndExport(render: typeof renderApp, path: string, id: string, tracked: string) {
    URL_create([]);
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const { backend, requests } = fakeBackend({
      [`GET ${TRACKER}/${tracked}`]: sessionWithId(id),
      [`GET ${TRACKER}/${tracked}/export`]: { exportedAt: '2026-11-22T12:00:00.000Z', session: sessionWithId(id) },
    });
    render(path, new ProxyTrackerApi(() => backend));
    await userEvent.click(await screen.findByTestId(testIds.session.export));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    click.mockRestore();
    // Those of the session: the page also asks for the projects, to name them.
    const asked = requests.filter((r) => r.startsWith(`GET ${TRACKER}`));
    return { requests: asked, shown: screen.getByRole('heading', { level: 2 }).textContent };
  }

  test.each([
    [ODD_SESSION_ID, 'checkout%3Areq-42%3Fx%3D1%23top%2050%25'],
    // useParams read this one as "GET/checkout".
    [ENCODED_TEXT_SESSION_ID, 'GET%252Fcheckout'],
  ])(
    "in React Router's MemoryRouter, opened at its encoded URL, %j is asked of the tracker as one path segment",
    async (id, segment) => {
      const { requests, shown } = await openAndExport(
        renderApp,
        `/a/beacon-observability-app/sessions/${segment}`,
        id,
        segment
      );
      expect(shown).toBe(id);
      expect(requests).toEqual([`GET ${TRACKER}/${segment}`, `GET ${TRACKER}/${segment}/export`]);
    }
  );

  test("in Grafana's history, which runs decodeURI over the pathname first, an id with :, ?, #, a space and no % round-trips", async () => {
    const segment = 'checkout%3Areq-42%3Fx%3D1%23top%2050';
    const { requests, shown } = await openAndExport(
      renderAppInGrafanaHistory,
      `/a/beacon-observability-app/sessions/${segment}`,
      PATH_SESSION_ID,
      segment
    );
    expect(shown).toBe(PATH_SESSION_ID);
    expect(requests).toEqual([`GET ${TRACKER}/${segment}`, `GET ${TRACKER}/${segment}/export`]);
  });
});
