import { Observable, of } from 'rxjs';
import { setTimeZoneResolver } from '@grafana/data';
import { type BackendSrvRequest, type FetchResponse, locationService } from '@grafana/runtime';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ProxyTrackerApi, TrackerError } from '../api/client';
import { FakeTrackerApi } from '../api/fake';
import type { FeedbackEntry } from '../api/types';
import { testIds } from '../components/testIds';
import { fakeBackend } from '../test/backend';
import { EVENT_1, ISSUES } from '../testdata/fixtures';
import { URL_create, readBlobBytes } from '../test/blobs';
import { drivenIntersections, everythingInView } from '../test/intersection';
import { renderApp, renderAppInGrafanaHistory } from '../test/render';

const URL = '/a/beacon-observability-app/feedback';
const API = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1';
const TRACKER = `${API}/feedback`;

/** Feedback `n`, received `n` minutes past 11:00 on 2026-11-22, about nothing in particular. */
const entry = (n: number, message: string): FeedbackEntry => ({
  id: n,
  receivedAt: `2026-11-22T11:${String(n).padStart(2, '0')}:00.000Z`,
  projectId: 1,
  name: '',
  email: '',
  message,
  attachments: [],
});
const entries = () => within(screen.getByTestId(testIds.feedback.list)).getAllByRole('listitem');

// Screenshots load as they come near the view: here, every one is in view.
let inView: () => void;
beforeEach(() => (inView = everythingInView()));
afterEach(() => inView());

