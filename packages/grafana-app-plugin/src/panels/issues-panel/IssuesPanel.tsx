import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { type TrackerApi, TrackerError } from '../../api/client';
import { useTrackerApi } from '../../api/context';
import type { IssueSort, IssueStatus } from '../../api/types';
import { SeverityBadge, StatusBadge } from '../../components/Badges';
import { Count } from '../../components/Count';
import { formatCount, formatExactCount } from '../../components/format';
import { Hint } from '../../components/Hint';
import { Sparkline } from '../../components/Sparkline';
import { Empty, ErrorState, Loading } from '../../components/States';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { isProjectId } from '../../components/useProjects';
import { issueUrl } from '../../constants';

export interface IssuesPanelOptions {
  /** A service name or a dashboard variable such as `$service`; empty = every service. */
  service: string;
  /**
   * A project's name or id, or a dashboard variable such as `$project` (the tracker's metrics
   * label their project by name); empty = every project. Absent in panels saved before it.
   */
  project?: string;
  status: IssueStatus | 'any';
  sort: IssueSort;
  limit: number;
}

export const defaultIssuesPanelOptions: IssuesPanelOptions = {
  service: '$service',
  project: '',
  status: 'open',
  sort: 'events',
  limit: 10,
};

/**
 * The values a text option (`service`, `project`) names once Grafana has replaced its variables;
 * undefined means every one: empty, a variable that did not resolve (still `$name`), or a
 * match-all value. A multi-value variable with several values, or with "All" and no custom all
 * value, comes in Grafana's default (glob) format, `{a,b,c}`: each of them is kept.
 */
export function optionValues(raw: string): string[] | undefined {
  const v = raw.trim();
  if (!v || v.startsWith('$') || v === 'All' || v === '*' || v === '.*') {
    return undefined;
  }
  const glob = /^\{(.*)\}$/.exec(v);
  const services = [...new Set((glob ? glob[1].split(',') : [v]).map((s) => s.trim()).filter(Boolean))];
  return services.length > 0 ? services : undefined;
}

/** Most values the tracker takes in one filter (`service`, `project` given up to 100 times). */
const MAX_VALUES = 100;

/**
 * The ids of the projects a `project` option names, by name or by id, from the tracker's list. A
 * name comes first: the metrics label a project by its name, which may be digits (`1`), and read
 * as an id that value was another project. A value that is neither is an error that names it,
 * rather than a panel of every project's issues.
 */
async function projectIdsOf(named: readonly string[], api: TrackerApi, signal: AbortSignal): Promise<number[]> {
  const { items } = await api.projects({ signal });
  const ids = named.map((value) => {
    const found = items.find((p) => p.name === value);
    if (found) {
      return found.id;
    }
    if (isProjectId(value)) {
      return Number(value);
    }
    const listed = items.map((p) => p.name).join(', ') || 'none';
    throw new TrackerError(
      'bad-request',
      `The project option names "${value}", which the tracker does not list (its projects: ${listed}).`
    );
  });
  // In one order whatever the variable's, so the same projects make the same request.
  return [...new Set(ids)].sort((a, b) => a - b);
}

export function IssuesPanel({ options, timeRange, replaceVariables, width, height }: PanelProps<IssuesPanelOptions>) {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const services = optionValues(replaceVariables(options.service ?? ''));
  const servicesKey = services?.join(',');
  const projects = optionValues(replaceVariables(options.project ?? ''));
  const projectsKey = projects?.join(',');
  const from = timeRange.from.valueOf();
  const to = timeRange.to.valueOf();
  const limit = Math.max(1, Math.min(100, options.limit || 10));
  const { value, error, loading, reload } = useAsync(
    async (signal) => {
      if (services && services.length > MAX_VALUES) {
        throw new TrackerError(
          'bad-request',
          `The service option names ${services.length} services; the tracker takes at most ${MAX_VALUES}. Pick fewer, or give the variable a custom all value such as * for every service.`
        );
      }
      if (projects && projects.length > MAX_VALUES) {
        throw new TrackerError(
          'bad-request',
          `The project option names ${projects.length} projects; the tracker takes at most ${MAX_VALUES}. Pick fewer, or give the variable a custom all value such as * for every project.`
        );
      }
      const project = projects ? await projectIdsOf(projects, api, signal) : undefined;
      // The tracker keeps the issues active in the dashboard's time range.
      // and the issues of any of the services picked (each an issue with an event from it).
      const page = await api.listIssues(
        {
          project,
          service: services,
          status: options.status === 'any' ? undefined : options.status,
          sort: options.sort,
          seenAfter: from,
          seenBefore: to,
          limit,
        },
        { signal }
      );
      return page.items;
      // servicesKey and projectsKey stand for their arrays (new ones on every render).
    },
    [api, servicesKey, projectsKey, options.status, options.sort, limit, from, to]
  );

  const showSparkline = width >= 420;
  return (
    <div className={s.container} style={{ width, height }} data-testid={testIds.panels.issues}>
      {error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : loading && !value ? (
        <Loading text="Loading issues…" />
      ) : !value || value.length === 0 ? (
        <Empty
          message={`No ${options.status === 'any' ? '' : `${options.status} `}issues${services ? ` for ${services.join(', ')}` : ''}${projects ? ` in ${projects.join(', ')}` : ''} in this time range.`}
        />
      ) : (
        <table className={s.table}>
          <tbody>
            {value.map((issue) => (
              <tr key={issue.id} data-testid={testIds.panels.issueRow}>
                <td>
                  <SeverityBadge severity={issue.severity} />
                </td>
                <td className={s.titleCell}>
                  {/* The culprit is shown nowhere else in the panel: a hint on the link. */}
                  <Hint hint={issue.culprit}>
                    <a href={issueUrl(issue.id)} className={s.title}>
                      {issue.title}
                    </a>
                  </Hint>
                  <div className={s.sub}>{issue.service}</div>
                </td>
                <td>
                  <StatusBadge status={issue.status} />
                </td>
                {showSparkline && (
                  <td>
                    <Sparkline values={issue.hourly} width={80} />
                  </td>
                )}
                <td className={s.num}>
                  {issue.rangeCount === undefined ? (
                    <Count value={issue.count} />
                  ) : (
                    // The events in the dashboard's time range, as the tracker counts and sorts
                    // them (by the hours it touches); the lifetime total as its hint.
                    <Hint
                      hint={`${formatExactCount(issue.rangeCount)} in this time range, ${formatExactCount(issue.count)} in all`}
                    >
                      <span>{formatCount(issue.rangeCount)}</span>
                    </Hint>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({ overflow: 'auto' }),
  table: css({
    width: '100%',
    tableLayout: 'auto',
    td: { padding: theme.spacing(0.5), verticalAlign: 'middle' },
    'tr + tr': { borderTop: `1px solid ${theme.colors.border.weak}` },
  }),
  titleCell: css({ maxWidth: 0, width: '100%' }),
  title: css({
    display: 'block',
    color: theme.colors.text.link,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  // The service, under the title: a long name wraps within its cell rather than running over the next.
  sub: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    overflowWrap: 'anywhere',
  }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
});
