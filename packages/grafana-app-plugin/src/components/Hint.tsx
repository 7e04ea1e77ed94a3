import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Tooltip, styleMixins, useStyles2 } from '@grafana/ui';

interface Props {
  /** What a `title` attribute would have held: shown on hover and focus, read by screen readers. */
  hint: string;
  /** The element the hint is about; it becomes a tab stop (Grafana's Tooltip gives it tabIndex 0). */
  children: React.ReactElement<{ className?: string }>;
}

/**
 * An element with a hint that a `title` would give only to a mouse (WCAG 1.3.1, 2.1.1): Grafana's
 * Tooltip shows it on hover and on keyboard focus, and names it as the element's description while
 * open; a visually hidden copy follows the element, for a screen reader reading the page through
 * (it is outside the element, so focusing the element does not read the hint twice).
 */
export function Hint({ hint, children }: Props) {
  const s = useStyles2(getStyles);
  // Nothing to tell (an event with no culprit): no tooltip, no tab stop, no "()" read out.
  if (!hint) {
    return children;
  }
  return (
    <>
      <Tooltip content={hint}>
        {React.cloneElement(children, { className: cx(children.props.className, s.focus) })}
      </Tooltip>
      <span className={s.visuallyHidden}> ({hint})</span>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // Grafana's global styles draw the focus ring on links and buttons only; a time or a span that
  // takes the focus for its tooltip needs the same ring (WCAG 2.4.7).
  focus: css({ '&:focus': { outline: 'none' }, '&:focus-visible': styleMixins.getFocusStyles(theme) }),
  visuallyHidden,
});

/** Out of sight but read by screen readers (Grafana's global `.sr-only`, kept here so no page depends on it). */
export const visuallyHidden = css({
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0, 0, 0, 0)',
  whiteSpace: 'nowrap',
  border: 0,
});