describe('User feedback page', () => {
  test('lists every piece of feedback newest first: who, when, where, which event, and a link to its issue', async () => {
    const linked: FeedbackEntry = {
      ...entry(30, 'The pay button spun forever.\nTwice.'),
      name: 'Ana',
      email: 'ana@example.com',
      url: 'https://shop.example/checkout',
      eventId: EVENT_1.id,
      issue: { id: 1, title: ISSUES[0].title },
    };
    const unlinked = { ...entry(20, 'Still broken'), eventId: 'b1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' };
    const alone = { ...entry(10, 'Love the new page'), name: 'Cy' };
    setTimeZoneResolver(() => 'utc');
    try {
      renderApp(URL, new FakeTrackerApi({ allFeedback: [linked, unlinked, alone] }));
      await screen.findByTestId(testIds.feedback.list);
      expect(entries().map((li) => li.textContent)).toEqual([
        `Ana <ana@example.com> · 2026-11-22 11:30:00.000 UTC · on https://shop.example/checkout · event ${EVENT_1.id.slice(0, 8)}` +
          `${ISSUES[0].title}The pay button spun forever.\nTwice.`,
        'Anonymous · 2026-11-22 11:20:00.000 UTC · event b1b2c3d4Still broken',
        'Cy · 2026-11-22 11:10:00.000 UTCLove the new page',
      ]);
    } finally {
      setTimeZoneResolver(() => 'browser');
    }
    const [first, second, third] = entries();
    expect(within(first).getByRole('link', { name: ISSUES[0].title })).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/issues/1'
    );
    expect([within(second).queryByRole('link'), within(third).queryByRole('link')]).toEqual([null, null]);
  });

  test('shows a screenshot sent with feedback from its bytes, downloads any attachment, and says which were filtered', async () => {
    const file = (id: number, filename: string, contentType: string, filtered = false) => ({
      id,
      filename,
      contentType,
      type: 'event.attachment',
      size: 2048,
      filtered,
    });
    const withFiles: FeedbackEntry = {
      ...entry(5, 'See the screenshot'),
      attachments: [
        // As Sentry's feedback widget labels its screenshot.
        file(1, 'screenshot.png', 'application/png'),
        file(2, 'console.log', 'text/plain'),
        file(3, 'card.png', 'image/png', true),
        file(4, 'drawing.svg', 'image/svg+xml'),
        file(5, 'photo.jpg', 'image/jpeg'),
      ],
    };
    const fake = new FakeTrackerApi({
      allFeedback: [withFiles],
      feedbackAttachments: {
        1: Uint8Array.from([0x89, 0x50, 0x4e, 0x47]),
        2: Uint8Array.from([104, 105]),
        4: Uint8Array.from([60, 115]),
        5: Uint8Array.from([0xff, 0xd8, 0xff]),
      },
    });
    const created: Blob[] = [];
    URL_create(created);
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    try {
      renderApp(URL, fake);
      const files = await screen.findByTestId(testIds.feedback.attachments);
      // The PNG and the JPEG are shown, from the bytes the tracker sent, as images of their types.
      const shot = await within(files).findByRole('img', { name: 'screenshot.png, sent with the feedback' });
      await within(files).findByRole('img', { name: 'photo.jpg, sent with the feedback' });
      expect(shot).toHaveAttribute('src', 'blob:fake');
      const blobs = await Promise.all(created.map(async (b) => [b.type, await readBlobBytes(b)] as const));
      expect(blobs).toEqual(
        expect.arrayContaining([
          ['image/png', [0x89, 0x50, 0x4e, 0x47]],
          ['image/jpeg', [0xff, 0xd8, 0xff]],
        ])
      );
      expect(blobs).toHaveLength(2);
      // An SVG can hold script: it is offered as a download only, as is any other type.
      expect(within(files).getAllByRole('img')).toHaveLength(2);
      expect(files).toHaveTextContent('card.png · 2.0 KiB · filtered whole by scrubbing');
      expect(
        within(files)
          .getAllByRole('button')
          .map((b) => b.getAttribute('aria-label'))
      ).toEqual(['Download screenshot.png', 'Download console.log', 'Download drawing.svg', 'Download photo.jpg']);
      await userEvent.click(within(files).getByRole('button', { name: 'Download console.log' }));
      await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
      expect((click.mock.instances[0] as unknown as HTMLAnchorElement).download).toBe('console.log');
      expect(created[2].type).toBe('application/octet-stream');
      expect(await readBlobBytes(created[2])).toEqual([104, 105]);
      expect(fake.callsOf('feedbackAttachment')).toEqual([[1], [5], [2]]);
      // The attachments are not entries of the list.
      expect(entries()).toHaveLength(1);
    } finally {
      click.mockRestore();
    }
  });

  test('asks for a screenshot only once its place comes near the view, and once', async () => {
    // Observers the test drives stand in for the browser's, which sees what is laid out.
    const { observed, restore } = drivenIntersections();
    URL_create([]);
    try {
      const shot = (n: number) => ({
        ...entry(n, `Screenshot ${n}`),
        attachments: [
          {
            id: n,
            filename: `shot-${n}.png`,
            contentType: 'image/png',
            type: 'event.attachment',
            size: 4,
            filtered: false,
          },
        ],
      });
      const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47]);
      const fake = new FakeTrackerApi({
        allFeedback: [shot(3), shot(2), shot(1)],
        feedbackAttachments: { 1: bytes, 2: bytes, 3: bytes },
      });
      renderApp(URL, fake);
      await screen.findByTestId(testIds.feedback.list);
      const waiting = (name: string) => screen.getByText(`Loading ${name}…`).parentElement!;
      await waitFor(() => expect(observed.size).toBe(3));
      expect(fake.callsOf('feedbackAttachment')).toEqual([]);
      // The second comes into view: its bytes alone are asked for, and it is shown.
      act(() => observed.get(waiting('shot-2.png'))!(true));
      expect(await screen.findByRole('img', { name: 'shot-2.png, sent with the feedback' })).toBeInTheDocument();
      expect(fake.callsOf('feedbackAttachment')).toEqual([[2]]);
      // The shown one is watched no more; one reported out of view is not asked for.
      expect(observed.size).toBe(2);
      act(() => observed.get(waiting('shot-1.png'))!(false));
      expect(fake.callsOf('feedbackAttachment')).toEqual([[2]]);
    } finally {
      restore();
    }
  });

  test('a screenshot that cannot be read, or a download that fails, says why', async () => {
    const shot = {
      id: 9,
      filename: 'screenshot.png',
      contentType: 'image/png',
      type: 'event.attachment',
      size: 10,
      filtered: false,
    };
    renderApp(URL, new FakeTrackerApi({ allFeedback: [{ ...entry(5, 'gone'), attachments: [shot] }] }));
    const refused = 'downloading feedback attachment 9: not found: feedback attachment 9 not found';
    expect(await screen.findByText(`Could not show screenshot.png: ${refused}`)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Download screenshot.png' }));
    expect(await screen.findByText(refused)).toBeInTheDocument();
  });

  test('the link opens the issue', async () => {
    const linked = { ...entry(1, 'hm'), eventId: EVENT_1.id, issue: { id: 1, title: ISSUES[0].title } };
    renderApp(URL, new FakeTrackerApi({ issues: ISSUES, allFeedback: [linked] }));
    await userEvent.click(await screen.findByRole('link', { name: ISSUES[0].title }));
    expect(await screen.findByTestId(testIds.issue.title)).toHaveTextContent(ISSUES[0].title);
  });

  test('searches the message, name and address, the search kept in the URL; a search that finds none says so', async () => {
    const fake = new FakeTrackerApi({
      allFeedback: [
        { ...entry(2, 'The pay button spun'), name: 'Ana' },
        { ...entry(1, 'Love it'), name: 'Bo' },
      ],
    });
    renderApp(URL, fake);
    await screen.findByTestId(testIds.feedback.list);
    await userEvent.type(screen.getByTestId(testIds.feedback.search), 'PAY{enter}');
    await waitFor(() =>
      expect(entries().map((li) => li.querySelector('p')?.textContent)).toEqual(['The pay button spun'])
    );
    expect(fake.callsOf('listFeedback')).toEqual([[{ limit: 50 }], [{ q: 'PAY', limit: 50 }]]);
    await userEvent.clear(screen.getByTestId(testIds.feedback.search));
    await userEvent.type(screen.getByTestId(testIds.feedback.search), 'nobody wrote this{enter}');
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No user feedback matches this search.');
  });

  test('opened with a search in its URL, asks for it', async () => {
    const fake = new FakeTrackerApi({ allFeedback: [entry(1, 'Love it')] });
    renderApp(`${URL}?q=love`, fake);
    await screen.findByTestId(testIds.feedback.list);
    expect(screen.getByTestId(testIds.feedback.search)).toHaveValue('love');
    expect(fake.callsOf('listFeedback')).toEqual([[{ q: 'love', limit: 50 }]]);
  });

  test('an empty list says how feedback is sent', async () => {
    renderApp(URL, new FakeTrackerApi());
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent(
      'No user feedback yet. Sentry SDKs send it with captureFeedback or the feedback widget.'
    );
  });

  test('an unreachable tracker points to the configuration page', async () => {
    const failures = { listFeedback: new TrackerError('unreachable', 'loading user feedback: down') };
    renderApp(URL, new FakeTrackerApi({ failures }));
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('The tracking server is unreachable');
    expect(screen.getByTestId(testIds.state.configLink)).toBeInTheDocument();
  });
});

