import { from } from 'rxjs';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type BackendSrvRequest, type FetchResponse, locationService } from '@grafana/runtime';
import { ProxyTrackerApi, TrackerError, toTrackerError } from '../api/client';
import { FakeTrackerApi } from '../api/fake';
import type { BulkStatusResult, IssueDetail, IssueQuery } from '../api/types';
import { testIds } from '../components/testIds';
import { CONFIG_PAGE_URL } from '../constants';
import { ISSUES, NOW, XSS, issue } from '../testdata/fixtures';
import { renderApp, renderAppInGrafanaHistory } from '../test/render';

const ISSUES_URL = '/a/beacon-observability-app/issues';

const rowTitles = () => screen.getAllByTestId(testIds.issues.row).map((r) => within(r).getByRole('link').textContent);
const lastListCall = (api: FakeTrackerApi) => api.callsOf('listIssues').at(-1)![0];

/** `count` issues "Error number 1…count", newest first by `field`, one `stepMs` apart. */
const numberedIssues = (count: number, field: 'lastSeen' | 'firstSeen' = 'lastSeen', stepMs = 1000) =>
  Array.from({ length: count }, (_, i) =>
    issue({
      id: i + 1,
      title: `Error number ${i + 1}`,
      [field]: new Date(Date.UTC(2026, 10, 22) - i * stepMs).toISOString(),
    })
  );

/** The fake answers the first page; any page after it (by cursor) is `items`, the last. */
const lastPageIs = (api: FakeTrackerApi, items: IssueDetail[]) => {
  const fakeAnswer = api.listIssues.bind(api);
  return jest
    .spyOn(api, 'listIssues')
    .mockImplementation((query) => (query.cursor ? Promise.resolve({ items, nextCursor: null }) : fakeAnswer(query)));
};

