import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2, useTheme2 } from '@grafana/ui';
import type { MemorySnapshot } from '../api/types';
import { formatBytes, formatMs } from './format';
import { testIds } from './testIds';

const W = 600;
const H = 120;

/** RSS and heap used over the session, as two lines on one byte axis. */
export function MemoryChart({ memory, durationMs }: { memory: readonly MemorySnapshot[]; durationMs: number }) {
  const theme = useTheme2();
  const s = useStyles2(getStyles);
  if (memory.length === 0) {
    return <Text color="secondary">No memory snapshots (send OTLP span events named {'"memory"'}).</Text>;
  }
  const max = Math.max(1, ...memory.flatMap((m) => [m.rss ?? 0, m.heapUsed ?? 0]));
  const total = Math.max(durationMs, ...memory.map((m) => m.offsetMs), 1);
  const line = (pick: (m: MemorySnapshot) => number | undefined) =>
    memory
      .filter((m) => pick(m) !== undefined)
      .map((m) => `${((m.offsetMs / total) * W).toFixed(1)},${(H - 4 - (pick(m)! / max) * (H - 8)).toFixed(1)}`)
      .join(' ');
  const peak = Math.max(...memory.map((m) => m.rss ?? 0));
  return (
    <div data-testid={testIds.session.memory}>
      <svg
        width="100%"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        className={s.svg}
        role="img"
        aria-label={`memory over ${formatMs(total)}, peak RSS ${formatBytes(peak)}`}
      >
        <polyline points={line((m) => m.rss)} fill="none" stroke={theme.colors.primary.main} strokeWidth={2} />
        <polyline points={line((m) => m.heapUsed)} fill="none" stroke={theme.colors.warning.main} strokeWidth={2} />
      </svg>
      <Text color="secondary">
        {memory.length} snapshots · peak RSS {formatBytes(peak)} · blue: RSS, orange: heap used · max {formatBytes(max)}
      </Text>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  svg: css({ height: H, background: theme.colors.background.secondary, display: 'block' }),
});
