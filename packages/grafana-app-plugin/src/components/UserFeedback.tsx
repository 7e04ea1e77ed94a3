import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import type { FeedbackInfo } from '../api/types';
import { TimeText } from './ExactTime';

/**
 * What users wrote (Sentry's user feedback, scrubbed by the tracker): who, when, on which page
 * and, where the list spans events, about which; then their words as plain text, keeping their
 * lines.
 */
export function UserFeedback({
  feedback,
  empty,
  testId,
}: {
  feedback: ReadonlyArray<FeedbackInfo & { eventId?: string }>;
  /** What an empty list says. */
  empty: string;
  testId: string;
}) {
  const s = useStyles2(getStyles);
  if (feedback.length === 0) {
    return <Text color="secondary">{empty}</Text>;
  }
  return (
    <ul className={s.list} data-testid={testId}>
      {feedback.map((f) => (
        <li key={f.id} className={s.entry}>
          <Text color="secondary">
            {f.name || 'Anonymous'}
            {f.email && ` <${f.email}>`} · <TimeText iso={f.receivedAt} />
            {f.url && ` · on ${f.url}`}
            {f.eventId && ` · event ${f.eventId.slice(0, 8)}`}
          </Text>
          <p className={s.message}>{f.message}</p>
        </li>
      ))}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  entry: css({ padding: theme.spacing(1, 0), borderBottom: `1px solid ${theme.colors.border.weak}` }),
  // What the user typed keeps its lines.
  message: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: theme.spacing(0.5, 0, 0) }),
});
