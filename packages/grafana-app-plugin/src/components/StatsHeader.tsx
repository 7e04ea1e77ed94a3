import React, { useEffect } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import type { TrackerApi } from '../api/client';
import { SEVERITIES, type Stats } from '../api/types';
import { SeverityBadge } from './Badges';
import { Count } from './Count';
import { Sparkline } from './Sparkline';
import { testIds } from './testIds';
import { useAsync } from './useAsync';

/**
 * The last 60 minutes against the average of the 23 whole clock hours before the one in progress,
 * in percent (undefined when there is no baseline). The trend's last entry is that hour so far
 * (a few minutes of it just after the hour), so it is not the last hour: `lastHour` is.
 */
export function trendChange(lastHour: number, trend: readonly number[]): number | undefined {
  if (trend.length < 2 || !Number.isFinite(lastHour)) {
    return undefined;
  }
  const last = lastHour;
  const before = trend.slice(0, -1);
  const avg = before.reduce((a, b) => a + b, 0) / before.length;
  return avg === 0 ? undefined : Math.round(((last - avg) / avg) * 100);
}

interface Props {
  api: TrackerApi;
  refreshKey?: number;
  /** False holds the request back (the header stays empty) until the page's main data has come. */
  enabled?: boolean;
  /** Hears each stats answer the header gets (the issues page takes its Service options from it). */
  onStats?: (stats: Stats) => void;
  /** The projects the list is filtered to, whose stats these are; every project's when absent. */
  project?: readonly number[];
}

export function StatsHeader({ api, refreshKey, enabled = true, onStats, project }: Props) {
  const s = useStyles2(getStyles);
  const projectKey = JSON.stringify(project);
  const { value: stats, error } = useAsync(
    (signal) => (enabled ? api.stats(project ? { project } : {}, { signal }) : new Promise<never>(() => {})),
    [api, refreshKey, enabled, projectKey]
  );
  useEffect(() => {
    if (stats) {
      onStats?.(stats);
    }
  }, [stats, onStats]);
  if (error) {
    return (
      <div className={s.row} data-testid={testIds.stats.container}>
        <Text color="secondary">Stats unavailable.</Text>
      </div>
    );
  }
  if (!stats) {
    return <div className={s.row} data-testid={testIds.stats.container} />;
  }
  const change = trendChange(stats.lastHour, stats.trend);
  return (
    <div className={s.row} data-testid={testIds.stats.container}>
      {SEVERITIES.map((sev) => (
        <div key={sev} className={s.cell} data-testid={`${testIds.stats.severity}-${sev}`}>
          <SeverityBadge severity={sev} />
          <Count value={stats.bySeverity[sev] ?? 0} className={s.number} />
        </div>
      ))}
      <div className={s.cell} data-testid={testIds.stats.open}>
        <Text color="secondary">Open or investigating</Text>
        <Count value={stats.openIssues} className={s.number} />
      </div>
      <div className={s.cell} data-testid={testIds.stats.lastHour}>
        <Text color="secondary">Last hour</Text>
        <Count value={stats.lastHour} className={s.number} />
      </div>
      <div className={s.cell} data-testid={testIds.stats.lastDay}>
        <Text color="secondary">Last 24 h</Text>
        <Count value={stats.lastDay} className={s.number} />
      </div>
      <div className={s.cell} data-testid={testIds.stats.trend}>
        <Sparkline values={stats.trend} width={140} height={28} label="events per hour, last 24 hours" />
        <Text color="secondary">
          {change === undefined ? 'no baseline' : `${change > 0 ? '+' : ''}${change}% vs 24 h average`}
        </Text>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(3),
    alignItems: 'center',
    minHeight: theme.spacing(5),
    marginBottom: theme.spacing(2),
  }),
  cell: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center' }),
  number: css({ fontSize: theme.typography.h4.fontSize, fontWeight: theme.typography.fontWeightMedium }),
});