describe('Issues page', () => {
  test('lists issues newest first with severity, status, counts and hourly sparklines', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    expect(rowTitles()).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'id')",
      'QueryFailedError: deadlock detected',
      XSS,
      'Payment provider timed out',
    ]);
    const first = screen.getAllByTestId(testIds.issues.row)[0];
    expect(within(first).getByText('critical')).toBeInTheDocument();
    expect(within(first).getByText('open')).toBeInTheDocument();
    expect(within(first).getByText('120')).toBeInTheDocument();
    expect(within(first).getByText('30')).toBeInTheDocument();
    expect(within(first).getByTestId(testIds.issues.sparkline)).toHaveAttribute(
      'data-points',
      '0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,10,20,90'
    );
    expect(within(first).getByRole('link')).toHaveAttribute('href', '/a/beacon-observability-app/issues/1');
    expect(lastListCall(api)).toEqual({ sort: 'last_seen', limit: 50 });
  });

  test('a title, culprit or service cut short by its column is shown whole on hover', async () => {
    const service = 'inventory-reservation-and-fulfilment-orchestrator-service-eu-west-1-canary';
    const title = `Unhandled rejection while processing the checkout request ${'for the customer cart '.repeat(8)}`;
    const culprit = `AbstractSingletonProxyFactoryBeanHandlerDelegate${'Internal'.repeat(20)}(mod53)`;
    const api = new FakeTrackerApi({ issues: [{ ...ISSUES[0], title, culprit, service }] });
    renderApp(ISSUES_URL, api);
    const [row] = await screen.findAllByTestId(testIds.issues.row);
    // The columns end in an ellipsis (140 px for the service), so the text is the cell's tooltip.
    expect(within(row).getByText(service)).toHaveAttribute('title', service);
    expect(within(row).getByText(title.trim())).toHaveAttribute('title', title);
    expect(within(row).getByText(culprit)).toHaveAttribute('title', culprit);
  });

  test("an issue's last seen is a relative time whose exact UTC time the keyboard and screen readers reach", async () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW); // 2026-11-22 12:00 UTC
    try {
      renderApp(ISSUES_URL, new FakeTrackerApi({ issues: [ISSUES[0]] }));
      const [row] = await screen.findAllByTestId(testIds.issues.row);
      const lastSeen = within(row).getAllByRole('cell').at(-1)!;
      // What a screen reader reads in the cell; the part in brackets is out of sight.
      expect(lastSeen.textContent).toBe('2m ago (2026-11-22 11:58:00.000 UTC)');
      expect(lastSeen).not.toHaveAttribute('title');
      const time = within(lastSeen).getByRole('time');
      expect(time).toHaveAttribute('datetime', '2026-11-22T11:58:00.000Z');
      // Tab from the issue's link reaches the time (the cells between hold nothing to focus).
      act(() => within(row).getByRole('link').focus());
      await userEvent.tab();
      expect(time).toHaveFocus();
      expect(await screen.findByRole('tooltip')).toHaveTextContent('2026-11-22 11:58:00.000 UTC');
      expect(time).toHaveAccessibleDescription('2026-11-22 11:58:00.000 UTC');
    } finally {
      jest.restoreAllMocks();
    }
  });

  test('the stats header shows events by severity, last hour and day, open issues and the trend', async () => {
    const api = new FakeTrackerApi({
      stats: {
        bySeverity: { critical: 120, error: 45, warning: 3 },
        byService: {},
        topIssues: [],
        lastHour: 90,
        lastDay: 180,
        openIssues: 2,
        trend: [...Array(22).fill(0), 46, 90],
      },
    });
    renderApp(ISSUES_URL, api);
    const header = await screen.findByTestId(testIds.stats.lastHour);
    expect(header).toHaveTextContent('Last hour90');
    expect(screen.getByTestId(`${testIds.stats.severity}-critical`)).toHaveTextContent('critical120');
    expect(screen.getByTestId(`${testIds.stats.severity}-info`)).toHaveTextContent('info0');
    expect(screen.getByTestId(testIds.stats.lastDay)).toHaveTextContent('Last 24 h180');
    // The tracker counts open and investigating issues here (status IN ('open', 'investigating')):
    // labelled "Open issues", it read more than the Open status filter then listed.
    expect(screen.getByTestId(testIds.stats.open)).toHaveTextContent('Open or investigating2');
    // average of the 23 hours before the last one is 2; 90 is +4400 %
    expect(screen.getByTestId(testIds.stats.trend)).toHaveTextContent('+4400% vs 24 h average');
  });

  test('the trend compares the last 60 minutes, not the clock hour in progress, with the hours before', async () => {
    // 10:05 with a steady 120 events an hour: the hour in progress holds 5 minutes' worth so far.
    const api = new FakeTrackerApi({
      stats: {
        bySeverity: {},
        byService: {},
        topIssues: [],
        lastHour: 120,
        lastDay: 2880,
        openIssues: 0,
        trend: [...Array(23).fill(120), 10],
      },
    });
    renderApp(ISSUES_URL, api);
    expect(await screen.findByTestId(testIds.stats.trend)).toHaveTextContent('0% vs 24 h average');
    expect(screen.getByTestId(testIds.stats.trend)).not.toHaveTextContent('-');
  });

  test('filters by status and sorts by events through the API', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(within(screen.getByTestId(testIds.issues.choice('status'))).getByLabelText('Investigating'));
    await waitFor(() => expect(rowTitles()).toEqual(['QueryFailedError: deadlock detected']));
    expect(lastListCall(api)).toEqual({ status: 'investigating', sort: 'last_seen', limit: 50 });

    await userEvent.click(within(screen.getByTestId(testIds.issues.choice('status'))).getByLabelText('All'));
    await userEvent.click(screen.getByLabelText('Events'));
    await waitFor(() =>
      expect(rowTitles()).toEqual([
        "TypeError: Cannot read properties of undefined (reading 'id')",
        'QueryFailedError: deadlock detected',
        'Payment provider timed out',
        XSS,
      ])
    );
    expect(lastListCall(api)).toEqual({ sort: 'events', limit: 50 });
  });

  test('searches and filters by service as the user types', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    await userEvent.type(screen.getByTestId(testIds.issues.search), 'deadlock');
    // On a slow machine a pause between keystrokes may send a partial query first; the last
    // request carries the whole text.
    await waitFor(() => expect(lastListCall(api)).toMatchObject({ q: 'deadlock' }));
    await waitFor(() => expect(rowTitles()).toEqual(['QueryFailedError: deadlock detected']));

    await userEvent.clear(screen.getByTestId(testIds.issues.search));
    await userEvent.type(screen.getByLabelText('Service'), 'ai-service{enter}');
    await waitFor(() => expect(lastListCall(api)).toEqual({ service: ['ai-service'], sort: 'last_seen', limit: 50 }));
    await waitFor(() => expect(rowTitles()).toEqual(['QueryFailedError: deadlock detected']));
  });

  test('a severity in the URL filters the list and shows as the chosen severity', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(`${ISSUES_URL}?severity=warning`, api);
    await waitFor(() => expect(rowTitles()).toEqual([XSS]));
    expect(lastListCall(api)).toEqual({ severity: 'warning', sort: 'last_seen', limit: 50 });
    const severity = within(screen.getByTestId(testIds.issues.choice('severity')));
    expect(severity.getByLabelText('Warning')).toBeChecked();
    expect(severity.getByLabelText('All')).not.toBeChecked();
  });

  test('picks a type, and All clears it', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    const type = within(screen.getByTestId(testIds.issues.choice('type')));
    await userEvent.click(type.getByLabelText('Database'));
    await waitFor(() => expect(rowTitles()).toEqual(['QueryFailedError: deadlock detected']));
    expect(lastListCall(api)).toEqual({ type: 'database', sort: 'last_seen', limit: 50 });
    await userEvent.click(type.getByLabelText('All'));
    await waitFor(() => expect(rowTitles()).toHaveLength(ISSUES.length));
    expect(lastListCall(api)).toEqual({ sort: 'last_seen', limit: 50 });
  });

  test('each filter chosen is a step Back undoes, back to the page before; typing the search replaces its step', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const history = locationService.getHistory();
    renderAppInGrafanaHistory('/a/beacon-observability-app/sessions', api);
    await screen.findByTestId(testIds.sessions.container);
    act(() => locationService.push(ISSUES_URL));
    await screen.findAllByTestId(testIds.issues.row);
    const choice = (filter: 'status' | 'severity', label: string) =>
      within(screen.getByTestId(testIds.issues.choice(filter))).getByLabelText(label);
    await userEvent.click(choice('status', 'Resolved'));
    await waitFor(() => expect(search()).toBe('?status=resolved'));
    await userEvent.click(choice('severity', 'Critical'));
    await waitFor(() => expect(search()).toBe('?status=resolved&severity=critical'));
    await userEvent.type(screen.getByTestId(testIds.issues.search), 'deadlock{enter}');
    await waitFor(() => expect(search()).toBe('?status=resolved&severity=critical&q=deadlock'));
    expect(history.action).toBe('REPLACE');

    // Back from the typed search: the Status choice, not each pause of the typing nor Severity's.
    act(() => history.goBack());
    await waitFor(() => expect(search()).toBe('?status=resolved'));
    expect(choice('status', 'Resolved')).toBeChecked();
    expect(choice('severity', 'All')).toBeChecked();
    expect(screen.getByTestId(testIds.issues.search)).toHaveValue('');
    await waitFor(() => expect(lastListCall(api)).toEqual({ status: 'resolved', sort: 'last_seen', limit: 50 }));
    act(() => history.goBack());
    await waitFor(() => expect(search()).toBe(''));
    expect(locationService.getLocation().pathname).toBe(ISSUES_URL);
    expect(choice('status', 'All')).toBeChecked();
    act(() => history.goBack());
    await screen.findByTestId(testIds.sessions.container);
    expect(locationService.getLocation().pathname).toBe('/a/beacon-observability-app/sessions');
  });

  test('pages through the cursor and keeps 10,000 loaded issues virtualised', async () => {
    const many = numberedIssues(10_000);
    const api = new FakeTrackerApi({ issues: many });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    // A small first page (50) paints fast; later pages are 500 each.
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('50 issues loaded (more available)');
    expect(api.callsOf('listIssues')).toHaveLength(1);
    // scrolling to the end of the first page fetches the next one through the cursor
    fireEvent.scroll(screen.getByTestId(testIds.issues.list), { target: { scrollTop: 45 * 48 } });
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('550 issues loaded'));
    expect(api.callsOf('listIssues')[1][0]).toEqual({ sort: 'last_seen', limit: 500, cursor: '50' });

    // Load the rest, as a user scrolling to the end would.
    for (let i = 0; i < 40 && screen.queryByTestId(testIds.issues.loadMore); i++) {
      const button = screen.getByTestId(testIds.issues.loadMore);
      if (!button.hasAttribute('disabled')) {
        fireEvent.click(button);
      }
      await act(async () => {});
    }
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('10000 issues loaded'));
    const list = screen.getByTestId(testIds.issues.list);
    // WAI-ARIA aria-rowcount counts every row of the table: 10,000 issues and the header row.
    expect(screen.getByRole('table', { name: 'Issues' })).toHaveAttribute('aria-rowcount', '10001');
    expect(screen.getAllByTestId(testIds.issues.row).length).toBeLessThan(40);

    fireEvent.scroll(list, { target: { scrollTop: 9_990 * 48 } });
    await waitFor(() => expect(screen.getByText('Error number 10000')).toBeInTheDocument());
    expect(screen.queryByText('Error number 1')).not.toBeInTheDocument();
    expect(screen.getAllByTestId(testIds.issues.row).length).toBeLessThan(40);
    // Under jest.config.js's 300 s: ~3 s alone, it passed 30 s once on a CI machine that other
    // test runs loaded.
  });

  test('keeps one row per issue when a later page repeats one, showing the newer copy where the row was', async () => {
    // Newest first by first_seen: the first page (50) ends at issue 50, the next holds issue 51.
    const issues = numberedIssues(51, 'firstSeen', 60_000);
    const api = new FakeTrackerApi({ issues });
    // While the first page is read, an SDK's offline queue sends an old event of issue 3: its
    // first_seen drops below every other issue's, so the tracker's next page holds it again.
    const older = { ...issues[2], count: 7, firstSeen: '2026-11-01T00:00:00.000Z' };
    const listIssues = lastPageIs(api, [issues[50], older]);
    renderApp(`${ISSUES_URL}?sort=first_seen`, api);
    await screen.findAllByTestId(testIds.issues.row);
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('50 issues loaded (more available)');

    fireEvent.click(screen.getByTestId(testIds.issues.loadMore));
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('51 issues loaded'));
    expect(listIssues.mock.calls.at(-1)![0]).toEqual({ sort: 'first_seen', limit: 500, cursor: '50' });
    expect(screen.getByRole('table', { name: 'Issues' })).toHaveAttribute('aria-rowcount', '52'); // and the header row
    // The button sent focus to the new row at the end; back to the top.
    fireEvent.scroll(screen.getByTestId(testIds.issues.list), { target: { scrollTop: 0 } });
    expect(rowTitles().slice(0, 4)).toEqual(['Error number 1', 'Error number 2', 'Error number 3', 'Error number 4']);
    const row = screen.getAllByTestId(testIds.issues.row)[2];
    expect(row).toHaveAttribute('data-issue-id', '3');
    expect(within(row).getByText('7')).toBeInTheDocument();
  });

  test('"Load more" by keyboard moves focus to the first row the page added, drawn though it was out of view', async () => {
    // Pages of 50, 500 and 10: each first new row lies far below the rows the virtual list draws.
    const issues = numberedIssues(560);
    renderApp(ISSUES_URL, new FakeTrackerApi({ issues }));
    await screen.findAllByTestId(testIds.issues.row);
    expect(screen.queryByText('Error number 51')).not.toBeInTheDocument();

    act(() => screen.getByTestId(testIds.issues.loadMore).focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('550 issues loaded'));
    expect(document.activeElement).toHaveTextContent('Error number 51');
    expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Error number 51' }));

    // The last page takes the button away: focus is on its first row, not on the document's body.
    act(() => screen.getByTestId(testIds.issues.loadMore).focus());
    await userEvent.keyboard(' ');
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('560 issues loaded'));
    expect(screen.queryByTestId(testIds.issues.loadMore)).not.toBeInTheDocument();
    expect(document.activeElement).toHaveTextContent('Error number 551');
    expect(document.activeElement?.closest('[role="row"]')).toHaveAttribute('aria-rowindex', '552'); // the header is 1
  });

  test('a last page that added nothing new moves focus to the last row', async () => {
    const issues = numberedIssues(51);
    const api = new FakeTrackerApi({ issues });
    // The tracker said more might come, but the next page only repeats an issue already shown.
    lastPageIs(api, [issues[2]]);
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('50 issues loaded (more available)');

    act(() => screen.getByTestId(testIds.issues.loadMore).focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByTestId(testIds.issues.loadMore)).not.toBeInTheDocument());
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('50 issues loaded');
    expect(document.activeElement).toHaveTextContent('Error number 50');
  });

  test('changes the status of the selected issues in bulk', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    const rows = await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(within(rows[0]).getByLabelText('select issue 1'));
    await userEvent.click(within(rows[1]).getByLabelText('select issue 2'));
    expect(screen.getByTestId(testIds.issues.bulkBar)).toHaveTextContent('2 selected');
    await userEvent.click(screen.getByRole('button', { name: 'Mark resolved' }));
    await screen.findByText('2 issues marked resolved.');
    expect(api.callsOf('setStatuses')).toEqual([[[1, 2], 'resolved']]);
    const after = screen.getAllByTestId(testIds.issues.row);
    expect(within(after[0]).getByText('resolved')).toBeInTheDocument();
    expect(within(after[1]).getByText('resolved')).toBeInTheDocument();
    expect(within(after[2]).getByText('open')).toBeInTheDocument();
    // stats are fetched again after the change
    await waitFor(() => expect(api.callsOf('stats')).toHaveLength(2));
  });

  test('focus goes to the select-all checkbox when a bulk change or "Clear selection" takes the bulk buttons away', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    const rows = await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(within(rows[0]).getByLabelText('select issue 1'));
    act(() => screen.getByRole('button', { name: 'Mark resolved' }).focus());
    await userEvent.keyboard('{Enter}');
    await screen.findByText('1 issues marked resolved.');
    expect(screen.queryByRole('button', { name: 'Mark resolved' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('select all loaded issues')).toHaveFocus();

    await userEvent.click(within(rows[1]).getByLabelText('select issue 2'));
    act(() => screen.getByRole('button', { name: 'Clear selection' }).focus());
    await userEvent.keyboard(' ');
    expect(screen.queryByRole('button', { name: 'Clear selection' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('select all loaded issues')).toHaveFocus();
  });

  test('issues the bulk answer names as not found leave the list, and the buttons wait for the answer', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    let answer: (result: BulkStatusResult) => void = () => {};
    const setStatuses = jest.fn(() => new Promise<BulkStatusResult>((resolve) => (answer = resolve)));
    api.setStatuses = setStatuses;
    renderApp(ISSUES_URL, api);
    const rows = await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(within(rows[0]).getByLabelText('select issue 1'));
    await userEvent.click(within(rows[1]).getByLabelText('select issue 2'));
    await userEvent.click(screen.getByRole('button', { name: 'Mark resolved' }));
    // Waiting, but not `disabled` (a disabled button drops the keyboard focus): a click does nothing.
    expect(screen.getByRole('button', { name: 'Mark ignored' })).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Mark ignored' }));
    expect(setStatuses.mock.calls).toEqual([[[1, 2], 'resolved']]);
    // Issue 2 was deleted by retention meanwhile.
    act(() => answer({ updated: [1], notFound: [2] }));
    await screen.findByText('1 issues marked resolved; 1 no longer exist and were removed from the list.');
    expect(screen.getAllByTestId(testIds.issues.row).map((r) => r.getAttribute('data-issue-id'))).toEqual([
      '1',
      '3',
      '4',
    ]);
    expect(within(screen.getAllByTestId(testIds.issues.row)[0]).getByText('resolved')).toBeInTheDocument();
  });

  test('issues a bulk change takes out of the Status filter leave the list and its count; set to it, they stay', async () => {
    const api = new FakeTrackerApi({ issues: numberedIssues(5) });
    renderApp(`${ISSUES_URL}?status=open`, api);
    const rows = await screen.findAllByTestId(testIds.issues.row);
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('5 issues loaded');
    for (const id of [1, 2, 4]) {
      await userEvent.click(within(rows[id - 1]).getByLabelText(`select issue ${id}`));
    }
    act(() => screen.getByRole('button', { name: 'Mark resolved' }).focus());
    await userEvent.keyboard('{Enter}');
    await screen.findByText('3 issues marked resolved.');
    // No longer open: gone from the open list (Sentry's stream does the same), not shown as resolved.
    expect(rowTitles()).toEqual(['Error number 3', 'Error number 5']);
    expect(screen.queryByText('resolved')).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('2 issues loaded');
    // Rows remain: the focus is on the select-all checkbox, as after any bulk change.
    expect(screen.getByLabelText('select all loaded issues')).toHaveFocus();

    // Marked with the status the list is filtered by, they still match and stay.
    await userEvent.click(within(screen.getAllByTestId(testIds.issues.row)[0]).getByLabelText('select issue 3'));
    await userEvent.click(screen.getByRole('button', { name: 'Mark open' }));
    await screen.findByText('1 issues marked open.');
    expect(rowTitles()).toEqual(['Error number 3', 'Error number 5']);
  });

  test('a bulk change that takes every loaded row away: "Load more" where there is more, and the focus on it', async () => {
    const api = new FakeTrackerApi({ issues: numberedIssues(60) });
    renderApp(`${ISSUES_URL}?status=open`, api);
    await screen.findAllByTestId(testIds.issues.row);
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('50 issues loaded (more available)');
    await userEvent.click(screen.getByLabelText('select all loaded issues'));
    act(() => screen.getByRole('button', { name: 'Mark ignored' }).focus());
    await userEvent.keyboard('{Enter}');
    await screen.findByText('50 issues marked ignored.');
    expect(screen.queryAllByTestId(testIds.issues.row)).toHaveLength(0);
    expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('0 issues loaded (more available)');
    // Not "No issues match these filters": the tracker has more open issues.
    expect(screen.queryByText(/No issues match/)).not.toBeInTheDocument();
    // The select-all checkbox is disabled with nothing to select: the focus goes on, not to <body>.
    expect(screen.getByLabelText('select all loaded issues')).toBeDisabled();
    expect(screen.getByTestId(testIds.issues.loadMore)).toHaveFocus();
  });

  test('a bulk change that takes the last rows away says none match, the focus on the Status filter', async () => {
    const api = new FakeTrackerApi({ issues: numberedIssues(2) });
    renderApp(`${ISSUES_URL}?status=open`, api);
    await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(screen.getByLabelText('select all loaded issues'));
    act(() => screen.getByRole('button', { name: 'Mark resolved' }).focus());
    await userEvent.keyboard('{Enter}');
    await screen.findByText('2 issues marked resolved.');
    expect(screen.queryAllByTestId(testIds.issues.row)).toHaveLength(0);
    expect(screen.getByText(/No issues match these filters/)).toBeInTheDocument();
    expect(
      within(screen.getByTestId(testIds.issues.choice('status'))).getByRole('radio', { name: 'Open' })
    ).toHaveFocus();
  });

  test('an issue opened from the list gets "← All issues" back to the list with its filters', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const search = '?status=open&severity=critical&q=Cannot+read';
    renderAppInGrafanaHistory(`${ISSUES_URL}${search}`, api);
    const [row] = await screen.findAllByTestId(testIds.issues.row);
    // The row's link stays the issue's own URL (as the panels link it); the query rides in history state.
    expect(within(row).getByRole('link')).toHaveAttribute('href', `${ISSUES_URL}/1`);
    await userEvent.click(within(row).getByRole('link'));
    await screen.findByTestId(testIds.issue.title);
    const back = screen.getByRole('link', { name: '← All issues' });
    expect(back).toHaveAttribute('href', `${ISSUES_URL}${search}`);
    await userEvent.click(back);
    await screen.findAllByTestId(testIds.issues.row);
    expect(locationService.getLocation().search).toBe(search);
    expect(lastListCall(api)).toEqual({
      q: 'Cannot read',
      status: 'open',
      severity: 'critical',
      sort: 'last_seen',
      limit: 50,
    });
  });

  test('select all selects every loaded issue', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(screen.getByLabelText('select all loaded issues'));
    expect(screen.getByTestId(testIds.issues.bulkBar)).toHaveTextContent('4 selected');
    await userEvent.click(screen.getByRole('button', { name: 'Mark ignored' }));
    await screen.findByText('4 issues marked ignored.');
    expect(api.callsOf('setStatuses')).toEqual([[[1, 2, 3, 4], 'ignored']]);
  });

  test('an unreachable tracker says so and links to the configuration page', async () => {
    const api = new FakeTrackerApi({
      failures: {
        listIssues: new TrackerError(
          'unreachable',
          'listing issues: the tracking server could not be reached: Bad Gateway',
          502
        ),
        stats: new TrackerError('unreachable', 'loading stats: the tracking server could not be reached', 502),
      },
    });
    renderApp(ISSUES_URL, api);
    const error = await screen.findByTestId(testIds.state.error);
    expect(error).toHaveTextContent('The tracking server is unreachable');
    expect(error).toHaveTextContent('Check that the tracker URL on the configuration page is right');
    expect(error).toHaveTextContent('listing issues: the tracking server could not be reached: Bad Gateway');
    expect(screen.getByTestId(testIds.state.configLink)).toHaveAttribute('href', CONFIG_PAGE_URL);
    // The stats are asked for after the list's answer, so their failure shows a moment later.
    expect(await screen.findByText('Stats unavailable.')).toBeInTheDocument();
  });

  test('a tracker URL that leads elsewhere (a 404 on the list) points to the configuration page, not to retention', async () => {
    const api = new FakeTrackerApi({
      failures: {
        listIssues: toTrackerError({ status: 404, data: { error: 'no such API route' } }, 'listing issues'),
      },
    });
    renderApp(ISSUES_URL, api);
    const error = await screen.findByTestId(testIds.state.error);
    expect(error).toHaveTextContent('The tracker URL does not lead to the tracking server');
    expect(error).toHaveTextContent('with no path such as /api/v1');
    expect(error).not.toHaveTextContent('retention');
    expect(screen.getByTestId(testIds.state.configLink)).toHaveAttribute('href', CONFIG_PAGE_URL);
  });

  test('a refused token points to the API token on the configuration page', async () => {
    const api = new FakeTrackerApi({
      failures: { listIssues: new TrackerError('unauthorized', 'listing issues: refused', 401) },
    });
    renderApp(ISSUES_URL, api);
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent(
      'Set the API token on the configuration page'
    );
  });

  test("Grafana's 403 (a role below the route's) names the role, not the API token, and no configuration link", async () => {
    const api = new FakeTrackerApi({
      failures: {
        listIssues: toTrackerError(
          { status: 403, data: { message: 'plugin proxy route access denied' } },
          'listing issues'
        ),
      },
    });
    renderApp(ISSUES_URL, api);
    const error = await screen.findByTestId(testIds.state.error);
    expect(error).toHaveTextContent('Your Grafana role may not do this');
    expect(error).toHaveTextContent('Viewer to read issues and sessions, Editor to change statuses');
    expect(error).not.toHaveTextContent('API token');
    expect(screen.queryByTestId(testIds.state.configLink)).toBeNull();
  });

  test('shows a loading state while the first page is on its way', async () => {
    renderApp(ISSUES_URL, new FakeTrackerApi({ pending: ['listIssues', 'stats'] }));
    expect(await screen.findByTestId(testIds.state.loading)).toHaveTextContent('Loading issues…');
  });

  test('an empty tracker tells the user how to send errors; empty filters say to clear them', async () => {
    renderApp(ISSUES_URL, new FakeTrackerApi({ issues: [] }));
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent(
      'Point a Sentry SDK at the tracking server'
    );
  });

  test('empty filter results say to clear a filter', async () => {
    renderApp(`${ISSUES_URL}?q=nothing-matches`, new FakeTrackerApi({ issues: ISSUES }));
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No issues match these filters');
  });

  test('an error message that looks like HTML stays inert text', async () => {
    const { container } = renderApp(ISSUES_URL, new FakeTrackerApi({ issues: ISSUES }));
    await screen.findAllByTestId(testIds.issues.row);
    expect(screen.getAllByText(XSS).length).toBe(2); // title and culprit, as text
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
  });
});

