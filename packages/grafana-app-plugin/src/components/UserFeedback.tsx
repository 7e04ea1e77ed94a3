import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import type { FeedbackInfo } from '../api/types';
import { issueUrl } from '../constants';
import { TimeText } from './ExactTime';
import { FeedbackAttachments } from './FeedbackAttachments';

/**
 * What users wrote (Sentry's user feedback, scrubbed by the tracker): who, when, on which page
 * and, where the list spans events, about which, and which issue, linked; then their words as
 * plain text, keeping their lines, and what they sent with them (the widget's screenshot).
 */
export function UserFeedback({
  feedback,
  empty,
  testId,
  focusable = false,
  projectName,
}: {
  feedback: ReadonlyArray<
    FeedbackInfo & { projectId?: number; eventId?: string; issue?: { id: number; title: string } }
  >;
  /** What an empty list says. */
  empty: string;
  testId: string;
  /** Entries take focus (useFocusNewItem), for a list paged on: one without an issue has no link to. */
  focusable?: boolean;
  /** The name of the project a piece was sent to: given where the list spans several. */
  projectName?: (id: number) => string;
}) {
  const s = useStyles2(getStyles);
  if (feedback.length === 0) {
    return <Text color="secondary">{empty}</Text>;
  }
  return (
    <ul className={s.list} data-testid={testId}>
      {feedback.map((f) => (
        <li key={f.id} className={s.entry} tabIndex={focusable ? -1 : undefined}>
          <div className={s.about}>
            <Text color="secondary">
              {projectName && f.projectId !== undefined && `${projectName(f.projectId)} · `}
              {f.name || 'Anonymous'}
              {f.email && ` <${f.email}>`} · <TimeText iso={f.receivedAt} />
              {f.url && ` · on ${f.url}`}
              {f.eventId && ` · event ${f.eventId.slice(0, 8)}`}
            </Text>
          </div>
          {f.issue && (
            <div>
              <Link to={issueUrl(f.issue.id)} className={s.issue}>
                {f.issue.title}
              </Link>
            </div>
          )}
          <p className={s.message}>{f.message}</p>
          {f.attachments.length > 0 && <FeedbackAttachments attachments={f.attachments} />}
        </li>
      ))}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  issue: css({ color: theme.colors.text.link, overflowWrap: 'anywhere' }),
  entry: css({ padding: theme.spacing(1, 0), borderBottom: `1px solid ${theme.colors.border.weak}` }),
  // Who and where: a page's address (up to 2 KB, a query string with no space) wraps anywhere.
  about: css({ overflowWrap: 'anywhere' }),
  // What the user typed keeps its lines.
  message: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: theme.spacing(0.5, 0, 0) }),
});
