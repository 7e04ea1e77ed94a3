import React, { useCallback, useMemo } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, Tooltip, useStyles2 } from '@grafana/ui';
import type { SessionDetail, SessionOperation } from '../api/types';
import { formatMs } from './format';
import { testIds } from './testIds';
import { VirtualList } from './VirtualList';

/** Height of one operation row: the rows are a virtual list, only those in view are in the DOM. */
const ROW_HEIGHT = 23;

export interface WaterfallRow {
  op: SessionOperation;
  depth: number;
}

/** Orders operations depth-first under their parents (by start), so children sit under their parent. */
export function nestOperations(ops: readonly SessionOperation[]): WaterfallRow[] {
  const ids = new Set(ops.map((o) => o.spanId));
  const children = new Map<string | undefined, SessionOperation[]>();
  for (const op of ops) {
    const parent = op.parentSpanId && ids.has(op.parentSpanId) ? op.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(op);
    children.set(parent, list);
  }
  const rows: WaterfallRow[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.offsetMs - b.offsetMs);
    for (const op of list) {
      rows.push({ op, depth });
      visit(op.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}

interface Props {
  session: Pick<SessionDetail, 'durationMs' | 'timeline' | 'errorEvents'>;
  /** Hide the operation names column (narrow panels). */
  compact?: boolean;
  /** Most pixels the operations take; more of them scroll (a 5,000-operation session). */
  maxHeight?: number;
}

/** The session's operations as a waterfall, with slow ones flagged and errors placed on the time axis. */
export function Waterfall({ session, compact, maxHeight = 640 }: Props) {
  const s = useStyles2(getStyles);
  const rows = useMemo(() => nestOperations(session.timeline), [session.timeline]);
  const total = Math.max(session.durationMs, 1);
  const pct = useCallback((ms: number) => `${Math.min(100, Math.max(0, (ms / total) * 100)).toFixed(3)}%`, [total]);
  const errorSpans = useMemo(() => new Set(session.errorEvents.map((e) => e.spanId)), [session.errorEvents]);
  const renderRow = useCallback(
    ({ op, depth }: WaterfallRow) => {
      const failed = op.status === 'error' || errorSpans.has(op.spanId);
      // Failed is shown by colour alone and the status message nowhere else: the bar is an image
      // named with both, for screen readers, and the same text is its tooltip for the mouse. Not a
      // tab stop per operation: the list's scroller is the timeline's one (see VirtualList).
      const label = `${op.name}: ${formatMs(op.durationMs)}${op.slow ? ' (slow)' : ''}${failed ? ' (failed)' : ''}${op.statusMessage ? ` — ${op.statusMessage}` : ''}`;
      return (
        <div className={cx(s.row, s.fill)} data-testid={testIds.session.operation} data-slow={op.slow}>
          {!compact && (
            <div className={s.name} style={{ paddingLeft: depth * 12 }} title={`${op.service}: ${op.name}`} role="cell">
              <span className={s.service}>{op.service}</span> {op.name}
            </div>
          )}
          <div className={s.track} role="cell">
            <div
              data-bar
              className={cx(s.bar, op.slow && s.slow, failed && s.failed)}
              style={{ left: pct(op.offsetMs), width: `max(2px, ${pct(op.durationMs)})` }}
              role="img"
              aria-label={label}
              title={label}
            />
            <span className={s.duration} style={{ left: pct(op.offsetMs + op.durationMs) }}>
              {formatMs(op.durationMs)}
              {op.slow ? ' slow' : ''}
            </span>
          </div>
        </div>
      );
    },
    [s, compact, errorSpans, pct]
  );
  if (rows.length === 0 && session.errorEvents.length === 0) {
    return <Text color="secondary">This session has no operations.</Text>;
  }
  return (
    <div className={s.container}>
      <div className={s.row}>
        {!compact && <div className={s.name} />}
        <div className={cx(s.track, s.axis)}>
          <span className={s.axisLabel} style={{ left: 0 }} data-testid={testIds.session.axisLabel}>
            0
          </span>
          <span className={s.axisLabel} style={{ right: 0 }} data-testid={testIds.session.axisLabel}>
            {formatMs(session.durationMs)}
          </span>
          {session.errorEvents.map((e) => (
            <Tooltip key={e.eventId} content={`${e.title} (${e.service}, +${formatMs(e.offsetMs)})`}>
              <span
                className={s.errorMarker}
                style={{ left: pct(e.offsetMs) }}
                data-testid={testIds.session.errorMarker}
                aria-label={`error at +${formatMs(e.offsetMs)}: ${e.title}`}
                role="img"
              >
                ✕
              </span>
            </Tooltip>
          ))}
        </div>
      </div>
      <VirtualList
        items={rows}
        rowHeight={ROW_HEIGHT}
        height={Math.max(ROW_HEIGHT, Math.min(rows.length * ROW_HEIGHT, maxHeight))}
        renderRow={renderRow}
        ariaLabel="Operations"
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({ fontSize: theme.typography.bodySmall.fontSize }),
  row: css({
    display: 'flex',
    alignItems: 'center',
    minHeight: 22,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  fill: css({ height: '100%', minHeight: 0 }),
  name: css({ width: 280, flexShrink: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  service: css({ color: theme.colors.text.secondary }),
  track: css({ position: 'relative', flex: 1, height: 20, marginRight: 80 }),
  bar: css({
    position: 'absolute',
    top: 5,
    height: 10,
    borderRadius: 2,
    background: theme.colors.primary.main,
  }),
  slow: css({ background: theme.colors.warning.main }),
  failed: css({ background: theme.colors.error.main }),
  duration: css({
    position: 'absolute',
    top: 2,
    marginLeft: 4,
    whiteSpace: 'nowrap',
    color: theme.colors.text.secondary,
  }),
  // Two lanes: the labels above, the error markers below, so that an error at either end of
  // the session does not cover the label there.
  axis: css({ height: 40 }),
  axisLabel: css({ position: 'absolute', top: 2, color: theme.colors.text.secondary }),
  errorMarker: css({
    position: 'absolute',
    top: 22,
    transform: 'translateX(-50%)',
    color: theme.colors.error.text,
    fontWeight: theme.typography.fontWeightBold,
    cursor: 'default',
  }),
});
