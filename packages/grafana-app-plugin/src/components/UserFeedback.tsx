import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import type { FeedbackInfo } from '../api/types';
import { TimeText } from './ExactTime';
import { testIds } from './testIds';

/**
 * What users wrote about an event (Sentry's user feedback, scrubbed by the tracker), oldest
 * first: who, when, and their words as plain text, on the page they named.
 */
export function UserFeedback({ feedback }: { feedback: readonly FeedbackInfo[] }) {
  const s = useStyles2(getStyles);
  if (feedback.length === 0) {
    return <Text color="secondary">No user feedback.</Text>;
  }
  return (
    <ul className={s.list} data-testid={testIds.issue.feedback}>
      {feedback.map((f) => (
        <li key={f.id} className={s.entry}>
          <Text color="secondary">
            {f.name || 'Anonymous'}
            {f.email && ` <${f.email}>`} · <TimeText iso={f.receivedAt} />
            {f.url && ` · on ${f.url}`}
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
