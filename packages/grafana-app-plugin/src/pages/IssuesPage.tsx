import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Checkbox, Field, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import { type TrackerApi, isAborted } from '../api/client';
import { useTrackerApi } from '../api/context';
import {
  ERROR_TYPES,
  ISSUE_SORTS,
  ISSUE_STATUSES,
  type IssueQuery,
  type IssueSort,
  type IssueStatus,
  type IssueSummary,
  type Page,
  SEVERITIES,
  type Stats,
} from '../api/types';
import { SeverityBadge, StatusBadge } from '../components/Badges';
import { Count } from '../components/Count';
import { DebouncedInput } from '../components/DebouncedInput';
import { ExactTime } from '../components/ExactTime';
import { MultiValueFilter } from '../components/MultiValueFilter';
import { ProjectFilter } from '../components/ProjectFilter';
import { Sparkline } from '../components/Sparkline';
import { StatsHeader } from '../components/StatsHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { testIds } from '../components/testIds';
import { projectIds, useProjects } from '../components/useProjects';
import { useListParam, useQueryParams } from '../components/useQueryParams';
import { VirtualList } from '../components/VirtualList';
import { FIRST_PAGE_SIZE, ISSUE_ROW_HEIGHT, PAGE_SIZE, PERF, issueUrl } from '../constants';
import type { IssueLinkState } from './IssueDetailPage';

const SORT_LABELS: Record<IssueSort, string> = {
  last_seen: 'Last seen',
  first_seen: 'First seen',
  events: 'Events',
  users: 'Users',
};

/**
 * The filters with a few fixed values (status, severity, type) are radio groups: one click, no
 * menu to open. Grafana's Combobox would also do, but two of them took ~100 ms of this page's
 * first render on the CI machine (the browser benchmark, e2e/browser/bench-issues.ts).
 */
const choice = <T extends string>(values: readonly T[], label: (v: T) => string): Array<SelectableValue<T | ''>> => [
  { label: 'All', value: '' },
  ...values.map((v) => ({ label: label(v), value: v })),
];
const capitalised = (s: string) => s[0].toUpperCase() + s.slice(1);
const CHOICE_FILTERS = [
  { key: 'status', label: 'Status', options: choice(ISSUE_STATUSES, capitalised) },
  { key: 'severity', label: 'Severity', options: choice(SEVERITIES, capitalised) },
  { key: 'type', label: 'Type', options: choice(ERROR_TYPES, (t) => capitalised(t.replace('_', ' '))) },
] as const;
/**
 * The filters on several names at once (issues of any of them), one URL parameter per value
 * (`?service=a&service=b`, as the tracker reads them). Services are offered from the stats
 * header's answer (those with events in the last 24 hours); nothing lists environments, so they
 * are typed. Either can be typed.
 */
const MULTI_FILTERS = [
  { key: 'service', label: 'Service', width: 18 },
  { key: 'environment', label: 'Environment', width: 16 },
] as const;
/** The filters typed as free text (the release name). */
const TEXT_FILTERS = [{ key: 'release', label: 'Release', width: 16 }] as const;
const NONE: readonly string[] = [];
const sortOptions = ISSUE_SORTS.map((s) => ({ label: SORT_LABELS[s], value: s }));

type PageQuery = Omit<IssueQuery, 'service' | 'environment'> & { service?: string[]; environment?: string[] };

/** The page's filters from its URL: one value each, several for project, service and environment. */
function queryFrom(params: URLSearchParams): PageQuery {
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = params.get(key);
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  const text = (key: string) => params.get(key) || undefined;
  const list = (key: string) => {
    const values = [...new Set(params.getAll(key).filter(Boolean))];
    return values.length ? values : undefined;
  };
  return {
    q: text('q'),
    project: projectIds(params),
    status: pick('status', ISSUE_STATUSES),
    severity: pick('severity', SEVERITIES),
    type: pick('type', ERROR_TYPES),
    service: list('service'),
    environment: list('environment'),
    release: text('release'),
    sort: pick('sort', ISSUE_SORTS) ?? 'last_seen',
  };
}