const API = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1';

/**
 * The real client (ProxyTrackerApi) over a BackendSrv that reads each request's URL back as the
 * tracker does (a filter given several times is any of its values) and answers from `fake`:
 * `issueUrls` are the issue requests as they leave the browser.
 */
function throughTheProxy(fake: FakeTrackerApi) {
  const issueUrls: string[] = [];
  const statsUrls: string[] = [];
  const backend = {
    fetch<T>(req: BackendSrvRequest) {
      const [path, search = ''] = req.url.split('?');
      const params = new URLSearchParams(search);
      let answer: Promise<unknown>;
      if (path === `${API}/issues`) {
        issueUrls.push(req.url);
        const one = (key: string) => params.get(key) ?? undefined;
        const all = (key: string) => (params.has(key) ? params.getAll(key) : undefined);
        const limit = one('limit');
        answer = fake.listIssues({
          project: all('project')?.map(Number),
          status: one('status'),
          severity: one('severity'),
          type: one('type'),
          service: all('service'),
          environment: all('environment'),
          release: one('release'),
          q: one('q'),
          sort: one('sort'),
          cursor: one('cursor'),
          limit: limit === undefined ? undefined : Number(limit),
        } as IssueQuery);
      } else if (path === `${API}/stats`) {
        statsUrls.push(req.url);
        const project = params.getAll('project').map(Number);
        answer = fake.stats(project.length > 0 ? { project } : {});
      } else if (path === `${API}/projects`) {
        answer = fake.projects();
      } else {
        answer = Promise.reject({ status: 404, data: { error: `no fake for ${req.url}` } });
      }
      return from(answer.then((data) => ({ data, status: 200 }) as FetchResponse<T>));
    },
  };
  return { api: new ProxyTrackerApi(() => backend), issueUrls, statsUrls };
}

