import { setTimeZoneResolver } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TrackerError } from '../api/client';
import { FakeTrackerApi } from '../api/fake';
import type { Page, StoredEvent } from '../api/types';
import { testIds } from '../components/testIds';
import { EVENT_1, EVENT_2, EVENT_PY_LOG, ISSUES, NOW, ODD_SESSION_ID, XSS } from '../testdata/fixtures';
import { URL_create, readBlobBytes } from '../test/blobs';
import { renderApp, renderAppInGrafanaHistory } from '../test/render';

const url = (id: number | string) => `/a/beacon-observability-app/issues/${id}`;

function api(extra: ConstructorParameters<typeof FakeTrackerApi>[0] = {}) {
  return new FakeTrackerApi({ issues: ISSUES, events: { 1: [EVENT_1, EVENT_2] }, ...extra });
}

describe('Issue detail page', () => {
  test('shows title, culprit, status, counts, first/last seen and releases', async () => {
    renderApp(url(1), api());
    expect(await screen.findByTestId(testIds.issue.title)).toHaveTextContent(
      "TypeError: Cannot read properties of undefined (reading 'id')"
    );
    expect(screen.getByText('src/routes/users.ts in getUser')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.issue.status)).toHaveTextContent('open');
    expect(screen.getByText('120 events · 30 users')).toBeInTheDocument();
    expect(screen.getByText('api-gateway@1.3.0, api-gateway@1.4.0')).toBeInTheDocument();
    expect(screen.getByText('Releases')).toBeInTheDocument();
  });

  test('names the project the issue is in, or its id where the tracker does not list it', async () => {
    const projectCell = () => screen.getByText('Project').nextElementSibling;
    const { unmount } = renderApp(url(1), api({ projects: [{ id: 1, name: 'storefront' }] }));
    await screen.findByTestId(testIds.issue.title);
    await waitFor(() => expect(projectCell()).toHaveTextContent(/^storefront$/));
    unmount();
    renderApp(url(1), api({ projects: [{ id: 2, name: 'payments' }] }));
    await screen.findByTestId(testIds.issue.title);
    expect(projectCell()).toHaveTextContent(/^project 1$/);
  });

  test('shows counts in the millions whole, their thousands grouped', async () => {
    renderApp(url(1), api({ issues: ISSUES.map((i) => (i.id === 1 ? { ...i, count: 1_234_567, users: 10_000 } : i)) }));
    expect(await screen.findByText('1,234,567 events · 10,000 users')).toBeInTheDocument();
  });

  test('first and last seen are relative times whose exact UTC time the keyboard and screen readers reach', async () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW); // 2026-11-22 12:00 UTC
    try {
      renderApp(url(1), api());
      const first = (await screen.findByText('First seen')).closest('tr')!;
      const last = screen.getByText('Last seen').closest('tr')!;
      // What a screen reader reads along each row; the part in brackets is out of sight.
      expect(first.textContent).toBe('First seen24h ago (2026-11-21 12:00:00.000 UTC)');
      expect(last.textContent).toBe('Last seen2m ago (2026-11-22 11:58:00.000 UTC)');
      expect(within(first).getByRole('time')).toHaveAttribute('datetime', '2026-11-21T12:00:00.000Z');
      expect(within(last).getByRole('time')).toHaveAttribute('datetime', '2026-11-22T11:58:00.000Z');
      // Each is a tab stop whose tooltip, shown on focus, is the exact time.
      act(() => within(first).getByRole('time').focus());
      expect(await screen.findByRole('tooltip')).toHaveTextContent('2026-11-21 12:00:00.000 UTC');
      await userEvent.tab();
      expect(within(last).getByRole('time')).toHaveFocus();
      await waitFor(() => expect(screen.getByRole('tooltip')).toHaveTextContent('2026-11-22 11:58:00.000 UTC'));
      expect(within(last).getByRole('time')).toHaveAccessibleDescription('2026-11-22 11:58:00.000 UTC');
    } finally {
      jest.restoreAllMocks();
    }
  });

  test("a recent event's button names its exact UTC time after the relative one", async () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    try {
      renderApp(url(1), api());
      const list = await screen.findByTestId(testIds.issue.events);
      await waitFor(() => expect(within(list).getAllByRole('button')).toHaveLength(2));
      expect(
        within(list)
          .getAllByRole('button')
          .map((b) => b.textContent)
      ).toEqual([
        'a1b2c3d4e5f6 · 2m ago (2026-11-22 11:58:00.000 UTC) · api-gateway@1.4.0',
        'b1b2c3d4e5f6 · 1h ago (2026-11-22 11:00:00.000 UTC) · api-gateway@1.3.0',
      ]);
      expect(
        within(list)
          .getAllByRole('time')
          .map((t) => t.getAttribute('datetime'))
      ).toEqual(['2026-11-22T11:58:00.000Z', '2026-11-22T11:00:00.000Z']);
    } finally {
      jest.restoreAllMocks();
    }
  });

  test("a month's many releases leave the detail labels whole (they do not break mid-word)", async () => {
    const releases = Array.from({ length: 30 }, (_, i) => `inventory-service@1.${i}.0`);
    renderApp(url(1), api({ issues: ISSUES.map((i) => (i.id === 1 ? { ...i, releases } : i)) }));
    expect(await screen.findByText(releases.join(', '))).toBeInTheDocument();
    // Chromium broke these labels as "Environ / nment" and "Releas / es" beside a long release list.
    for (const label of ['First seen', 'Last seen', 'Project', 'Environment', 'Releases']) {
      expect(getComputedStyle(screen.getByText(label)).whiteSpace).toBe('nowrap');
    }
  });

  test('a long culprit with nothing to break at wraps instead of running off the page', async () => {
    const culprit = `AbstractSingletonProxyFactoryBeanHandlerDelegate${'Internal'.repeat(20)}(mod53)`;
    renderApp(url(1), api({ issues: ISSUES.map((i) => (i.id === 1 ? { ...i, culprit } : i)) }));
    // "anywhere": a word with no break opportunity may break at any character (CSS Text 3).
    expect(getComputedStyle(await screen.findByText(culprit)).overflowWrap).toBe('anywhere');
  });

  test('explains why the events were grouped, with the grouping components', async () => {
    renderApp(url(1), api());
    const why = await screen.findByTestId(testIds.issue.whyGrouped);
    expect(why).toHaveTextContent('Grouped by in-app frames.');
    expect(within(why).getByText('src/routes/users.ts getUser')).toBeInTheDocument();
    expect(within(why).getByText('src/db/users.ts findUser')).toBeInTheDocument();
  });

  test('changes the status with the status actions', async () => {
    const fake = api();
    renderApp(url(1), fake);
    await screen.findByTestId(testIds.issue.title);
    await userEvent.click(screen.getByLabelText('investigating'));
    await waitFor(() => expect(screen.getByTestId(testIds.issue.status)).toHaveTextContent('investigating'));
    await userEvent.click(screen.getByLabelText('resolved'));
    await waitFor(() => expect(screen.getByTestId(testIds.issue.status)).toHaveTextContent('resolved'));
    expect(fake.callsOf('setStatus')).toEqual([
      [1, 'investigating'],
      [1, 'resolved'],
    ]);
  });

  // The README: Grafana's 403 for a role below the route's (Editor to change a status) names the role needed.
  test("a refused status change says why, in the tracker client's words, and leaves the status as it was", async () => {
    const refused =
      'setting issue 1 to resolved: Grafana refused it for your role (reading needs Viewer, changing a status Editor): plugin proxy route access denied';
    renderApp(url(1), api({ failures: { setStatus: new TrackerError('forbidden', refused, 403) } }));
    await screen.findByTestId(testIds.issue.title);
    await userEvent.click(screen.getByLabelText('resolved'));
    expect(await screen.findByText(refused)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.issue.status)).toHaveTextContent('open');
  });

  test('shows the stack trace innermost first, in-app frames highlighted with context lines', async () => {
    renderApp(url(1), api());
    const exception = await screen.findByTestId(testIds.issue.exception);
    expect(exception).toHaveTextContent("TypeError: Cannot read properties of undefined (reading 'id')");
    const frames = within(exception).getAllByTestId(testIds.issue.frame);
    expect(frames.map((f) => f.getAttribute('data-in-app'))).toEqual(['true', 'false']);
    expect(frames[0]).toHaveTextContent('src/routes/users.ts in getUser at line 42:17in app');
    expect(within(frames[0]).getByTestId(testIds.issue.contextLine).textContent).toBe('42  return user.profile.id;');
    expect(within(frames[0]).getByText('export async function getUser(req) {')).toBeInTheDocument();
    expect(frames[1]).toHaveTextContent('node:internal/process/task_queues in processTicksAndRejections at line 95');

    await userEvent.click(screen.getByTestId(testIds.issue.inAppOnly));
    expect(within(exception).getAllByTestId(testIds.issue.frame)).toHaveLength(1);
  });

  // The tracker groups a log record sent with its stack (sentry-python's stack_info) by the current
  // thread's in-app frames: the stack trace showed "no stack trace" beside them.
  test('an event with its stack under a thread shows the frames it was grouped by', async () => {
    const grouping = {
      rule: 'in-app frames' as const,
      components: ['billing/invoices.py charge', 'worker.py <module>'],
    };
    renderApp(
      url(1),
      api({ issues: ISSUES.map((i) => (i.id === 1 ? { ...i, grouping } : i)), events: { 1: [EVENT_PY_LOG] } })
    );
    const stack = await screen.findByTestId(testIds.issue.exception);
    expect(screen.queryByText('This event has no exception or stack trace.')).toBeNull();
    const frames = within(stack).getAllByTestId(testIds.issue.frame);
    expect(frames.filter((f) => f.getAttribute('data-in-app') === 'true').map((f) => f.textContent)).toEqual([
      expect.stringContaining('billing/invoices.py in charge at line 17'),
      expect.stringContaining('worker.py in <module> at line 30'),
    ]);
    expect(
      within(screen.getByTestId(testIds.issue.whyGrouped)).getByText('billing/invoices.py charge')
    ).toBeInTheDocument();
  });

  test("shows the event's tags and breadcrumbs", async () => {
    renderApp(url(1), api());
    const tags = await screen.findByTestId(testIds.issue.tags);
    expect(
      within(tags)
        .getAllByRole('row')
        .map((r) => r.textContent)
    ).toEqual(['correlation_idreq-42', 'serviceapi-gateway']);
    const crumbs = screen.getByTestId(testIds.issue.breadcrumbs);
    expect(
      within(crumbs)
        .getAllByRole('row')
        .map((r) => r.textContent)
    ).toEqual([
      'TimeCategoryLevelMessage',
      // In Grafana's default time zone, the browser's (UTC in these tests).
      '2026-11-22 11:57:59.000httpinfo' + 'GET /users/7',
      '2026-11-22 11:58:00.000consolewarning' + XSS,
    ]);
  });

  test("lists the event's attachments and downloads one's bytes as the tracker sends them", async () => {
    const attachments = [
      {
        id: 4,
        filename: 'config.json',
        contentType: 'application/json',
        type: 'event.attachment',
        size: 1536,
        filtered: false,
      },
      {
        id: 5,
        filename: 'crash.dmp',
        contentType: 'application/octet-stream',
        type: 'event.minidump',
        size: 300,
        filtered: true,
      },
    ];
    const fake = api({
      events: { 1: [{ ...EVENT_1, attachments }, EVENT_2] },
      attachments: { 4: Uint8Array.from([123, 0, 255]) },
    });
    const created: Blob[] = [];
    URL_create(created);
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    try {
      renderApp(url(1), fake);
      const table = await screen.findByTestId(testIds.issue.attachments);
      expect(
        within(table)
          .getAllByRole('row')
          .map((r) => r.textContent)
      ).toEqual([
        'FileTypeSizeContent',
        'config.jsonapplication/json1.5 KiBDownload',
        'crash.dmpapplication/octet-stream300 BFiltered whole by scrubbing',
      ]);
      // A filtered one has nothing to download.
      expect(within(table).getAllByRole('button')).toHaveLength(1);
      await userEvent.click(within(table).getByRole('button', { name: 'Download config.json' }));
      await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
      expect(fake.callsOf('attachment')).toEqual([[4]]);
      expect((click.mock.instances[0] as unknown as HTMLAnchorElement).download).toBe('config.json');
      expect(created[0].type).toBe('application/octet-stream');
      expect(await readBlobBytes(created[0])).toEqual([123, 0, 255]);
    } finally {
      click.mockRestore();
    }
  });

  test('a failed download says why, for its event only; an event without attachments says it has none', async () => {
    const file = (id: number, filename: string) => ({
      id,
      filename,
      contentType: 'text/plain',
      type: 'event.attachment',
      size: 3,
      filtered: false,
    });
    const events = [
      { ...EVENT_1, attachments: [file(6, 'gone.txt')] },
      { ...EVENT_2, attachments: [file(7, 'other.txt')] },
      { ...EVENT_2, id: 'e3', attachments: [] },
    ];
    renderApp(url(1), api({ events: { 1: events } }));
    const table = await screen.findByTestId(testIds.issue.attachments);
    await userEvent.click(within(table).getByRole('button', { name: 'Download gone.txt' }));
    const refused = 'downloading attachment 6: not found: attachment 6 not found';
    expect(await screen.findByText(refused)).toBeInTheDocument();
    // Another event's attachments, without the first one's error.
    const picks = () => within(screen.getByTestId(testIds.issue.events)).getAllByRole('button');
    await userEvent.click(picks()[1]);
    expect(await screen.findByRole('button', { name: 'Download other.txt' })).toBeInTheDocument();
    expect(screen.queryByText(refused)).toBeNull();
    await userEvent.click(picks()[2]);
    expect(await screen.findByText('No attachments.')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.issue.attachments)).toBeNull();
  });

  test('lists what users wrote about the selected event, their words as text; an event without any says so', async () => {
    const feedback = [
      {
        id: 1,
        receivedAt: '2026-11-22T11:58:10.000Z',
        name: 'Ana',
        email: 'ana@example.com',
        message: `It broke at checkout.\nSecond line ${XSS}`,
        url: 'https://shop.example/checkout',
        attachments: [],
      },
      { id: 2, receivedAt: '2026-11-22T11:59:00.000Z', name: '', email: '', message: 'Same here.', attachments: [] },
    ];
    setTimeZoneResolver(() => 'utc');
    try {
      renderApp(url(1), api({ events: { 1: [{ ...EVENT_1, feedback }, EVENT_2] } }));
      const list = await screen.findByTestId(testIds.issue.eventFeedback);
      expect(
        within(list)
          .getAllByRole('listitem')
          .map((li) => li.textContent)
      ).toEqual([
        `Ana <ana@example.com> · 2026-11-22 11:58:10.000 UTC · on https://shop.example/checkoutIt broke at checkout.\nSecond line ${XSS}`,
        'Anonymous · 2026-11-22 11:59:00.000 UTCSame here.',
      ]);
      // The user's text is never markup.
      expect(list.querySelector('img')).toBeNull();
      const picks = within(screen.getByTestId(testIds.issue.events)).getAllByRole('button');
      await userEvent.click(picks[1]);
      expect(await screen.findByText('No user feedback.')).toBeInTheDocument();
      expect(screen.queryByTestId(testIds.issue.eventFeedback)).toBeNull();
    } finally {
      setTimeZoneResolver(() => 'browser');
    }
  });

  test('lists the feedback linked to the issue, newest first, each naming its event', async () => {
    const linked = (id: number, eventId: string, message: string) => ({
      id,
      eventId,
      receivedAt: `2026-11-22T11:5${id}:00.000Z`,
      name: 'Bo',
      email: '',
      message,
      attachments: [],
    });
    const fake = api({ feedback: { 1: [linked(3, EVENT_2.id, 'third'), linked(1, EVENT_1.id, 'first')] } });
    setTimeZoneResolver(() => 'utc');
    try {
      renderApp(url(1), fake);
      const list = await screen.findByTestId(testIds.issue.feedback);
      expect(
        within(list)
          .getAllByRole('listitem')
          .map((li) => li.textContent)
      ).toEqual([
        'Bo · 2026-11-22 11:53:00.000 UTC · event b1b2c3d4third',
        `Bo · 2026-11-22 11:51:00.000 UTC · event ${EVENT_1.id.slice(0, 8)}first`,
      ]);
      expect(fake.callsOf('issueFeedback')).toEqual([[1, undefined, 20]]);
      // All of it came in the first page: nothing older to ask for.
      expect(screen.queryByTestId(testIds.issue.olderFeedback)).toBeNull();
    } finally {
      setTimeZoneResolver(() => 'browser');
    }
  });

  test("another issue opened does not show the first one's feedback while its own is on its way", async () => {
    const fake = api({
      feedback: {
        1: [
          {
            id: 1,
            eventId: EVENT_1.id,
            receivedAt: '2026-11-22T11:58:00.000Z',
            name: 'Ana',
            email: '',
            message: 'one',
            attachments: [],
          },
        ],
      },
      pendingFor: { issueFeedback: 2 },
    });
    renderAppInGrafanaHistory(url(1), fake);
    expect(await screen.findByTestId(testIds.issue.feedback)).toHaveTextContent('one');
    act(() => locationService.push(url(2)));
    expect(await screen.findByText('Loading user feedback…')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.issue.feedback)).toBeNull();
  });

  test("pages the issue's feedback 20 at a time, focus on the first piece added; a failure to load it leaves the rest of the page", async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({
      id: i + 1,
      eventId: EVENT_1.id,
      receivedAt: '2026-11-22T11:50:00.000Z',
      name: '',
      email: '',
      message: `#${i}`,
      attachments: [],
    }));
    const fake = api({ feedback: { 1: many } });
    const { unmount } = renderApp(url(1), fake);
    const list = await screen.findByTestId(testIds.issue.feedback);
    const messages = () =>
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('p')?.textContent);
    expect(messages()).toEqual(many.slice(0, 20).map((f) => f.message));
    await userEvent.click(screen.getByTestId(testIds.issue.olderFeedback));
    await waitFor(() => expect(messages()).toHaveLength(21));
    expect(messages()[20]).toBe('#20');
    expect(within(list).getAllByRole('listitem')[20]).toHaveFocus();
    expect(screen.queryByTestId(testIds.issue.olderFeedback)).toBeNull();
    expect(fake.callsOf('issueFeedback')).toEqual([
      [1, undefined, 20],
      [1, '20', 20],
    ]);
    unmount();
    renderApp(
      url(1),
      api({
        failures: {
          issueFeedback: new TrackerError('server', 'loading user feedback of issue 1: internal error', 500),
        },
      })
    );
    expect(await screen.findByText('The tracking server failed')).toBeInTheDocument();
    // The issue and its event are still shown.
    expect(screen.getByTestId(testIds.issue.title)).toBeInTheDocument();
    expect(await screen.findByTestId(testIds.issue.breadcrumbs)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.issue.feedback)).toBeNull();
  });

  test("shows the event's time and breadcrumb times in the Grafana user's time zone", async () => {
    setTimeZoneResolver(() => 'Asia/Tokyo');
    try {
      renderApp(url(1), api());
      const crumbs = await screen.findByTestId(testIds.issue.breadcrumbs);
      // Tokyo is UTC+9: 11:57:59Z is 20:57:59 there.
      expect(within(crumbs).getAllByRole('row')[1].textContent).toBe('2026-11-22 20:57:59.000 JSThttpinfoGET /users/7');
      const cell = within(crumbs).getAllByRole('row')[1].querySelector('td')!;
      expect(cell).toHaveAttribute('title', '2026-11-22T11:57:59.000Z');
      expect(within(cell).getByRole('time')).toHaveAttribute('datetime', '2026-11-22T11:57:59.000Z');
      // The event's own time, in the line above its stack trace.
      const line = screen.getByText(/^Event a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6 · /);
      expect(line).toHaveTextContent(
        'Event a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6 · 2026-11-22 20:58:00.000 JST · production · api-gateway@1.4.0'
      );
      expect(within(line).getByRole('time')).toHaveAttribute('datetime', '2026-11-22T11:58:00.000Z');
    } finally {
      setTimeZoneResolver(() => 'browser');
    }
  });

  test('links the event to its debug session by correlation id', async () => {
    renderApp(url(1), api());
    expect(await screen.findByTestId(testIds.issue.sessionLink)).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/sessions/req-42'
    );
  });

  test('links to a session whose id has :, ?, #, a space and % with the id as one encoded segment', async () => {
    renderApp(url(1), api({ events: { 1: [{ ...EVENT_1, correlationId: ODD_SESSION_ID }] } }));
    expect(await screen.findByTestId(testIds.issue.sessionLink)).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/sessions/checkout%3Areq-42%3Fx%3D1%23top%2050%25'
    );
  });

  test('an event whose correlation id is "." has no session link (its page would be the session list)', async () => {
    renderApp(url(1), api({ events: { 1: [{ ...EVENT_1, correlationId: '.' }] } }));
    await screen.findByTestId(testIds.issue.breadcrumbs);
    expect(screen.queryByTestId(testIds.issue.sessionLink)).toBeNull();
  });

  test('pages through recent events and shows the one picked', async () => {
    const events: StoredEvent[] = Array.from({ length: 12 }, (_, i) => ({
      ...EVENT_2,
      id: `e${String(i).padStart(2, '0')}`,
      event: { message: `event number ${i}` },
    }));
    const fake = api({ events: { 1: events } });
    renderApp(url(1), fake);
    const list = await screen.findByTestId(testIds.issue.events);
    await waitFor(() => expect(within(list).getAllByRole('button')).toHaveLength(10));
    expect(screen.getByText('event number 0')).toBeInTheDocument();
    act(() => screen.getByTestId(testIds.issue.olderEvents).focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(within(list).getAllByRole('button')).toHaveLength(12));
    // The button left with the last page: focus is on the first event it added, not the page's start.
    expect(within(list).getAllByRole('button')[10]).toHaveFocus();
    expect(fake.callsOf('issueEvents')).toEqual([
      [1, undefined, 10],
      [1, '10', 10],
    ]);
    expect(screen.queryByTestId(testIds.issue.olderEvents)).not.toBeInTheDocument();
    await userEvent.click(within(list).getAllByRole('button')[11]);
    expect(screen.getByText('event number 11')).toBeInTheDocument();
    expect(screen.getByText('This event has no exception or stack trace.')).toBeInTheDocument();
  });

  test('an issue with no stored events says so', async () => {
    renderApp(url(2), api());
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No events stored for this issue');
  });

  test('an unknown issue shows a not-found error with a way back', async () => {
    renderApp(url(999), api());
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('Not found');
    expect(screen.getByText('← All issues')).toHaveAttribute('href', '/a/beacon-observability-app/issues');
  });

  test('"← All issues" takes the list\'s query from history state, and nothing else', async () => {
    renderAppInGrafanaHistory(url(1), api());
    await screen.findByTestId(testIds.issue.title);
    // Reached without the list (a panel, a session, a typed URL): the plain list.
    expect(screen.getByText('← All issues')).toHaveAttribute('href', '/a/beacon-observability-app/issues');
    const withState = (state: unknown) => act(() => locationService.getHistory().push(url(1), state));
    withState({ from: '?status=open&q=deadlock' });
    expect(screen.getByText('← All issues')).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/issues?status=open&q=deadlock'
    );
    // Another page's or app's state is no query: never a path or an address to go to.
    for (const state of [{ from: '//evil.example/x' }, { from: 'https://evil.example' }, { from: 7 }, '?status=open']) {
      withState(state);
      expect(screen.getByText('← All issues')).toHaveAttribute('href', '/a/beacon-observability-app/issues');
    }
  });

  test('a title, culprit, grouping value and breadcrumb that look like HTML stay inert text', async () => {
    const { container } = renderApp(url(3), api({ events: { 3: [EVENT_1] } }));
    expect(await screen.findByTestId(testIds.issue.title)).toHaveTextContent(XSS);
    await screen.findByTestId(testIds.issue.breadcrumbs);
    expect(screen.getAllByText(XSS).length).toBeGreaterThanOrEqual(4);
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('Issue detail page with a bad address', () => {
  test('a non-numeric issue id is named and the tracker is not asked', async () => {
    const fake = new FakeTrackerApi({ issues: ISSUES });
    renderApp(url('abc'), fake);
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('"abc" is not an issue id');
    expect(fake.calls).toEqual([]);
  });
});

/** Events with ids `<prefix>00`, `<prefix>01`, … (the list shows an id's first 12 characters). */
const eventsNamed = (prefix: string, n: number): StoredEvent[] =>
  Array.from({ length: n }, (_, i) => ({ ...EVENT_2, id: `${prefix}${String(i).padStart(2, '0')}` }));

interface HeldRequest {
  args: [id: number, cursor: string | undefined];
  /** Answers with what the data-driven fake answers, or with `page` where given. */
  answer(page?: Page<StoredEvent>): Promise<void>;
  fail(error: Error): Promise<void>;
}

/**
 * The data-driven fake whose events requests wait until the test answers them, in the order it
 * chooses: a tracker that is slow for one request and quick for the next.
 */
class HeldEventsApi extends FakeTrackerApi {
  readonly held: HeldRequest[] = [];

  override issueEvents(id: number, cursor?: string, limit?: number): Promise<Page<StoredEvent>> {
    const stored = super.issueEvents(id, cursor, limit);
    return new Promise((resolve, reject) => {
      this.held.push({
        args: [id, cursor],
        answer: (page) => act(async () => resolve(page ?? (await stored))),
        fail: (error) => act(async () => reject(error)),
      });
    });
  }

  /** The request asked `n`th (from 0), once the page has asked it. */
  async request(n: number): Promise<HeldRequest> {
    await waitFor(() => expect(this.held.length).toBeGreaterThan(n));
    return this.held[n];
  }
}

/** The ids in the recent events list, in order. */
const listedIds = () =>
  within(screen.getByTestId(testIds.issue.events))
    .queryAllByRole('button')
    .map((b) => b.textContent!.split(' · ')[0]);

describe('Issue detail page: a later events request wins over one still on its way', () => {
  const A = eventsNamed('issue1-ev', 12);
  const B = eventsNamed('issue2-ev', 12);
  const heldApi = () => new HeldEventsApi({ issues: ISSUES, events: { 1: A, 2: B } });
  const firstPage = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}0${i}`);

  test("another issue opened while the first one's events are on their way shows its own, whichever answer comes last", async () => {
    const fake = heldApi();
    renderAppInGrafanaHistory(url(1), fake);
    const first = await fake.request(0);
    act(() => locationService.push(url(2)));
    const second = await fake.request(1);
    expect([first.args, second.args]).toEqual([
      [1, undefined],
      [2, undefined],
    ]);
    await second.answer();
    await first.answer();
    expect(await screen.findByText('QueryFailedError: deadlock detected')).toBeInTheDocument();
    // Issue 1's late page replaced issue 2's events, which then said "Loading events…" for good.
    expect(listedIds()).toEqual(firstPage('issue2-ev'));
    expect(screen.queryByTestId(testIds.state.loading)).toBeNull();
  });

  test("an older page of the first issue that comes after the second issue's events is not added to them", async () => {
    const fake = heldApi();
    renderAppInGrafanaHistory(url(1), fake);
    await (await fake.request(0)).answer();
    await waitFor(() => expect(listedIds()).toEqual(firstPage('issue1-ev')));
    await userEvent.click(screen.getByTestId(testIds.issue.olderEvents));
    const older1 = await fake.request(1);
    act(() => locationService.push(url(2)));
    const first2 = await fake.request(2);
    await first2.answer();
    await older1.answer();
    await waitFor(() => expect(listedIds()).toEqual(firstPage('issue2-ev')));
    // Issue 2's own older page follows its first, once each.
    await userEvent.click(screen.getByTestId(testIds.issue.olderEvents));
    const older2 = await fake.request(3);
    expect([older1.args, first2.args, older2.args]).toEqual([
      [1, '10'],
      [2, undefined],
      [2, '10'],
    ]);
    await older2.answer();
    await waitFor(() => expect(listedIds()).toEqual([...firstPage('issue2-ev'), 'issue2-ev10', 'issue2-ev11']));
    expect(screen.queryByTestId(testIds.issue.olderEvents)).toBeNull();
  });

  test('an error from a request another issue superseded is not shown', async () => {
    const fake = heldApi();
    renderAppInGrafanaHistory(url(1), fake);
    const first = await fake.request(0);
    act(() => locationService.push(url(2)));
    await (await fake.request(1)).answer();
    await first.fail(new TrackerError('server', 'loading events of issue 1: the tracker failed (500)', 500));
    await waitFor(() => expect(listedIds()).toEqual(firstPage('issue2-ev')));
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();
  });

  // Retry shows only while no event is listed, and asking for events (Retry or "Older events")
  // disables "Older events" until the answer comes: the two never overlap from the page. A guard
  // that they stay so, in the one state that shows both: an empty first page with a cursor (the
  // tracker's retention removed its events), whose older page failed.
  test('Retry and "Older events" shown together ask one at a time, and the list ends with each event once', async () => {
    const fake = heldApi();
    renderApp(url(1), fake);
    await (await fake.request(0)).answer({ items: [], nextCursor: '10' });
    expect(await screen.findByTestId(testIds.state.empty)).toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.issue.olderEvents));
    await (
      await fake.request(1)
    ).fail(new TrackerError('server', 'loading events of issue 1: the tracker failed (500)', 500));
    await userEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    const retry = await fake.request(2);
    // While Retry's request is on its way "Older events" asks nothing.
    await userEvent.click(screen.getByTestId(testIds.issue.olderEvents));
    expect(fake.held).toHaveLength(3);
    await retry.answer();
    await waitFor(() => expect(listedIds()).toEqual(firstPage('issue1-ev')));
    await userEvent.click(screen.getByTestId(testIds.issue.olderEvents));
    await (await fake.request(3)).answer();
    await waitFor(() => expect(listedIds()).toEqual([...firstPage('issue1-ev'), 'issue1-ev10', 'issue1-ev11']));
    expect(fake.held.map((h) => h.args)).toEqual([
      [1, undefined],
      [1, '10'],
      [1, undefined],
      [1, '10'],
    ]);
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();
  });
});

describe('Issue detail page: a request it no longer wants is cancelled', () => {
  test('another issue cancels the events request still on its way, leaving the page the next; neither shows an error', async () => {
    const fake = new FakeTrackerApi({ issues: ISSUES, pending: ['issueEvents'] });
    const { unmount } = renderAppInGrafanaHistory(url(1), fake);
    await screen.findByTestId(testIds.issue.title);
    await waitFor(() => expect(fake.signalsOf('issueEvents')).toHaveLength(1));
    act(() => locationService.push(url(2)));
    expect(await screen.findByText('QueryFailedError: deadlock detected')).toBeInTheDocument();
    await waitFor(() => expect(fake.signalsOf('issueEvents')).toHaveLength(2));
    expect(fake.callsOf('issueEvents')).toEqual([
      [1, undefined, 10],
      [2, undefined, 10],
    ]);
    const [first, second] = fake.signalsOf('issueEvents');
    expect([first?.aborted, second?.aborted]).toEqual([true, false]);
    // The cancelled request's rejection has come (the fake rejects on abort): no error for it.
    await act(async () => {});
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();
    expect(screen.getByTestId(testIds.state.loading)).toHaveTextContent('Loading events…');

    unmount();
    expect(second?.aborted).toBe(true);
  });

  test('another issue opened after one has loaded shows neither the first one nor its title while its own loads', async () => {
    const fake = new FakeTrackerApi({ issues: ISSUES, events: { 1: [EVENT_1] }, pendingFor: { getIssue: 2 } });
    renderAppInGrafanaHistory(url(1), fake);
    expect(await screen.findByTestId(testIds.issue.title)).toHaveTextContent("reading 'id'");
    act(() => locationService.push(url(2)));
    expect(await screen.findByText('Loading issue…')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.issue.title)).toBeNull();
  });

  test('another issue cancels the issue still loading, and no error is shown for it', async () => {
    const fake = new FakeTrackerApi({ issues: ISSUES, pending: ['getIssue', 'issueEvents'] });
    renderAppInGrafanaHistory(url(1), fake);
    await waitFor(() => expect(fake.signalsOf('getIssue')).toHaveLength(1));
    act(() => locationService.push(url(2)));
    await waitFor(() => expect(fake.signalsOf('getIssue')).toHaveLength(2));
    expect(fake.callsOf('getIssue')).toEqual([[1], [2]]);
    const [first, second] = fake.signalsOf('getIssue');
    expect([first?.aborted, second?.aborted]).toEqual([true, false]);
    await act(async () => {});
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();
    expect(screen.getByTestId(testIds.state.loading)).toHaveTextContent('Loading issue…');
  });
});