/** A request for a page of issues, and the controller that cancels it. */
interface SentPage {
  page: Promise<Page<IssueSummary>>;
  controller: AbortController;
}

/**
 * The first page asked for by a render React has not committed yet. React may throw such a render
 * away (a suspending child, an interruption) and render the page anew with fresh refs; the new
 * render takes this request instead of sending the same one again. Cleared on commit.
 */
let uncommitted: (SentPage & { api: TrackerApi; key: string }) | undefined;
/** First pages a committed page took, and may cancel: another page sends its own. */
const claimed = new WeakSet<SentPage>();

function firstPage(api: TrackerApi, key: string, load: (signal: AbortSignal) => Promise<Page<IssueSummary>>) {
  if (uncommitted?.api !== api || uncommitted.key !== key) {
    const controller = new AbortController();
    const page = load(controller.signal);
    // Its failure is handled by the effect that takes it, which may come after the rejection:
    // without this the browser would report an unhandled rejection first.
    page.catch(() => {});
    uncommitted = { api, key, page, controller };
  }
  return uncommitted;
}

/**
 * The list with a further page appended, one row per issue. An issue whose sort value changed
 * between pages can come again (an event older than its first moves it down in first_seen
 * order): its later copy replaces the earlier row where it stands, so the row shows the newer
 * counts and status without moving under the user's scroll or leaving a stale twin.
 */
function appendPage(items: readonly IssueSummary[], more: readonly IssueSummary[]): IssueSummary[] {
  const later = new Map(more.map((issue) => [issue.id, issue]));
  const shown = new Set(items.map((issue) => issue.id));
  return [...items.map((issue) => later.get(issue.id) ?? issue), ...more.filter((issue) => !shown.has(issue.id))];
}

interface ListState {
  /** The query (as JSON) these items answer. */
  key?: string;
  items: readonly IssueSummary[];
  nextCursor: string | null;
  /** A further page is on its way. */
  loadingMore: boolean;
  error?: Error;
  /** How many items there were when the "Load more" button asked for the page on its way. */
  focusFrom?: number;
  /** The row to take the focus now that the page the button asked for has come. */
  focus?: { row: number; id: number };
}

/**
 * Paging by the "Load more" button: focus goes to the first row the page added, not to the
 * document's start when the button leaves with the last page (WCAG 2.4.3 focus order); a last
 * page that added nothing sends it to the last row (as useFocusNewItem does for lists drawn whole).
 */
function focusAfter(from: number | undefined, items: readonly IssueSummary[], more: boolean) {
  const row = from === undefined ? undefined : items.length > from ? from : more ? undefined : items.length - 1;
  return row === undefined || !items[row] ? undefined : { row, id: items[row].id };
}

