import React, { useRef } from 'react';
import { css } from '@emotion/css';
import { PluginPage } from '@grafana/runtime';
import { Field, Stack, useStyles2 } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import { DebouncedInput } from '../components/DebouncedInput';
import { LoadMore } from '../components/LoadMore';
import { ProjectFilter } from '../components/ProjectFilter';
import { Empty, ErrorState, Loading } from '../components/States';
import { testIds } from '../components/testIds';
import { useAsync } from '../components/useAsync';
import { appendPage, useMorePages } from '../components/useMorePages';
import { projectIds, useProjects } from '../components/useProjects';
import { useListParam, useQueryParams } from '../components/useQueryParams';
import { UserFeedback } from '../components/UserFeedback';
import { FEEDBACK_PAGE_SIZE } from '../constants';

/**
 * Every piece of user feedback the tracker keeps, newest first: what users wrote about an error,
 * linked to its issue where the tracker linked it, and what they wrote about nothing in particular
 * (Sentry's feedback widget), which no issue lists. Where the tracker has several projects, each
 * piece names its project, and the list can be filtered to some.
 */
export function FeedbackPage() {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const [params, set] = useQueryParams();
  const setList = useListParam();
  const { projects, nameOf } = useProjects();
  const q = params.get('q') || undefined;
  const project = projectIds(params);
  const query = { project, q, limit: FEEDBACK_PAGE_SIZE };
  const key = JSON.stringify([project, q]);
  const { value, error, loading, reload } = useAsync((signal) => api.listFeedback(query, { signal }), [api, key]);
  const listRef = useRef<HTMLDivElement>(null);
  const more = useMorePages({
    first: value,
    firstLoading: loading,
    key,
    fetchPage: (cursor, signal) => api.listFeedback({ ...query, cursor }, { signal }),
    join: appendPage,
    focus: { container: listRef, items: 'li' },
  });

  return (
    <PluginPage>
      <div data-testid={testIds.feedback.container} ref={listRef} className={s.page}>
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
          <ProjectFilter
            projects={projects}
            nameOf={nameOf}
            values={project}
            inputId="beacon-feedback-project"
            testId={testIds.feedback.project}
            onChange={(ids) => setList('project', ids)}
          />
          <Field label="Search">
            <DebouncedInput
              label="Search user feedback"
              testId={testIds.feedback.search}
              placeholder="Words, a name or an address"
              width={40}
              value={q ?? ''}
              // Typing replaces its history entry; the project is a step Back undoes.
              onChange={(v) => set('q', v, 'replace')}
            />
          </Field>
        </Stack>
        {error ? (
          <ErrorState error={error} onRetry={reload} />
        ) : loading && !value ? (
          <Loading text="Loading user feedback…" />
        ) : more.items.length === 0 ? (
          <Empty
            message={
              project
                ? 'No user feedback matches these filters.'
                : q
                  ? 'No user feedback matches this search.'
                  : 'No user feedback yet. Sentry SDKs send it with captureFeedback or the feedback widget.'
            }
          />
        ) : (
          <UserFeedback
            feedback={more.items}
            empty=""
            testId={testIds.feedback.list}
            focusable
            {...(projects.length > 1 ? { projectName: nameOf } : {})}
          />
        )}
        {!error && (
          <LoadMore
            more={more}
            firstLoading={loading}
            onClick={more.loadMore}
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
