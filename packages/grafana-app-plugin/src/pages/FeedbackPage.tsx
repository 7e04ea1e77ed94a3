import React, { useRef } from 'react';
import { css } from '@emotion/css';
import { PluginPage } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import type { FeedbackEntry } from '../api/types';
import { LoadMore } from '../components/LoadMore';
import { Empty, ErrorState, Loading } from '../components/States';
import { testIds } from '../components/testIds';
import { useAsync } from '../components/useAsync';
import { useFocusNewItem } from '../components/useFocusNewItem';
import { useMorePages } from '../components/useMorePages';
import { UserFeedback } from '../components/UserFeedback';
import { FEEDBACK_PAGE_SIZE } from '../constants';

/**
 * The tracker pages feedback by when it came (a cursor past the last one shown): what comes in
 * meanwhile goes before the first page, never into a later one, so pages join end to end.
 */
const joinPages = (shown: readonly FeedbackEntry[], page: readonly FeedbackEntry[]) => [...shown, ...page];

/**
 * Every piece of user feedback the tracker keeps, newest first: what users wrote about an error,
 * linked to its issue where the tracker linked it, and what they wrote about nothing in particular
 * (Sentry's feedback widget), which no issue lists.
 */
export function FeedbackPage() {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const { value, error, loading, reload } = useAsync(
    (signal) => api.listFeedback(undefined, FEEDBACK_PAGE_SIZE, { signal }),
    [api]
  );
  const more = useMorePages(
    value,
    loading,
    'feedback',
    (cursor, signal) => api.listFeedback(cursor, FEEDBACK_PAGE_SIZE, { signal }),
    joinPages
  );
  const listRef = useRef<HTMLDivElement>(null);
  const expectMore = useFocusNewItem(listRef, more.items.length, Boolean(more.nextCursor), 'li');
  const loadMore = () => more.loadMore() && expectMore();

  return (
    <PluginPage>
      <div data-testid={testIds.feedback.container} ref={listRef} className={s.page}>
        {error ? (
          <ErrorState error={error} onRetry={reload} />
        ) : !value ? (
          <Loading text="Loading user feedback…" />
        ) : more.items.length === 0 ? (
          <Empty message="No user feedback yet. Sentry SDKs send it with captureFeedback or the feedback widget." />
        ) : (
          <UserFeedback feedback={more.items} empty="" testId={testIds.feedback.list} focusable />
        )}
        {!error && (
          <LoadMore
            more={more}
            firstLoading={loading}
            onClick={loadMore}
            label="Load older feedback"
            tooltip="Load the next page of user feedback"
            testId={testIds.feedback.more}
          />
        )}
      </div>
    </PluginPage>
  );
}

export default FeedbackPage;

const getStyles = () => ({
  page: css({ maxWidth: 960 }),
});