describe('User feedback page of a tracker with several projects', () => {
  const PROJECTS = [
    { id: 1, name: 'shop' },
    { id: 2, name: 'payments' },
  ];
  const feedback = [
    { ...entry(3, 'Card declined twice'), projectId: 2, name: 'Ana' },
    { ...entry(2, 'Cart emptied itself'), name: 'Bo' },
    { ...entry(1, 'Refund never came'), projectId: 2, name: 'Cy' },
  ];
  const shown = () => entries().map((li) => li.querySelector('p')?.textContent);
  /** The projects shown chosen in the filter. */
  const chosen = () =>
    within(screen.getByTestId(testIds.feedback.project))
      .queryAllByRole('button', { name: 'Remove' })
      .map((remove) => remove.parentElement?.textContent);

  test('names each piece’s project, and filters to the projects chosen by name, in the URL too', async () => {
    const fake = new FakeTrackerApi({ projects: PROJECTS, allFeedback: feedback });
    renderAppInGrafanaHistory(URL, fake);
    await waitFor(() => expect(entries()[0]).toHaveTextContent(/^payments · Ana · /));
    expect(entries().map((li) => li.textContent?.split(' · ')[0])).toEqual(['payments', 'shop', 'payments']);

    await userEvent.click(screen.getByLabelText('Project'));
    const listbox = screen.getByRole('listbox', { name: 'Project options' });
    expect([...listbox.children].map((o) => o.textContent)).toEqual(['shop', 'payments']);
    await userEvent.click(screen.getByRole('option', { name: 'payments' }));
    await waitFor(() => expect(shown()).toEqual(['Card declined twice', 'Refund never came']));
    expect(locationService.getLocation().search).toBe('?project=2');
    expect(chosen()).toEqual(['payments']);
    expect(fake.callsOf('listFeedback')).toEqual([[{ limit: 50 }], [{ project: [2], limit: 50 }]]);
    // A project is chosen from the list: a name typed that is none is not a filter.
    await userEvent.type(screen.getByLabelText('Project'), 'billing{enter}');
    expect(locationService.getLocation().search).toBe('?project=2');
  });

  test('a link to some projects asks for their feedback, skipping what is no project id', async () => {
    const fake = new FakeTrackerApi({ projects: PROJECTS, allFeedback: feedback });
    renderAppInGrafanaHistory(`${URL}?project=1&project=shop&project=0&project=2e0&project=1`, fake);
    await waitFor(() => expect(shown()).toEqual(['Cart emptied itself']));
    expect(fake.callsOf('listFeedback')).toEqual([[{ project: [1], limit: 50 }]]);
    await waitFor(() => expect(chosen()).toEqual(['shop']));
  });

  test('a project none of the feedback came from says that nothing matches the filters', async () => {
    const fake = new FakeTrackerApi({ projects: [...PROJECTS, { id: 3, name: 'search' }], allFeedback: feedback });
    renderAppInGrafanaHistory(`${URL}?project=3`, fake);
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent('No user feedback matches these filters.');
  });

  test('with one project, shows no Project filter and names no project', async () => {
    const fake = new FakeTrackerApi({ projects: [PROJECTS[0]], allFeedback: [entry(1, 'Love it')] });
    renderAppInGrafanaHistory(URL, fake);
    await screen.findByTestId(testIds.feedback.list);
    await waitFor(() => expect(fake.callsOf('projects')).toHaveLength(1));
    await act(async () => {}); // the projects' answer is rendered
    expect(screen.queryByTestId(testIds.feedback.project)).toBeNull();
    expect(entries()[0].textContent).toMatch(/^Anonymous · /);
  });
});

