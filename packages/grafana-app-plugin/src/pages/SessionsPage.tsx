import React, { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Checkbox, Field, Stack, useStyles2 } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import type { SessionQuery, SessionSummary } from '../api/types';
import { DebouncedInput } from '../components/DebouncedInput';
import { ExactTime } from '../components/ExactTime';
import { formatMs } from '../components/format';
import { Hint } from '../components/Hint';
import { LoadMore } from '../components/LoadMore';
import { ProjectFilter } from '../components/ProjectFilter';
import { Empty, ErrorState, Loading } from '../components/States';
import { testIds } from '../components/testIds';
import { useAsync } from '../components/useAsync';
import { useMorePages } from '../components/useMorePages';
import { projectIds, useProjects } from '../components/useProjects';
import { useListParam, useQueryParams } from '../components/useQueryParams';
import { sessionIdProblem, sessionUrl } from '../constants';

/**
 * The page's filters from its URL query; a value that is no filter (anything but `true` for
 * hasErrors) is left out. The minimum duration is whole milliseconds of up to 12 digits, as the
 * field writes it and the tracker reads it: `Infinity`, `1e21` or `1e-7` passed `Number(…) > 0`
 * and went out as text the tracker answers 400 to, leaving the page on an error for a URL typo.
 */
export function sessionQueryFrom(params: URLSearchParams): SessionQuery {
  return {
    project: projectIds(params),
    q: params.get('q') || undefined,
    service: params.get('service') || undefined,
    minDurationMs: minDurationFrom(params.get('minDurationMs') ?? ''),
    hasErrors: params.get('hasErrors') === 'true' ? true : undefined,
    limit: 200,
  };
}

/** A minimum duration as the URL and the field write it (`sessionQueryFrom`), or undefined for none. */
const minDurationFrom = (text: string) => (/^[0-9]{1,12}$/.test(text) && Number(text) > 0 ? Number(text) : undefined);

/** What the "Min duration (ms)" field says to a value that is no minimum duration (`2s`, `0`, `1.5`). */
export const MIN_DURATION_PROBLEM = 'Enter a whole number of milliseconds from 1 to 999999999999, such as 250.';

/** Why a listed session has no link (`sessionIdProblem`). */
export const unreachableId = (problem: string) =>
  `This session cannot be opened: ${problem}, so the tracking server cannot be asked for it by its id.`;