export function IssuesPage() {
  // User Timing mark and Element Timing name for "route mounted → first rows painted", which the
  // browser benchmark reads (e2e/browser/bench-issues.ts); both cost nothing when nobody listens.
  useState(() => performance.mark?.(PERF.issuesMounted)); // jsdom has no User Timing
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const [params, setParam] = useQueryParams();
  const setList = useListParam();
  const query = useMemo(() => queryFrom(params), [params]);
  // The list's query as its URL has it, handed to the issue page in the row links' history state
  // (not the URL: issueUrl is also the panels' plain href) so its "← All issues" comes back to
  // these filters (Sentry's issue breadcrumb does the same).
  const { search } = useLocation();
  const queryKey = JSON.stringify(query);
  const [state, setState] = useState<ListState>({ items: [], nextCursor: null, loadingMore: false });
  const [selection, setSelection] = useState<{ key?: string; ids: ReadonlySet<number> }>({ ids: new Set() });
  const [notice, setNotice] = useState<{ severity: 'success' | 'error'; text: string }>();
  const [statsKey, setStatsKey] = useState(0);
  const [services, setServices] = useState<readonly string[]>([]);
  const { projects, nameOf } = useProjects();
  // Each row names its project below its service where the tracker has several.
  const severalProjects = projects.length > 1;
  // The Service filter's options: the services of the stats answer the header gets anyway.
  const onStats = useCallback((stats: Stats) => setServices(Object.keys(stats.byService).sort()), []);
  const seq = useRef(0);
  // The request on its way, cancelled when a later one (another query, Retry, the next page)
  // supersedes it or the page unmounts: `seq` drops its answer, this stops it at the tracker.
  const inflight = useRef<AbortController | undefined>(undefined);

  /** Fetches a page; state is only set when the answer comes (never synchronously in an effect). */
  const fetchPage = useCallback(
    (cursor?: string, sent?: SentPage) => {
      const mine = ++seq.current;
      const key = queryKey;
      const controller = sent?.controller ?? new AbortController();
      if (inflight.current !== controller) {
        inflight.current?.abort();
      }
      inflight.current = controller;
      const request =
        sent?.page ??
        api.listIssues(
          { ...query, cursor, limit: cursor ? PAGE_SIZE : FIRST_PAGE_SIZE },
          { signal: controller.signal }
        );
      request.then(
        (page) =>
          mine === seq.current &&
          setState((l) => {
            const more = cursor && l.key === key;
            const items = more ? appendPage(l.items, page.items) : page.items;
            const focus = more ? focusAfter(l.focusFrom, items, page.nextCursor !== null) : undefined;
            return { key, items, nextCursor: page.nextCursor, loadingMore: false, focus };
          }),
        (error: Error) =>
          mine === seq.current &&
          !isAborted(error) &&
          setState((l) =>
            l.key === key
              ? { ...l, loadingMore: false, error }
              : { key, items: [], nextCursor: null, loadingMore: false, error }
          )
      );
    },
    // queryKey stands for query
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, queryKey]
  );

  // The first page is sent for when the page first renders, not from the effect: the effect runs
  // only once the whole page (filters, pickers, header) has rendered and painted, which takes
  // longer than the request itself. The effect takes its answer; later queries it sends itself.
  const [early] = useState(() =>
    firstPage(api, queryKey, (signal) => api.listIssues({ ...query, limit: FIRST_PAGE_SIZE }, { signal }))
  );
  const earlyTaken = useRef(false);
  useEffect(() => {
    uncommitted = undefined;
    const reuse = !earlyTaken.current && early.key === queryKey && !claimed.has(early);
    earlyTaken.current = true;
    if (reuse) {
      claimed.add(early);
    }
    fetchPage(undefined, reuse ? early : undefined);
    // A new query or leaving the page cancels what is on its way (the first page, or a next one).
    return () => inflight.current?.abort();
  }, [fetchPage, queryKey, early]);

  // Answers to an older query are not shown while the new one loads.
  const list =
    state.key === queryKey
      ? { ...state, loading: state.loadingMore }
      : { items: [] as IssueSummary[], nextCursor: null, loading: true, loadingMore: false, error: undefined };
  const selected = useMemo(
    () => (selection.key === queryKey ? selection.ids : new Set<number>()),
    [selection, queryKey]
  );
  const setSelected = useCallback((ids: ReadonlySet<number>) => setSelection({ key: queryKey, ids }), [queryKey]);

  const retry = () => {
    setState((l) => ({ ...l, key: undefined, error: undefined }));
    fetchPage();
  };

  /** `byButton`: asked for by a button, which may leave with the page; focus goes to its rows. */
  const loadMore = useCallback(
    (byButton = false) => {
      if (state.key === queryKey && state.nextCursor && !state.loadingMore) {
        setState((l) => ({
          ...l,
          loadingMore: true,
          error: undefined,
          focusFrom: byButton ? l.items.length : undefined,
          focus: undefined,
        }));
        fetchPage(state.nextCursor);
      }
    },
    [state.key, state.nextCursor, state.loadingMore, queryKey, fetchPage]
  );
  const endReached = useCallback(() => loadMore(), [loadMore]);
  // The virtual list draws the row (scrollToRow below) in the render that carries it.
  const focus = state.key === queryKey ? state.focus : undefined;
  const pageRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) {
      pageRef.current?.querySelector<HTMLElement>(`[data-issue-id="${focus.id}"] a[href]`)?.focus();
    }
  }, [focus]);

  const toggle = useCallback(
    (id: number) => {
      setSelection((prev) => {
        const next = new Set(prev.key === queryKey ? prev.ids : []);
        if (next.has(id)) {
          next.delete(id);
        } else {
          next.add(id);
        }
        return { key: queryKey, ids: next };
      });
    },
    [queryKey]
  );

  const allSelected = list.items.length > 0 && selected.size === list.items.length;
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(list.items.map((i) => i.id)));

  const [changing, setChanging] = useState(false);
  // The bulk buttons leave the page when the selection empties: focus goes to the select-all
  // checkbox beside them, not to the document's start (WCAG 2.4.3).
  const selectAllRef = useRef<HTMLInputElement>(null);
  const clearSelection = () => {
    selectAllRef.current?.focus();
    setSelected(new Set());
  };
  // A bulk change that took every loaded row away (see bulk) disables the select-all checkbox
  // clearSelection focused, and the focus would fall to the document's start: it goes on to "Load
  // more" where the tracker has more, else to the Status filter whose value took the rows away.
  const refocusAfterBulk = useRef(false);
  useEffect(() => {
    if (refocusAfterBulk.current) {
      refocusAfterBulk.current = false;
      if (selectAllRef.current?.disabled) {
        const find = (selector: string) => pageRef.current?.querySelector<HTMLElement>(selector);
        (
          find(`[data-testid="${testIds.issues.loadMore}"]`) ??
          find(`[data-testid="${testIds.issues.choice('status')}"] input:checked`)
        )?.focus();
      }
    }
  });
  const bulk = async (status: IssueStatus) => {
    const ids = [...selected];
    // The list the change was asked from, and its Status filter.
    const key = queryKey;
    const filter = query.status;
    setChanging(true);
    try {
      const result = await api.setStatuses(ids, status);
      const updated = new Set(result.updated);
      // An issue the tracker no longer has (deleted by retention) leaves the list.
      const gone = new Set(result.notFound);
      // So does one whose new status is not the one the list is filtered by (resolved from
      // `?status=open`), and its count with it: it no longer matches, and the list would not have
      // it again (Sentry's stream drops issues resolved or ignored from an is:unresolved list).
      // Without a Status filter, or set to it, the row stays and shows its new status.
      const leaving = filter !== undefined && filter !== status ? updated : new Set<number>();
      setState((l) => {
        // Another query's list (the filters changed meanwhile) is only updated in place.
        const left = l.key === key ? leaving : new Set<number>();
        const items = l.items.filter((i) => !gone.has(i.id) && !left.has(i.id));
        return { ...l, items: items.map((i) => (updated.has(i.id) ? { ...i, status } : i)) };
      });
      refocusAfterBulk.current = true;
      clearSelection();
      setStatsKey((k) => k + 1);
      const missing = gone.size ? `; ${gone.size} no longer exist and were removed from the list` : '';
      setNotice({ severity: 'success', text: `${result.updated.length} issues marked ${status}${missing}.` });
    } catch (e) {
      setNotice({ severity: 'error', text: (e as Error).message });
    } finally {
      setChanging(false);
    }
  };

  const height = Math.max(320, Math.min(list.items.length * ISSUE_ROW_HEIGHT, window.innerHeight - 320));

  const renderRow = useCallback(
    (issue: IssueSummary, index: number) => (
      <div className={cx(s.grid, s.row)} data-testid={testIds.issues.row} data-issue-id={issue.id}>
        <div role="cell">
          <Checkbox
            aria-label={`select issue ${issue.id}`}
            data-testid={testIds.issues.rowCheckbox}
            value={selected.has(issue.id)}
            onChange={() => toggle(issue.id)}
          />
        </div>
        <div role="cell">
          <SeverityBadge severity={issue.severity} />
        </div>
        <div className={s.titleCell} role="cell">
          <Link
            to={issueUrl(issue.id)}
            state={search ? ({ from: search } satisfies IssueLinkState) : undefined}
            className={s.title}
            title={issue.title}
            {...(index === 0 ? { elementtiming: PERF.issuesFirstRow } : {})}
          >
            {issue.title}
          </Link>
          <div className={s.culprit} title={issue.culprit}>
            {issue.culprit}
          </div>
        </div>
        <div className={s.ellipsis} title={issue.service} role="cell">
          {issue.service}
          {severalProjects && (
            <div className={s.culprit} title={`project ${nameOf(issue.projectId)}`}>
              {nameOf(issue.projectId)}
            </div>
          )}
        </div>
        <div role="cell">
          <StatusBadge status={issue.status} />
        </div>
        <div role="cell">
          <Sparkline values={issue.hourly} />
        </div>
        <div className={s.num} role="cell">
          <Count value={issue.count} />
        </div>
        <div className={s.num} role="cell">
          <Count value={issue.users} />
        </div>
        <div className={s.num} role="cell">
          <ExactTime iso={issue.lastSeen} />
        </div>
      </div>
    ),
    [s, selected, toggle, severalProjects, nameOf, search]
  );

  const filtered = Object.entries(query).some(([k, v]) => k !== 'sort' && v);

  return (
    <PluginPage>
      <div data-testid={testIds.issues.container} ref={pageRef}>
        {/* Stats only after the list's first answer: asked together, the tracker would work out
            the stats first and the rows would wait for them. */}
        <StatsHeader
          api={api}
          refreshKey={statsKey}
          enabled={state.key !== undefined}
          onStats={onStats}
          project={query.project}
        />
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
          <Field label="Search">
            <DebouncedInput
              label="Search issues"
              testId={testIds.issues.search}
              placeholder="Title or culprit"
              width={32}
              value={query.q ?? ''}
              // Typing replaces its history entry; each choice below is a step Back undoes.
              onChange={(v) => setParam('q', v, 'replace')}
            />
          </Field>
          <ProjectFilter
            projects={projects}
            nameOf={nameOf}
            values={query.project}
            inputId="beacon-issues-project"
            testId={testIds.issues.project}
            onChange={(ids) => setList('project', ids)}
          />
          {CHOICE_FILTERS.map(({ key, label, options }) => (
            <Field label={label} key={key}>
              <div data-testid={testIds.issues.choice(key)}>
                <RadioButtonGroup<string>
                  aria-label={label}
                  options={options}
                  value={query[key] ?? ''}
                  onChange={(v) => setParam(key, v || undefined)}
                />
              </div>
            </Field>
          ))}
          {MULTI_FILTERS.map(({ key, label, width }) => (
            <Field label={label} key={key}>
              <MultiValueFilter
                label={label}
                inputId={`beacon-issues-${key}`}
                testId={testIds.issues[key]}
                width={width}
                values={query[key] ?? NONE}
                known={key === 'service' ? services : NONE}
                onChange={(values) => setList(key, values)}
              />
            </Field>
          ))}
          {TEXT_FILTERS.map(({ key, label, width }) => (
            <Field label={label} key={key}>
              <DebouncedInput
                label={label}
                testId={testIds.issues[key]}
                width={width}
                value={query[key] ?? ''}
                onChange={(v) => setParam(key, v, 'replace')}
              />
            </Field>
          ))}
          <Field label="Sort by">
            <RadioButtonGroup
              aria-label="Sort by"
              options={sortOptions}
              value={query.sort}
              onChange={(v) => setParam('sort', v)}
            />
          </Field>
        </Stack>

        {notice && <Alert severity={notice.severity} title={notice.text} onRemove={() => setNotice(undefined)} />}

        <div className={s.toolbar} data-testid={testIds.issues.bulkBar}>
          <Checkbox
            ref={selectAllRef}
            aria-label="select all loaded issues"
            data-testid={testIds.issues.selectAll}
            value={allSelected}
            indeterminate={selected.size > 0 && !allSelected}
            onChange={toggleAll}
            disabled={list.items.length === 0}
          />
          {selected.size > 0 ? (
            <>
              <Text>{selected.size} selected</Text>
              {ISSUE_STATUSES.map((st) => (
                <Button
                  key={st}
                  size="sm"
                  variant="secondary"
                  onClick={() => bulk(st)}
                  disabled={changing}
                  // With a tooltip Grafana's Button marks itself aria-disabled, not disabled: a
                  // disabled button would drop the keyboard focus while the change is sent.
                  tooltip={`Set the selected issues' status to ${st}`}
                >
                  Mark {st}
                </Button>
              ))}
              <Button size="sm" variant="secondary" fill="text" onClick={clearSelection}>
                Clear selection
              </Button>
            </>
          ) : (
            <Text color="secondary" data-testid={testIds.issues.count}>
              {list.items.length} issues loaded{list.nextCursor ? ' (more available)' : ''}
            </Text>
          )}
        </div>

        {list.error && list.items.length === 0 ? (
          <ErrorState error={list.error} onRetry={retry} />
        ) : list.loading && list.items.length === 0 ? (
          <Loading text="Loading issues…" />
        ) : list.items.length === 0 && !list.nextCursor ? (
          // A bulk change can take every loaded row away while the tracker has more: then the
          // (empty) table stays, with its "Load more", rather than saying nothing matches.
          <Empty
            message={
              filtered
                ? 'No issues match these filters. Clear a filter or search for something else.'
                : 'No issues yet. Point a Sentry SDK at the tracking server (Sentry.init({ dsn })) and errors will show up here.'
            }
          />
        ) : (
          <>
            <VirtualList
              items={list.items}
              rowHeight={ISSUE_ROW_HEIGHT}
              height={height}
              renderRow={renderRow}
              onEndReached={endReached}
              scrollToRow={focus?.row}
              testId={testIds.issues.list}
              ariaLabel="Issues"
              header={
                <div className={cx(s.grid, s.header)} role="row" aria-rowindex={1}>
                  <span role="columnheader">
                    <span className={s.srOnly}>Select</span>
                  </span>
                  <span role="columnheader">Severity</span>
                  <span role="columnheader">Issue</span>
                  <span role="columnheader">{severalProjects ? 'Service, project' : 'Service'}</span>
                  <span role="columnheader">Status</span>
                  <span role="columnheader">Last 24 h</span>
                  <span role="columnheader" className={s.num}>
                    Events
                  </span>
                  <span role="columnheader" className={s.num}>
                    Users
                  </span>
                  <span role="columnheader" className={s.num}>
                    Last seen
                  </span>
                </div>
              }
            />
            {list.error && <ErrorState error={list.error} onRetry={() => loadMore(true)} />}
            {list.nextCursor && (
              <Button
                variant="secondary"
                onClick={() => loadMore(true)}
                disabled={list.loadingMore}
                // Stays focusable while disabled (see the bulk buttons).
                tooltip="Load the next page of issues"
                data-testid={testIds.issues.loadMore}
              >
                {list.loadingMore ? 'Loading…' : 'Load more'}
              </Button>
            )}
          </>
        )}
      </div>
    </PluginPage>
  );
}

export default IssuesPage;

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: '24px 80px minmax(200px, 1fr) 140px 110px 100px 70px 60px 90px',
    gap: theme.spacing(1),
    alignItems: 'center',
    padding: theme.spacing(0, 1),
  }),
  header: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    paddingBottom: theme.spacing(0.5),
  }),
  row: css({
    height: '100%',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    // Not action.hover: the culprit's secondary text on it fell to 4.43:1 (WCAG 1.4.3 wants 4.5:1).
    '&:hover': { background: theme.colors.background.secondary },
  }),
  titleCell: css({ minWidth: 0 }),
  // Named for screen readers only (the checkbox column has no visible heading).
  srOnly: css({
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  }),
  title: css({
    display: 'block',
    fontWeight: theme.typography.fontWeightMedium,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    color: theme.colors.text.link,
  }),
  culprit: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  ellipsis: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  toolbar: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    minHeight: theme.spacing(5),
    padding: theme.spacing(0, 1),
  }),
});
