import React, { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, RadioButtonGroup, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import { isAborted } from '../api/client';
import { useTrackerApi } from '../api/context';
import { eventView } from '../api/event';
import {
  ISSUE_STATUSES,
  type IssueDetail,
  type IssueFeedback,
  type IssueStatus,
  type Page,
  type StoredEvent,
} from '../api/types';
import { Attachments } from '../components/Attachments';
import { SeverityBadge, StatusBadge } from '../components/Badges';
import { ExactTime, TimeText } from '../components/ExactTime';
import { formatExactCount } from '../components/format';
import { Sparkline } from '../components/Sparkline';
import { StackTrace } from '../components/StackTrace';
import { Empty, ErrorState, Loading } from '../components/States';
import { testIds } from '../components/testIds';
import { useAsync } from '../components/useAsync';
import { useFocusNewItem } from '../components/useFocusNewItem';
import { appendPage, useMorePages } from '../components/useMorePages';
import { useProjects } from '../components/useProjects';
import { LoadMore } from '../components/LoadMore';
import { UserFeedback } from '../components/UserFeedback';
import { EVENTS_PAGE_SIZE, ROUTES, prefixRoute, sessionIdFitsPath, sessionUrl } from '../constants';

const GROUPING_EXPLAINED: Record<string, string> = {
  fingerprint: 'The SDK sent a custom fingerprint; every event with the same fingerprint joins this issue.',
  'in-app frames': 'Events whose in-app stack frames (module or file, and function) are the same join this issue.',
  'exception type and value':
    'No in-app frames: events with the same exception type and message (ids, numbers, hex and IPs stripped) join this issue.',
  message: 'No exception: events with the same message template join this issue.',
};

/** The user feedback the side column lists a page at a time, newest first. */
const ISSUE_FEEDBACK_PAGE = 20;
const NO_FEEDBACK: Page<IssueFeedback> = { items: [], nextCursor: null };

interface EventsState {
  /** The issue these events belong to. */
  issueId?: number;
  items: readonly StoredEvent[];
  nextCursor: string | null;
  loading: boolean;
  error?: Error;
}

/**
 * The issue id in the page's path: digits only, 1 to 15 of them, not 0 (the tracker's own rule).
 * `Number()` also read `0x10`, `1e3`, ` 7` or `7.0` as ids and opened issue 16, 1000 or 7 under a
 * path that names none of them.
 */
export function issueIdFrom(raw: string | undefined): number | undefined {
  const id = raw !== undefined && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : 0;
  return id >= 1 ? id : undefined;
}

/** The history state the issues list's row links carry: the list's query (`location.search`). */
export interface IssueLinkState {
  from: string;
}

/**
 * Where "← All issues" goes: the issues list with the query the list had when its row was opened,
 * so its filters survive as they do with the browser's Back; the plain list where the issue was
 * reached otherwise (a panel, a session, a typed URL). History state can hold anything (another
 * page's, another app's): only a query string is taken, never a path or a URL.
 */
export function issuesListUrl(state: unknown): string {
  const from = (state as Partial<IssueLinkState> | null)?.from;
  const search = typeof from === 'string' && from.startsWith('?') ? from : '';
  return `${prefixRoute(ROUTES.Issues)}${search}`;
}

export function IssueDetailPage() {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const { id: rawId } = useParams();
  const location = useLocation();
  const parsed = issueIdFrom(rawId);
  const id = parsed ?? NaN;
  const valid = parsed !== undefined;
  const { nameOf } = useProjects(valid);
  const issueState = useAsync<IssueDetail>(
    (signal) => (valid ? api.getIssue(id, { signal }) : Promise.reject(new Error(`"${rawId}" is not an issue id`))),
    [api, id]
  );
  const feedback = useAsync<Page<IssueFeedback>>(
    (signal) =>
      valid ? api.issueFeedback(id, undefined, ISSUE_FEEDBACK_PAGE, { signal }) : Promise.resolve(NO_FEEDBACK),
    [api, id]
  );
  const feedbackRef = useRef<HTMLDivElement>(null);
  const moreFeedback = useMorePages({
    // Not the last issue's first page while this one's is on its way (useAsync keeps it).
    first: feedback.loading ? undefined : feedback.value,
    firstLoading: feedback.loading,
    key: String(id),
    fetchPage: (cursor, signal) => api.issueFeedback(id, cursor, ISSUE_FEEDBACK_PAGE, { signal }),
    join: appendPage,
    focus: { container: feedbackRef, items: 'li' },
  });
  // The answer to a status change replaces the loaded issue.
  const [changed, setChanged] = useState<IssueDetail>();
  // useAsync keeps its last answer while the next is on its way: another issue's is not this one.
  const loaded = issueState.value?.id === id ? issueState.value : undefined;
  const issue = changed && changed.id === id ? changed : loaded;
  const [statusError, setStatusError] = useState<string>();
  const [eventsState, setEvents] = useState<EventsState>({ items: [], nextCursor: null, loading: false });
  const [picked, setSelected] = useState<{ issueId?: number; index: number }>({ index: 0 });
  const selected = picked.issueId === id ? picked.index : 0;

  // The number of the latest events request: only its answer is applied. A request asked later
  // (Retry, "Older events", another issue) or leaving the page supersedes one still on its way,
  // whose late answer would otherwise land on the newer state: another issue's page or error
  // replaced the events of the one shown, which then said "Loading events…" for good. The
  // superseded request is also cancelled (its controller aborted), so it stops at the tracker too.
  const eventsRequest = useRef(0);
  const eventsController = useRef<AbortController | undefined>(undefined);
  /** Fetches a page of events; state is only set when the answer comes, if no later request was made. */
  const fetchEvents = useCallback(
    (cursor?: string) => {
      const request = ++eventsRequest.current;
      const latest = () => request === eventsRequest.current;
      eventsController.current?.abort();
      const controller = new AbortController();
      eventsController.current = controller;
      api.issueEvents(id, cursor, EVENTS_PAGE_SIZE, { signal: controller.signal }).then(
        (page) =>
          latest() &&
          setEvents((e) => ({
            issueId: id,
            items: cursor && e.issueId === id ? [...e.items, ...page.items] : page.items,
            nextCursor: page.nextCursor,
            loading: false,
          })),
        (error: Error) =>
          latest() &&
          !isAborted(error) &&
          setEvents((e) =>
            e.issueId === id
              ? { ...e, loading: false, error }
              : { issueId: id, items: [], nextCursor: null, loading: false, error }
          )
      );
    },
    [api, id]
  );
  useEffect(() => {
    if (valid) {
      fetchEvents();
    }
    return () => {
      // Leaving this issue (or the page) supersedes its request. A counter, not a node React
      // renders: its value now is the one meant.
      // eslint-disable-next-line react-hooks/exhaustive-deps
      eventsRequest.current++;
      eventsController.current?.abort();
    };
  }, [fetchEvents, valid]);
  const events: EventsState = eventsState.issueId === id ? eventsState : { items: [], nextCursor: null, loading: true };
  const eventsRef = useRef<HTMLUListElement>(null);
  const expectMoreEvents = useFocusNewItem(eventsRef, events.items.length, Boolean(events.nextCursor), 'li');
  const loadEvents = (cursor?: string) => {
    if (cursor) {
      expectMoreEvents();
    }
    setEvents((e) => ({ ...e, loading: true, error: undefined }));
    fetchEvents(cursor);
  };

  const changeStatus = async (status: IssueStatus) => {
    setStatusError(undefined);
    try {
      setChanged(await api.setStatus(id, status));
    } catch (e) {
      setStatusError((e as Error).message);
    }
  };

  const back = (
    <Link to={issuesListUrl(location.state)} className={s.back}>
      ← All issues
    </Link>
  );

  if (issueState.error) {
    return (
      <PluginPage>
        {back}
        <ErrorState error={issueState.error} onRetry={issueState.reload} />
      </PluginPage>
    );
  }
  if (!issue) {
    return (
      <PluginPage>
        <Loading text="Loading issue…" />
      </PluginPage>
    );
  }

  const event = events.items[selected] ? eventView(events.items[selected]) : undefined;

  return (
    <PluginPage>
      <div data-testid={testIds.issue.container}>
        {back}
        <h2 className={s.title} data-testid={testIds.issue.title}>
          {issue.title}
        </h2>
        <div className={s.culprit}>{issue.culprit}</div>
        <Stack gap={2} alignItems="center" wrap="wrap">
          <SeverityBadge severity={issue.severity} />
          <span data-testid={testIds.issue.status}>
            <StatusBadge status={issue.status} />
          </span>
          {issue.regression && <Text color="error">Regression</Text>}
          <Text color="secondary">{issue.type.replace('_', ' ')}</Text>
          <Text color="secondary">service {issue.service}</Text>
          <Text color="secondary">
            {formatExactCount(issue.count)} events · {formatExactCount(issue.users)} users
          </Text>
          <Sparkline values={issue.hourly} width={160} height={28} />
        </Stack>

        <div className={s.section}>
          <Stack gap={2} alignItems="center" wrap="wrap">
            <RadioButtonGroup<IssueStatus>
              aria-label="Status"
              options={ISSUE_STATUSES.map((st) => ({ label: st, value: st }))}
              value={issue.status}
              onChange={changeStatus}
            />
          </Stack>
          {statusError && <Alert severity="error" title={statusError} />}
        </div>

        <div className={s.columns}>
          <div className={s.main}>
            <h3>Stack trace</h3>
            {events.error && events.items.length === 0 ? (
              <ErrorState error={events.error} onRetry={() => loadEvents()} />
            ) : events.loading && events.items.length === 0 ? (
              <Loading text="Loading events…" />
            ) : !event ? (
              <Empty message="No events stored for this issue (they may have expired by retention)." />
            ) : (
              <>
                <Stack gap={2} alignItems="center" wrap="wrap">
                  <Text color="secondary">
                    Event {event.id} · <TimeText iso={event.timestamp} /> · {event.environment} · {event.release}
                  </Text>
                  {event.sessionId && sessionIdFitsPath(event.sessionId) && (
                    <TextLink href={sessionUrl(event.sessionId)} data-testid={testIds.issue.sessionLink} inline={false}>
                      Open debug session
                    </TextLink>
                  )}
                </Stack>
                {event.message && <p className={s.message}>{event.message}</p>}
                <StackTrace exceptions={event.exceptions} />

                <h3>Breadcrumbs</h3>
                {event.breadcrumbs.length === 0 ? (
                  <Text color="secondary">No breadcrumbs.</Text>
                ) : (
                  <table className={cx(s.table, s.shortHeaders)} data-testid={testIds.issue.breadcrumbs}>
                    <thead>
                      <tr>
                        <th>Time</th>
                        <th>Category</th>
                        <th>Level</th>
                        <th>Message</th>
                      </tr>
                    </thead>
                    <tbody>
                      {event.breadcrumbs.map((b, i) => (
                        <tr key={i}>
                          {/* Shown exact, in the user's zone; the title adds the UTC text it came in. */}
                          <td title={b.time} className={s.time}>
                            {b.time === undefined ? '' : <TimeText iso={b.time} />}
                          </td>
                          <td>{b.category}</td>
                          <td>{b.level}</td>
                          <td>{b.message}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}

                <h3>User feedback</h3>
                <UserFeedback
                  feedback={events.items[selected]?.feedback ?? []}
                  empty="No user feedback."
                  testId={testIds.issue.eventFeedback}
                />

                <h3>Attachments</h3>
                {/* Keyed by the event: another event's download error or busy button is not this one's. */}
                <Attachments
                  key={events.items[selected]?.id}
                  attachments={events.items[selected]?.attachments ?? []}
                  className={s.table}
                />
              </>
            )}
          </div>

          <div className={s.side}>
            <h3>Why grouped</h3>
            <div data-testid={testIds.issue.whyGrouped}>
              <p>
                Grouped by <strong>{issue.grouping?.rule ?? issue.groupedBy}</strong>.{' '}
                {GROUPING_EXPLAINED[issue.grouping?.rule ?? issue.groupedBy] ?? ''}
              </p>
              {(issue.grouping?.components ?? []).length > 0 && (
                <ul className={s.components}>
                  {issue.grouping.components.map((c, i) => (
                    <li key={i}>
                      <code>{c}</code>
                    </li>
                  ))}
                </ul>
              )}
            </div>

            <h3>Details</h3>
            <table className={cx(s.table, s.shortHeaders)}>
              <tbody>
                <tr>
                  <th>First seen</th>
                  <td>
                    <ExactTime iso={issue.firstSeen} />
                  </td>
                </tr>
                <tr>
                  <th>Last seen</th>
                  <td>
                    <ExactTime iso={issue.lastSeen} />
                  </td>
                </tr>
                <tr>
                  <th>Project</th>
                  <td>{nameOf(issue.projectId)}</td>
                </tr>
                <tr>
                  <th>Environment</th>
                  <td>{issue.environment}</td>
                </tr>
                <tr>
                  <th>Releases</th>
                  <td>{(issue.releases ?? []).join(', ')}</td>
                </tr>
                {issue.resolvedInRelease && (
                  <tr>
                    <th>Resolved in</th>
                    <td>{issue.resolvedInRelease}</td>
                  </tr>
                )}
              </tbody>
            </table>

            <h3>Feedback on this issue</h3>
            {feedback.error ? (
              <ErrorState error={feedback.error} onRetry={feedback.reload} />
            ) : feedback.loading || !feedback.value ? (
              // Another issue's feedback is not shown while this one's is on its way.
              <Loading text="Loading user feedback…" />
            ) : (
              <div ref={feedbackRef}>
                <UserFeedback
                  feedback={moreFeedback.items}
                  empty="No user feedback linked to this issue."
                  testId={testIds.issue.feedback}
                  focusable
                />
                <LoadMore
                  more={moreFeedback}
                  firstLoading={feedback.loading}
                  onClick={moreFeedback.loadMore}
                  label="Older feedback"
                  tooltip="Load older feedback on this issue"
                  testId={testIds.issue.olderFeedback}
                />
              </div>
            )}

            {event && (
              <>
                <h3>Tags</h3>
                {event.tags.length === 0 ? (
                  <Text color="secondary">No tags.</Text>
                ) : (
                  <table className={cx(s.table, s.tags)} data-testid={testIds.issue.tags}>
                    <tbody>
                      {event.tags.map(([k, v]) => (
                        <tr key={k}>
                          <th>{k}</th>
                          <td>{v}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            )}

            <h3>Recent events</h3>
            <ul className={s.events} data-testid={testIds.issue.events} ref={eventsRef}>
              {events.items.map((e, i) => (
                <li key={e.id}>
                  <Button
                    size="sm"
                    fill="text"
                    variant={i === selected ? 'primary' : 'secondary'}
                    onClick={() => setSelected({ issueId: id, index: i })}
                    aria-pressed={i === selected}
                  >
                    {e.id.slice(0, 12)} · <ExactTime iso={e.timestamp} inControl /> · {e.release}
                  </Button>
                </li>
              ))}
            </ul>
            {events.error && events.items.length > 0 && <ErrorState error={events.error} />}
            {events.nextCursor && (
              <Button
                size="sm"
                variant="secondary"
                onClick={() => loadEvents(events.nextCursor!)}
                disabled={events.loading}
                // With a tooltip Grafana's Button marks itself aria-disabled, not disabled: a
                // disabled button would drop the keyboard focus while the events load.
                tooltip="Load older events of this issue"
                data-testid={testIds.issue.olderEvents}
              >
                Older events
              </Button>
            )}
          </div>
        </div>
      </div>
    </PluginPage>
  );
}

export default IssueDetailPage;

const getStyles = (theme: GrafanaTheme2) => ({
  back: css({ color: theme.colors.text.link, display: 'inline-block', marginBottom: theme.spacing(1) }),
  title: css({ marginBottom: 0, wordBreak: 'break-word' }),
  culprit: css({
    color: theme.colors.text.secondary,
    marginBottom: theme.spacing(1),
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
  }),
  section: css({ margin: theme.spacing(2, 0) }),
  columns: css({ display: 'flex', gap: theme.spacing(3), flexWrap: 'wrap' }),
  main: css({ flex: '3 1 560px', minWidth: 0 }),
  side: css({ flex: '1 1 300px', minWidth: 0 }),
  table: css({
    width: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.5), textAlign: 'left', verticalAlign: 'top', wordBreak: 'break-word' },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    'tr + tr': { borderTop: `1px solid ${theme.colors.border.weak}` },
  }),
  // An event's message can be kilobytes with no space (a minified stack, a payload): it wraps
  // anywhere rather than widening the page.
  message: css({ overflowWrap: 'anywhere' }),
  // Its headers are a word or two: a long value (a month's releases, a 10 KB breadcrumb) takes the
  // room, not them (the table's cells break anywhere, so they shrank to a letter a line).
  shortHeaders: css({ th: { whiteSpace: 'nowrap' } }),
  // A breadcrumb's time is read at a glance, on one line, beside its message however long.
  time: css({ whiteSpace: 'nowrap' }),
  // Beside a long value (a 600-character correlation id) a tag's key shrank to a letter a line, the
  // table giving the value nearly all the width: the keys take two fifths, and a key or value too
  // long for its column wraps in it.
  tags: css({ tableLayout: 'fixed', th: { width: '40%' } }),
  // A grouping component is code, which Grafana's global styles keep on one line: it wraps here,
  // anywhere where it must, rather than running out of the side column and widening the page.
  components: css({
    paddingLeft: theme.spacing(2),
    code: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
  }),
  events: css({ listStyle: 'none', padding: 0 }),
});