export function SessionsPage() {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const [params, set] = useQueryParams();
  const setList = useListParam();
  const { projects, nameOf } = useProjects();
  // Each row names its projects where the tracker has several.
  const severalProjects = projects.length > 1;
  const query = useMemo(() => sessionQueryFrom(params), [params]);
  const queryKey = JSON.stringify(query);
  const { value, error, loading, reload } = useAsync((signal) => api.listSessions(query, { signal }), [api, queryKey]);
  const rowsRef = useRef<HTMLTableSectionElement>(null);
  const more = useMorePages({
    first: value,
    firstLoading: loading,
    key: queryKey,
    fetchPage: (cursor, signal) => api.listSessions({ ...query, cursor }, { signal }),
    join: withPage,
    focus: { container: rowsRef, items: 'tr' },
  });
  const { items } = more;
  // A minimum duration typed that is none (`2s`): the field keeps it and says why, and the list
  // keeps the filter it had. Dropping the filter and emptying the field hid the typo and showed
  // sessions of every duration as if they were the ones asked for.
  const [badMinDuration, setBadMinDuration] = useState<string>();
  const filtered = Boolean(query.project || query.q || query.service || query.minDurationMs || query.hasErrors);

  return (
    <PluginPage>
      <div data-testid={testIds.sessions.container}>
        <Stack gap={2} alignItems="flex-end" wrap="wrap">
          <ProjectFilter
            projects={projects}
            nameOf={nameOf}
            values={query.project}
            inputId="beacon-sessions-project"
            testId={testIds.sessions.project}
            onChange={(ids) => setList('project', ids)}
          />
          <Field label="Search">
            <DebouncedInput
              label="Search sessions"
              testId={testIds.sessions.search}
              placeholder="Correlation id or trace id"
              width={36}
              value={query.q ?? ''}
              // Typing replaces its history entry; the project and the checkbox are steps Back undoes.
              onChange={(v) => set('q', v, 'replace')}
            />
          </Field>
          <Field label="Service">
            <DebouncedInput
              label="Service"
              testId={testIds.sessions.service}
              width={20}
              value={query.service ?? ''}
              onChange={(v) => set('service', v, 'replace')}
            />
          </Field>
          <Field
            label="Min duration (ms)"
            invalid={badMinDuration !== undefined}
            error={badMinDuration !== undefined ? MIN_DURATION_PROBLEM : undefined}
          >
            <DebouncedInput
              label="Minimum duration in milliseconds"
              width={14}
              // The text that was no duration stays shown (as the value the input last reported),
              // so that typing the filter's own value again is a change that clears the error.
              value={badMinDuration ?? (query.minDurationMs ? String(query.minDurationMs) : '')}
              onChange={(v) => {
                const bad = v !== '' && minDurationFrom(v) === undefined;
                setBadMinDuration(bad ? v : undefined);
                if (!bad) {
                  set('minDurationMs', v || undefined, 'replace');
                }
              }}
            />
          </Field>
          <Field label="Errors">
            <Checkbox
              label="Only with errors"
              data-testid={testIds.sessions.withErrors}
              value={query.hasErrors === true}
              onChange={(e) => set('hasErrors', e.currentTarget.checked ? 'true' : undefined)}
            />
          </Field>
        </Stack>
        {error ? (
          <ErrorState error={error} onRetry={reload} />
        ) : loading && !value ? (
          <Loading text="Loading debug sessions…" />
        ) : items.length === 0 ? (
          <Empty
            message={
              filtered
                ? 'No debug sessions match these filters.'
                : 'No debug sessions yet. Send spans with the OpenTelemetry OTLP exporter, or Sentry transactions, tagged with correlation_id.'
            }
          />
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th>Correlation id</th>
                <th>Services</th>
                {severalProjects && <th>Projects</th>}
                <th>Started</th>
                <th className={s.num}>Duration</th>
                <th className={s.num}>Operations</th>
                <th className={s.num}>Errors</th>
                <th className={s.num}>Slow</th>
              </tr>
            </thead>
            <tbody ref={rowsRef}>
              {items.map((item) => (
                <tr key={item.id} data-testid={testIds.sessions.row}>
                  <td className={s.id}>
                    {sessionIdProblem(item.id) === undefined ? (
                      <Link to={sessionUrl(item.id)} className={s.link}>
                        {item.correlationId ?? item.id}
                      </Link>
                    ) : (
                      <Hint hint={unreachableId(sessionIdProblem(item.id)!)}>
                        <span>{item.correlationId ?? item.id}</span>
                      </Hint>
                    )}
                  </td>
                  <td>{item.services.join(', ')}</td>
                  {severalProjects && <td>{item.projectIds.map(nameOf).join(', ')}</td>}
                  <td>
                    <ExactTime iso={item.start} />
                  </td>
                  <td className={s.num}>{formatMs(item.durationMs)}</td>
                  <td className={s.num}>{item.operations}</td>
                  <td className={s.num}>{item.errors}</td>
                  <td className={s.num}>{item.slowOperations}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!error && (
          <LoadMore
            more={more}
            firstLoading={loading}
            onClick={more.loadMore}
            label="Load more sessions"
            tooltip="Load the next page of debug sessions"
            testId={testIds.sessions.more}
          />
        )}
      </div>
    </PluginPage>
  );
}

export default SessionsPage;

/**
 * The list with a further page appended, one row per session: a session with a newer record
 * moves up the tracker's order and can come again, its later copy replacing the earlier row.
 */
function withPage(items: readonly SessionSummary[], more: readonly SessionSummary[]): SessionSummary[] {
  const later = new Map(more.map((session) => [session.id, session]));
  const shown = new Set(items.map((session) => session.id));
  return [
    ...items.map((session) => later.get(session.id) ?? session),
    ...more.filter((session) => !shown.has(session.id)),
  ];
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    marginTop: theme.spacing(2),
    'th, td': { padding: theme.spacing(0.5, 1), textAlign: 'left' },
    // The headers are a word or two: they stay whole beside a long correlation id.
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium, whiteSpace: 'nowrap' },
    'tbody tr': { borderTop: `1px solid ${theme.colors.border.weak}` },
  }),
  num: css({ textAlign: 'right !important' as 'right', fontVariantNumeric: 'tabular-nums' }),
  link: css({ color: theme.colors.text.link }),
  // A correlation id with nothing to break at (600 characters of one) wraps anywhere rather than
  // pushing the other columns out of the window. This column only: the table gives a column that
  // may break anywhere little more than its header's width, so a service's name broke mid-word.
  id: css({ overflowWrap: 'anywhere' }),
});