describe('User feedback page pages through the tracker with nextCursor', () => {
  test('"Load older feedback" asks for the next page with its cursor and appends it, focus on the first it added', async () => {
    const { backend, requests } = fakeBackend({
      [`GET ${API}/projects`]: { items: [{ id: 1, name: 'shop' }] },
      [`GET ${TRACKER}?limit=50`]: { items: [entry(3, 'three'), entry(2, 'two')], nextCursor: 'c1' },
      [`GET ${TRACKER}?limit=50&cursor=c1`]: { items: [entry(1, 'one')], nextCursor: null },
    });
    renderApp(URL, new ProxyTrackerApi(() => backend));
    await screen.findByTestId(testIds.feedback.list);
    expect(entries().map((li) => li.querySelector('p')?.textContent)).toEqual(['three', 'two']);
    act(() => screen.getByTestId(testIds.feedback.more).focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(entries()).toHaveLength(3));
    expect(entries().map((li) => li.querySelector('p')?.textContent)).toEqual(['three', 'two', 'one']);
    // The button left with the last page; focus went to the entry it added, not the page's start.
    expect(screen.queryByTestId(testIds.feedback.more)).toBeNull();
    expect(entries()[2]).toHaveFocus();
    expect(requests).toEqual([`GET ${API}/projects`, `GET ${TRACKER}?limit=50`, `GET ${TRACKER}?limit=50&cursor=c1`]);
  });

  test('a further page that fails keeps the feedback shown and says why', async () => {
    const { backend } = fakeBackend({
      [`GET ${TRACKER}?limit=50`]: { items: [entry(2, 'two')], nextCursor: 'stale' },
    });
    renderApp(URL, new ProxyTrackerApi(() => backend));
    await screen.findByTestId(testIds.feedback.list);
    await userEvent.click(screen.getByTestId(testIds.feedback.more));
    expect(
      await screen.findByText(
        `loading user feedback: the tracker URL does not lead to the tracking server's API (404: no fake for GET ${TRACKER}?limit=50&cursor=stale)`
      )
    ).toBeInTheDocument();
    expect(entries().map((li) => li.querySelector('p')?.textContent)).toEqual(['two']);
  });

  test('leaving the page cancels a further page on its way', async () => {
    const unsubscribed: string[] = [];
    const backend = {
      fetch<T>(req: BackendSrvRequest) {
        if (req.url === `${TRACKER}?limit=50`) {
          return of({ data: { items: [entry(2, 'two')], nextCursor: 'c1' }, status: 200 } as FetchResponse<T>);
        }
        if (req.url === `${API}/projects`) {
          return of({ data: { items: [] }, status: 200 } as FetchResponse<T>);
        }
        // Any other request stays on its way; unsubscribing is what cancels it in Grafana.
        return new Observable<FetchResponse<T>>(() => () => {
          unsubscribed.push(req.url);
        });
      },
    };
    const { unmount } = renderApp(URL, new ProxyTrackerApi(() => backend));
    await screen.findByTestId(testIds.feedback.list);
    await userEvent.click(screen.getByTestId(testIds.feedback.more));
    expect(screen.getByTestId(testIds.feedback.more)).toHaveTextContent('Loading…');
    expect(unsubscribed).toEqual([]);
    unmount();
    expect(unsubscribed).toEqual([`${TRACKER}?limit=50&cursor=c1`]);
  });
});
