import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TrackerError } from '../../api/client';
import { TrackerApiProvider } from '../../api/context';
import { FakeTrackerApi } from '../../api/fake';
import { testIds } from '../../components/testIds';
import { EVENT_2, ISSUES, XSS, issue } from '../../testdata/fixtures';
import { panelProps, rangeOf } from '../../test/render';
import { IssuesPanel, type IssuesPanelOptions, defaultIssuesPanelOptions, optionValues } from './IssuesPanel';
import { plugin } from './module';

const day = rangeOf('2026-11-22T00:00:00Z', '2026-11-22T12:00:00Z');
// The day's range as the tracker is asked for it, in epoch milliseconds.
const seen = { seenAfter: Date.UTC(2026, 10, 22), seenBefore: Date.UTC(2026, 10, 22, 12) };

function renderPanel(
  api: FakeTrackerApi,
  options: Partial<IssuesPanelOptions> = {},
  variables: Record<string, string> = {}
) {
  const props = panelProps({ ...defaultIssuesPanelOptions, ...options }, { timeRange: day, variables });
  return render(
    <TrackerApiProvider api={api}>
      <IssuesPanel {...props} />
    </TrackerApiProvider>
  );
}

const titles = () => screen.getAllByTestId(testIds.panels.issueRow).map((r) => within(r).getByRole('link').textContent);

