import React, { useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Switch, Text, useStyles2 } from '@grafana/ui';
import type { ExceptionView, Frame } from '../api/event';
import { testIds } from './testIds';

function FrameRow({ frame, open }: { frame: Frame; open: boolean }) {
  const s = useStyles2(getStyles);
  return (
    <li className={cx(s.frame, frame.inApp && s.inApp)} data-testid={testIds.issue.frame} data-in-app={frame.inApp}>
      <div className={s.frameHead}>
        <code>{frame.filename}</code>
        <span> in </span>
        <code className={s.fn}>{frame.function}</code>
        {frame.lineno !== undefined && (
          <span>
            {' '}
            at line {frame.lineno}
            {frame.colno !== undefined ? `:${frame.colno}` : ''}
          </span>
        )}
        {frame.inApp && <Badge text="in app" color="blue" className={s.badge} />}
      </div>
      {open && frame.context.length > 0 && (
        <pre className={s.context}>
          {frame.context.map(([n, line, own]) => (
            <div key={n} className={cx(own && s.ownLine)} data-testid={own ? testIds.issue.contextLine : undefined}>
              <span className={s.lineNo}>{n}</span>
              {line}
            </div>
          ))}
        </pre>
      )}
    </li>
  );
}

/** Exceptions innermost call first; in-app frames highlighted and opened with their source context. */
export function StackTrace({ exceptions }: { exceptions: ExceptionView[] }) {
  const s = useStyles2(getStyles);
  const [inAppOnly, setInAppOnly] = useState(false);
  if (exceptions.length === 0) {
    return <Text color="secondary">This event has no exception or stack trace.</Text>;
  }
  const anyInApp = exceptions.some((e) => e.frames.some((f) => f.inApp));
  return (
    <div>
      {anyInApp && (
        <label className={s.toggle}>
          <Switch
            value={inAppOnly}
            onChange={() => setInAppOnly(!inAppOnly)}
            data-testid={testIds.issue.inAppOnly}
            aria-label="Only in-app frames"
          />
          <span>Only in-app frames</span>
        </label>
      )}
      {exceptions.map((e, i) => {
        const frames = inAppOnly ? e.frames.filter((f) => f.inApp) : e.frames;
        const firstInApp = e.frames.findIndex((f) => f.inApp);
        return (
          <div key={i} className={s.exception} data-testid={testIds.issue.exception}>
            <div className={s.exceptionHead}>
              <strong>{e.type}</strong>
              {e.value && <span>: {e.value}</span>}
            </div>
            {frames.length === 0 ? (
              <Text color="secondary">No frames.</Text>
            ) : (
              <ol className={s.frames}>
                {frames.map((f, j) => (
                  <FrameRow key={j} frame={f} open={f.inApp || (firstInApp < 0 && j === 0)} />
                ))}
              </ol>
            )}
          </div>
        );
      })}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  toggle: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', marginBottom: theme.spacing(1) }),
  exception: css({ marginBottom: theme.spacing(2) }),
  // An exception's value (a message with a payload or a long name in it) wraps as the frames do.
  exceptionHead: css({ overflowWrap: 'anywhere' }),
  frames: css({ listStyle: 'none', margin: theme.spacing(1, 0), padding: 0 }),
  frame: css({
    borderLeft: `3px solid ${theme.colors.border.weak}`,
    padding: theme.spacing(0.5, 1),
    marginBottom: theme.spacing(0.5),
    color: theme.colors.text.secondary,
  }),
  inApp: css({
    borderLeftColor: theme.colors.primary.main,
    background: theme.colors.background.secondary,
    color: theme.colors.text.primary,
  }),
  // A path or function name with nothing to break at (bundled or JVM code) wraps rather than
  // running over the page's side column: Grafana's global styles keep `code` on one line.
  frameHead: css({
    fontSize: theme.typography.bodySmall.fontSize,
    code: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
  }),
  fn: css({ fontWeight: theme.typography.fontWeightBold }),
  badge: css({ marginLeft: theme.spacing(1) }),
  context: css({ margin: theme.spacing(0.5, 0, 0), padding: theme.spacing(0.5), fontSize: 12 }),
  // On the highlighted line the disabled colour fell to 4.09:1 (WCAG 1.4.3 wants 4.5:1).
  ownLine: css({ background: theme.colors.warning.transparent, '& > span': { color: theme.colors.text.primary } }),
  lineNo: css({
    display: 'inline-block',
    width: 48,
    color: theme.colors.text.disabled,
    textAlign: 'right',
    marginRight: theme.spacing(1),
    userSelect: 'none',
  }),
});
