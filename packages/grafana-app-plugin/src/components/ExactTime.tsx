import React from 'react';
import { formatExactTime, formatTime, relativeTime } from './format';
import { Hint, visuallyHidden } from './Hint';

interface Props {
  /** A time the tracker sent (RFC 3339). */
  iso: string;
  /**
   * Inside a button or link: the time gets no tooltip or tab stop of its own (a control holds no
   * other focusable element), only the exact time in hidden text, read in the control's name.
   */
  inControl?: boolean;
}

/** The `datetime` of a `<time>` element (UTC, to the millisecond); undefined for a time that cannot be read. */
function machineTime(iso: string): string | undefined {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * A time shown relative ("3m ago") in a `<time>` element, with its exact time (`formatExactTime`:
 * in the Grafana user's time zone, named, as the page's other times are, and in UTC after it where
 * that zone is not UTC) on hover and keyboard focus and for screen readers, where a `title` would
 * give it to the mouse alone. Grafana's own times behind a relative one (its alerting's
 * notification tooltips) and Sentry's TimeSince tooltip are in the user's zone too. A time that
 * cannot be read is shown as it came, with nothing more to tell.
 */
export function ExactTime({ iso, inControl }: Props) {
  const dateTime = machineTime(iso);
  if (dateTime === undefined) {
    return <>{relativeTime(iso)}</>;
  }
  const exact = formatExactTime(iso);
  const time = <time dateTime={dateTime}>{relativeTime(iso)}</time>;
  if (inControl) {
    return (
      <>
        {time}
        <span className={visuallyHidden}> ({exact})</span>
      </>
    );
  }
  return <Hint hint={exact}>{time}</Hint>;
}

/** A time shown exact (`formatTime`) in a `<time>` element; one that cannot be read, as it came. */
export function TimeText({ iso }: { iso: string }) {
  const dateTime = machineTime(iso);
  return dateTime === undefined ? <>{formatTime(iso)}</> : <time dateTime={dateTime}>{formatTime(iso)}</time>;
}