describe('Error issues panel', () => {
  test('a variable with more services than the tracker takes (100) says so without asking it', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const many = Array.from({ length: 101 }, (_, i) => `svc-${i}`);
    renderPanel(api, {}, { service: `{${many.join(',')}}` });
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent(
      'The service option names 101 services; the tracker takes at most 100. Pick fewer, or give the variable a custom all value such as * for every service.'
    );
    expect(api.callsOf('listIssues')).toEqual([]);
  });

  test('100 services are asked for, each once', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const many = Array.from({ length: 100 }, (_, i) => `svc-${i}`);
    renderPanel(api, {}, { service: `{${[...many, 'svc-0'].join(',')}}` });
    await waitFor(() => expect(api.callsOf('listIssues')).toHaveLength(1));
    expect((api.callsOf('listIssues')[0][0] as { service: string[] }).service).toEqual(many);
  });

  test("shows the top open issues for the dashboard's $service within the time range", async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderPanel(api, {}, { service: 'api-gateway' });
    await screen.findAllByTestId(testIds.panels.issueRow);
    // issue 4 is resolved; issue 2 is another service
    expect(titles()).toEqual(["TypeError: Cannot read properties of undefined (reading 'id')", XSS]);
    expect(api.callsOf('listIssues')).toEqual([
      [{ service: ['api-gateway'], status: 'open', sort: 'events', ...seen, limit: 10 }],
    ]);
    const first = screen.getAllByTestId(testIds.panels.issueRow)[0];
    expect(within(first).getByRole('link')).toHaveAttribute('href', '/a/beacon-observability-app/issues/1');
    expect(within(first).getByText('open')).toBeInTheDocument();
    expect(within(first).getByTestId(testIds.issues.sparkline)).toBeInTheDocument();
  });

  test("an issue's culprit, shown nowhere else in the panel, reaches the keyboard and screen readers", async () => {
    renderPanel(new FakeTrackerApi({ issues: ISSUES }), {}, { service: 'api-gateway' });
    const [first] = await screen.findAllByTestId(testIds.panels.issueRow);
    const link = within(first).getByRole('link');
    expect(link).not.toHaveAttribute('title');
    // Read after the link's name, in text out of sight; the service follows on its own line.
    expect(link.closest('td')!.textContent).toBe(
      "TypeError: Cannot read properties of undefined (reading 'id') (src/routes/users.ts in getUser)api-gateway"
    );
    // The first tab stop in the panel: focusing it shows the culprit, which describes the link.
    await userEvent.tab();
    expect(link).toHaveFocus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent('src/routes/users.ts in getUser');
    expect(link).toHaveAccessibleDescription('src/routes/users.ts in getUser');
  });

  test('leaves out issues not seen in the time range and honours the limit', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    renderPanel(api, { status: 'any', service: '', limit: 2 });
    await screen.findAllByTestId(testIds.panels.issueRow);
    // issue 4 was last seen on the 20th; by events: 1 (120), 2 (45), 3 (3)
    expect(titles()).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'id')",
      'QueryFailedError: deadlock detected',
    ]);
  });

  test('asks the tracker for the time range, so 200 busier issues outside it do not hide one in it', async () => {
    // 200 issues with more events, all first seen after the range ends, and one active in it.
    const later = Array.from({ length: 200 }, (_, n) =>
      issue({
        id: 100 + n,
        title: `later ${n}`,
        count: 1000 + n,
        firstSeen: '2026-11-22T13:00:00.000Z',
        lastSeen: '2026-11-22T14:00:00.000Z',
      })
    );
    const inRange = issue({
      id: 1,
      title: 'active in the range',
      count: 5,
      firstSeen: '2026-11-21T23:00:00.000Z',
      lastSeen: '2026-11-22T00:00:00.000Z', // the range's first millisecond
    });
    const before = issue({
      id: 2,
      title: 'last seen before the range',
      count: 6,
      firstSeen: '2026-11-21T20:00:00.000Z',
      lastSeen: '2026-11-21T23:59:59.999Z',
    });
    const api = new FakeTrackerApi({ issues: [...later, inRange, before] });
    renderPanel(api, { status: 'any', service: '' });
    await screen.findAllByTestId(testIds.panels.issueRow);
    expect(titles()).toEqual(['active in the range']);
    expect(api.callsOf('listIssues')).toEqual([
      [{ status: undefined, service: undefined, sort: 'events', ...seen, limit: 10 }],
    ]);
  });

  test("shows each issue's events in the time range, as the tracker ranks them, the lifetime total as a hint", async () => {
    const at = (n: number, timestamp: string) => ({ ...EVENT_2, id: `${n}`.padStart(32, '0'), timestamp });
    // 50 events three days before the range and one in it; 5 in it.
    const old = issue({ id: 1, title: 'old burst', count: 51, firstSeen: '2026-11-19T10:00:00.000Z' });
    const hot = issue({ id: 2, title: 'firing now', count: 5, firstSeen: '2026-11-22T11:00:00.000Z' });
    const events = {
      1: [
        ...Array.from({ length: 50 }, (_, n) => at(n, '2026-11-19T10:00:00.000Z')),
        at(50, '2026-11-22T10:00:00.000Z'),
      ],
      2: Array.from({ length: 5 }, (_, n) => at(100 + n, '2026-11-22T11:00:00.000Z')),
    };
    renderPanel(new FakeTrackerApi({ issues: [old, hot], events }), { status: 'any', service: '' });
    await screen.findAllByTestId(testIds.panels.issueRow);
    expect(titles()).toEqual(['firing now', 'old burst']);
    // The number, then the hint read after it.
    expect(screen.getAllByTestId(testIds.panels.issueRow).map((r) => r.lastElementChild?.textContent)).toEqual([
      '5 (5 in this time range, 5 in all)',
      '1 (1 in this time range, 51 in all)',
    ]);
  });

  test('an unresolved variable or a match-all value means every service', () => {
    expect(optionValues('$service')).toBeUndefined();
    expect(optionValues('All')).toBeUndefined();
    expect(optionValues(' ')).toBeUndefined();
    expect(optionValues('.*')).toBeUndefined();
    expect(optionValues('ai-service')).toEqual(['ai-service']);
  });

  test("a multi-value variable's services, as Grafana writes them by default ({a,b}), are each kept", () => {
    expect(optionValues('{api-gateway,ai-service}')).toEqual(['api-gateway', 'ai-service']);
    expect(optionValues('{ai-service}')).toEqual(['ai-service']);
    expect(optionValues('{a,b,a}')).toEqual(['a', 'b']);
  });

  test('All (or several values) of a multi-value $service shows the issues of those services', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    // What Grafana gives replaceVariables('$service') for "All" on a variable of two services.
    renderPanel(api, { status: 'any' }, { service: '{ai-service,video-processing}' });
    await screen.findAllByTestId(testIds.panels.issueRow);
    expect(titles()).toEqual(['QueryFailedError: deadlock detected']);
    // The tracker is asked for any of them (service=a&service=b).
    expect(api.callsOf('listIssues')).toEqual([
      [{ status: undefined, service: ['ai-service', 'video-processing'], sort: 'events', ...seen, limit: 10 }],
    ]);
  });

  test("several services' issues are not hidden behind 200 busier issues of other services", async () => {
    const busier = Array.from({ length: 200 }, (_, n) =>
      issue({ id: 100 + n, title: `busier ${n}`, service: 'elsewhere', count: 1000 + n })
    );
    const picked = [
      issue({ id: 1, title: 'picked a', service: 'svc-a', count: 5 }),
      issue({ id: 2, title: 'picked b', service: 'svc-b', count: 3 }),
    ];
    const api = new FakeTrackerApi({ issues: [...busier, ...picked] });
    renderPanel(api, { status: 'any' }, { service: '{svc-a,svc-b}' });
    await screen.findAllByTestId(testIds.panels.issueRow);
    expect(titles()).toEqual(['picked a', 'picked b']);
  });

  describe('the project option', () => {
    const PROJECTS = [
      { id: 1, name: 'shop' },
      { id: 2, name: 'payments' },
    ];
    const CARD = issue({ id: 9, projectId: 2, title: 'Card declined', service: 'api-gateway', count: 500 });
    const api = () => new FakeTrackerApi({ projects: PROJECTS, issues: [...ISSUES, CARD] });
    const asked = (fake: FakeTrackerApi) => (fake.callsOf('listIssues')[0][0] as { project?: number[] }).project;

    test('a $project variable of names (as the metrics label projects) shows those projects’ issues', async () => {
      const fake = api();
      renderPanel(fake, { project: '$project' }, { service: 'api-gateway', project: 'payments' });
      await screen.findAllByTestId(testIds.panels.issueRow);
      expect(titles()).toEqual(['Card declined']);
      expect(asked(fake)).toEqual([2]);
    });

    test('an id no project is named is taken as an id; several values are any of them', async () => {
      const byId = api();
      renderPanel(byId, { project: '2' }, { service: 'api-gateway' });
      await screen.findAllByTestId(testIds.panels.issueRow);
      expect(asked(byId)).toEqual([2]);
      const several = api();
      renderPanel(several, { project: '$project' }, { service: '', project: '{payments,shop,1}' });
      await waitFor(() => expect(several.callsOf('listIssues')).toHaveLength(1));
      expect(asked(several)).toEqual([1, 2]);
    });

    test('a project named with digits, as its metrics label it, is that project, not the id', async () => {
      // `project add 1`: id 3, labelled project="1" in the tracker's metrics.
      const fake = new FakeTrackerApi({
        projects: [...PROJECTS, { id: 3, name: '1' }],
        issues: [...ISSUES, CARD],
      });
      renderPanel(fake, { project: '$project' }, { service: '', project: '1' });
      await waitFor(() => expect(fake.callsOf('listIssues')).toHaveLength(1));
      expect(asked(fake)).toEqual([3]);
    });

    test('a name the tracker does not list is an error naming it, and no issue is asked for', async () => {
      const fake = api();
      renderPanel(fake, { project: 'billing' });
      expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent(
        'The project option names "billing", which the tracker does not list (its projects: shop, payments).'
      );
      expect(fake.callsOf('listIssues')).toEqual([]);
    });

    test('empty, an unresolved variable or All means every project, and the list is not asked for', async () => {
      for (const project of ['', '$project', 'All']) {
        const fake = api();
        const { unmount } = renderPanel(fake, { project, status: 'any' }, { service: 'api-gateway' });
        await waitFor(() => expect(fake.callsOf('listIssues')).toHaveLength(1));
        expect(asked(fake)).toBeUndefined();
        expect(fake.callsOf('projects')).toEqual([]);
        unmount();
      }
    });

    test('more projects than the tracker takes (100) says so without asking it', async () => {
      const fake = api();
      const many = Array.from({ length: 101 }, (_, i) => String(i + 1));
      renderPanel(fake, { project: '$project' }, { project: `{${many.join(',')}}` });
      expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent(
        'The project option names 101 projects; the tracker takes at most 100.'
      );
      expect([fake.callsOf('projects'), fake.callsOf('listIssues')]).toEqual([[], []]);
    });

    test('a project with nothing to show is named in the message', async () => {
      renderPanel(api(), { project: 'payments' }, { service: 'video' });
      expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent(
        'No open issues for video in payments in this time range.'
      );
    });
  });

  test('says when there is nothing to show', async () => {
    renderPanel(new FakeTrackerApi({ issues: ISSUES }), {}, { service: 'video' });
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent(
      'No open issues for video in this time range.'
    );
  });

  test('an unreachable tracker points to the configuration page', async () => {
    renderPanel(
      new FakeTrackerApi({ failures: { listIssues: new TrackerError('unreachable', 'listing issues: down') } })
    );
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('The tracking server is unreachable');
  });

  test('narrow panels drop the sparkline', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const props = panelProps({ ...defaultIssuesPanelOptions, service: '' }, { timeRange: day, width: 300 });
    render(
      <TrackerApiProvider api={api}>
        <IssuesPanel {...props} />
      </TrackerApiProvider>
    );
    await screen.findAllByTestId(testIds.panels.issueRow);
    await waitFor(() => expect(screen.queryByTestId(testIds.issues.sparkline)).not.toBeInTheDocument());
  });

  test('the panel plugin declares its options with defaults', () => {
    expect(plugin.panel).toBe(IssuesPanel);
    expect(defaultIssuesPanelOptions).toEqual({
      service: '$service',
      project: '',
      status: 'open',
      sort: 'events',
      limit: 10,
    });
  });
});