/** The page's URL query under Grafana's history (where the filters are kept). */
const search = () => locationService.getLocation().search;
/** The values shown chosen in the Service or Environment filter. */
const chosen = (filter: string) =>
  within(screen.getByTestId(filter))
    .queryAllByRole('button', { name: 'Remove' })
    .map((remove) => remove.parentElement?.textContent);

describe('Issues page: service and environment filters with several values', () => {
  const CHECKOUT = issue({
    id: 5,
    title: 'Checkout failed',
    service: 'checkout',
    lastSeen: '2026-11-22T08:30:00.000Z',
  });

  test("two services chosen from the tracker's list: one parameter each in the request and the URL", async () => {
    const fake = new FakeTrackerApi({ issues: [...ISSUES, CHECKOUT] });
    const { api, issueUrls } = throughTheProxy(fake);
    renderAppInGrafanaHistory(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    await screen.findByTestId(testIds.stats.lastHour); // the stats answer names the services

    await userEvent.click(screen.getByLabelText('Service'));
    // The services with events in the stats (byService), sorted, in a listbox named for the filter
    // that holds its options and nothing else (WAI-ARIA: a listbox owns options only).
    const listbox = screen.getByRole('listbox', { name: 'Service options' });
    expect([...listbox.children].map((o) => [o.getAttribute('role'), o.textContent])).toEqual([
      ['option', 'ai-service'],
      ['option', 'api-gateway'],
      ['option', 'checkout'],
    ]);
    await userEvent.click(screen.getByRole('option', { name: 'ai-service' }));
    await userEvent.click(screen.getByLabelText('Service'));
    await userEvent.click(screen.getByRole('option', { name: 'api-gateway' }));

    await waitFor(() => expect(search()).toBe('?service=ai-service&service=api-gateway'));
    await waitFor(() =>
      expect(issueUrls).toEqual([
        `${API}/issues?sort=last_seen&limit=50`,
        `${API}/issues?service=ai-service&sort=last_seen&limit=50`,
        `${API}/issues?service=ai-service&service=api-gateway&sort=last_seen&limit=50`,
      ])
    );
    await waitFor(() => expect(rowTitles()).not.toContain('Checkout failed'));
    expect(rowTitles()).toHaveLength(4);
    expect(chosen(testIds.issues.service)).toEqual(['ai-service', 'api-gateway']);
  });

  test('a URL with two environments shows both chosen and asks for either; removing both drops the parameter', async () => {
    const fake = new FakeTrackerApi({
      issues: [
        issue({ id: 1, title: 'In production', environment: 'production', lastSeen: '2026-11-22T11:00:00.000Z' }),
        issue({ id: 2, title: 'In staging', environment: 'staging', lastSeen: '2026-11-22T10:00:00.000Z' }),
        issue({ id: 3, title: 'In development', environment: 'development', lastSeen: '2026-11-22T09:00:00.000Z' }),
      ],
    });
    const { api, issueUrls } = throughTheProxy(fake);
    renderAppInGrafanaHistory(`${ISSUES_URL}?environment=production&environment=staging`, api);
    await waitFor(() => expect(rowTitles()).toEqual(['In production', 'In staging']));
    expect(issueUrls).toEqual([`${API}/issues?environment=production&environment=staging&sort=last_seen&limit=50`]);
    expect(chosen(testIds.issues.environment)).toEqual(['production', 'staging']);

    // Both removed: no environment is chosen, which is no filter.
    for (const remove of within(screen.getByTestId(testIds.issues.environment)).getAllByRole('button', {
      name: 'Remove',
    })) {
      await userEvent.click(remove);
    }
    await waitFor(() => expect(rowTitles()).toEqual(['In production', 'In staging', 'In development']));
    expect(search()).toBe('');
    expect(issueUrls.at(-1)).toBe(`${API}/issues?sort=last_seen&limit=50`);
    expect(chosen(testIds.issues.environment)).toEqual([]);
  });

  test('a link that sets one service (as the panels and older links do) still filters by it', async () => {
    const { api, issueUrls } = throughTheProxy(new FakeTrackerApi({ issues: ISSUES }));
    renderAppInGrafanaHistory(`${ISSUES_URL}?service=ai-service&status=investigating`, api);
    await waitFor(() => expect(rowTitles()).toEqual(['QueryFailedError: deadlock detected']));
    expect(issueUrls).toEqual([`${API}/issues?status=investigating&service=ai-service&sort=last_seen&limit=50`]);
    expect(chosen(testIds.issues.service)).toEqual(['ai-service']);
  });

  test('a service the stats do not list can be typed, and removing it by keyboard removes its parameter', async () => {
    const fake = new FakeTrackerApi({ issues: [...ISSUES, CHECKOUT] });
    // Checkout sent nothing in the last 24 hours: the stats do not name it.
    jest.spyOn(fake, 'stats').mockResolvedValue({
      bySeverity: {},
      byService: { 'api-gateway': 3 },
      topIssues: [],
      lastHour: 0,
      lastDay: 3,
      openIssues: 1,
      trend: [],
    });
    const { api, issueUrls } = throughTheProxy(fake);
    renderAppInGrafanaHistory(`${ISSUES_URL}?service=ai-service`, api);
    await screen.findAllByTestId(testIds.issues.row);
    await screen.findByTestId(testIds.stats.lastHour);

    await userEvent.type(screen.getByLabelText('Service'), 'checkout{enter}');
    await waitFor(() => expect(search()).toBe('?service=ai-service&service=checkout'));
    await waitFor(() => expect(rowTitles()).toEqual(['QueryFailedError: deadlock detected', 'Checkout failed']));
    expect(issueUrls.at(-1)).toBe(`${API}/issues?service=ai-service&service=checkout&sort=last_seen&limit=50`);

    // Backspace in the empty input removes the last value chosen.
    expect(screen.getByLabelText('Service')).toHaveFocus();
    await userEvent.keyboard('{Backspace}');
    await waitFor(() => expect(search()).toBe('?service=ai-service'));
    expect(chosen(testIds.issues.service)).toEqual(['ai-service']);
  });

  test('choosing a service starts the list again from its first page (no cursor)', async () => {
    const fake = new FakeTrackerApi({ issues: [...numberedIssues(60), { ...CHECKOUT, id: 100 }] });
    const { api, issueUrls } = throughTheProxy(fake);
    renderAppInGrafanaHistory(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    fireEvent.click(screen.getByTestId(testIds.issues.loadMore));
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('61 issues loaded'));

    await userEvent.type(screen.getByLabelText('Service'), 'checkout{enter}');
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('1 issues loaded'));
    expect(issueUrls).toEqual([
      `${API}/issues?sort=last_seen&limit=50`,
      `${API}/issues?sort=last_seen&cursor=50&limit=500`,
      `${API}/issues?service=checkout&sort=last_seen&limit=50`,
    ]);
  });
});

describe('Issues page: the project filter', () => {
  const PROJECTS = [
    { id: 1, name: 'shop' },
    { id: 2, name: 'payments' },
  ];
  const CARD = issue({ id: 9, projectId: 2, title: 'Card declined', lastSeen: '2026-11-22T11:59:00.000Z' });

  test('chooses projects by name: one parameter each, by id, in the request and the URL', async () => {
    const fake = new FakeTrackerApi({ projects: PROJECTS, issues: [...ISSUES, CARD] });
    const { api, issueUrls, statsUrls } = throughTheProxy(fake);
    renderAppInGrafanaHistory(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    // Several projects: each row names its project below its service, as its header says.
    await screen.findByRole('columnheader', { name: 'Service, project' });
    const row = (title: string) =>
      screen.getAllByTestId(testIds.issues.row).find((r) => r.textContent?.includes(title))!;
    expect(within(row('Card declined')).getByTitle('project payments')).toHaveTextContent(/^payments$/);
    expect(within(row(ISSUES[0].title)).getByTitle('project shop')).toHaveTextContent(/^shop$/);
    await userEvent.click(await screen.findByLabelText('Project'));
    const listbox = screen.getByRole('listbox', { name: 'Project options' });
    expect([...listbox.children].map((o) => o.textContent)).toEqual(['shop', 'payments']);
    await userEvent.click(screen.getByRole('option', { name: 'payments' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Card declined']));
    expect(search()).toBe('?project=2');
    expect(issueUrls).toEqual([
      `${API}/issues?sort=last_seen&limit=50`,
      `${API}/issues?project=2&sort=last_seen&limit=50`,
    ]);
    expect(chosen(testIds.issues.project)).toEqual(['payments']);
    // The stats header counts the projects chosen too: payments' one open issue.
    await waitFor(() => expect(screen.getByTestId(testIds.stats.open)).toHaveTextContent('Open or investigating1'));
    expect(statsUrls).toEqual([`${API}/stats`, `${API}/stats?project=2`]);

    await userEvent.click(screen.getByLabelText('Project'));
    await userEvent.click(screen.getByRole('option', { name: 'shop' }));
    await waitFor(() => expect(search()).toBe('?project=2&project=1'));
    await waitFor(() => expect(rowTitles()).toHaveLength(ISSUES.length + 1));
  });

  test('a link to a project asks for its issues, skipping what is no project id, and names it', async () => {
    const { api, issueUrls } = throughTheProxy(new FakeTrackerApi({ projects: PROJECTS, issues: [...ISSUES, CARD] }));
    renderAppInGrafanaHistory(`${ISSUES_URL}?project=2&project=payments&project=0&project=1e0`, api);
    await waitFor(() => expect(rowTitles()).toEqual(['Card declined']));
    expect(issueUrls).toEqual([`${API}/issues?project=2&sort=last_seen&limit=50`]);
    await waitFor(() => expect(chosen(testIds.issues.project)).toEqual(['payments']));
  });

  test('with one project there is no Project filter, unless a link filters by one', async () => {
    const fake = new FakeTrackerApi({ projects: [PROJECTS[0]], issues: ISSUES });
    const { api } = throughTheProxy(fake);
    const { unmount } = renderAppInGrafanaHistory(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    await waitFor(() => expect(fake.callsOf('projects')).toHaveLength(1));
    await act(async () => {}); // the projects' answer is rendered
    expect(screen.queryByTestId(testIds.issues.project)).toBeNull();
    expect(screen.getByRole('columnheader', { name: 'Service' })).toBeInTheDocument();
    expect(screen.queryByTitle('project shop')).toBeNull();
    unmount();
    renderAppInGrafanaHistory(`${ISSUES_URL}?project=1`, api);
    await waitFor(() => expect(chosen(testIds.issues.project)).toEqual(['shop']));
    // No project left to offer: the menu says so, and is no listbox (one holds options only).
    await userEvent.click(screen.getByLabelText('Project'));
    expect(await screen.findByText(/^No options/)).toBeInTheDocument();
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});

describe('Issues page: a request it no longer wants is cancelled', () => {
  const statusChoice = (label: string) =>
    within(screen.getByTestId(testIds.issues.choice('status'))).getByLabelText(label);

  test('a new filter cancels the first page still on its way, leaving the page the next; neither shows an error', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES, pending: ['listIssues'] });
    const { unmount } = renderApp(ISSUES_URL, api);
    await screen.findByTestId(testIds.issues.choice('status'));
    expect(api.signalsOf('listIssues')).toHaveLength(1);
    await userEvent.click(statusChoice('Resolved'));
    await waitFor(() => expect(api.signalsOf('listIssues')).toHaveLength(2));
    const [first, second] = api.signalsOf('listIssues');
    expect([first?.aborted, second?.aborted]).toEqual([true, false]);
    expect(lastListCall(api)).toEqual({ status: 'resolved', sort: 'last_seen', limit: 50 });
    // The cancelled request's rejection has come (the fake rejects on abort): no error for it.
    await act(async () => {});
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();
    expect(screen.getByTestId(testIds.state.loading)).toHaveTextContent('Loading issues…');

    unmount();
    expect(second?.aborted).toBe(true);
  });

  test('a new filter cancels the next page still on its way, and its own first page is shown', async () => {
    const api = new FakeTrackerApi({ issues: numberedIssues(60) });
    const fakeAnswer = api.listIssues.bind(api);
    const nextPage: { signal?: AbortSignal; rejected?: unknown } = {};
    jest.spyOn(api, 'listIssues').mockImplementation((query, options) => {
      if (!query.cursor) {
        return fakeAnswer(query, options);
      }
      nextPage.signal = options?.signal;
      // As the real client: rejected as aborted when the signal aborts, else never answered.
      return new Promise((_, reject) =>
        options?.signal?.addEventListener('abort', () => {
          nextPage.rejected = new TrackerError('aborted', 'listing issues: cancelled');
          reject(nextPage.rejected);
        })
      );
    });
    renderApp(ISSUES_URL, api);
    await screen.findAllByTestId(testIds.issues.row);
    fireEvent.click(screen.getByTestId(testIds.issues.loadMore));
    await waitFor(() => expect(nextPage.signal).toBeDefined());
    expect(nextPage.signal?.aborted).toBe(false);

    await userEvent.click(statusChoice('Open'));
    await waitFor(() => expect(screen.getByTestId(testIds.issues.count)).toHaveTextContent('50 issues loaded'));
    expect(nextPage.signal?.aborted).toBe(true);
    expect(nextPage.rejected).toBeDefined();
    expect(lastListCall(api)).toEqual({ status: 'open', sort: 'last_seen', limit: 50 });
    expect(screen.queryByTestId(testIds.state.error)).toBeNull();
  });
});
