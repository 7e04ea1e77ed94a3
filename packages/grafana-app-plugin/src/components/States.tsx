import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, EmptyState, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { TrackerError } from '../api/client';
import { CONFIG_PAGE_URL } from '../constants';
import { testIds } from './testIds';

export function Loading({ text }: { text: string }) {
  return (
    <div data-testid={testIds.state.loading}>
      <LoadingPlaceholder text={text} />
    </div>
  );
}

/** What the user can do about an error: the hint depends on what went wrong. */
export function hintFor(error: Error): { title: string; hint: string; toConfig: boolean } {
  if (!(error instanceof TrackerError)) {
    return { title: 'Something went wrong', hint: 'Check the address and try again.', toConfig: false };
  }
  switch (error.kind) {
    case 'unreachable':
      return {
        title: 'The tracking server is unreachable',
        hint: 'Check that the tracker URL on the configuration page is right and that the tracking server is running.',
        toConfig: true,
      };
    case 'not-tracker':
      return {
        title: 'The tracker URL does not lead to the tracking server',
        hint: "Set the tracker URL on the configuration page to the tracking server's own address (such as http://beacon-tracker:9300), with no path such as /api/v1.",
        toConfig: true,
      };
    case 'unauthorized':
      return {
        title: 'The tracking server refused the API token',
        hint: 'Set the API token on the configuration page to the one the tracking server was started with (--api-token).',
        toConfig: true,
      };
    case 'forbidden':
      return {
        title: 'Your Grafana role may not do this',
        hint: 'Ask an organisation admin for the role it needs: Viewer to read issues and sessions, Editor to change statuses.',
        toConfig: false,
      };
    case 'not-found':
      return {
        title: 'Not found',
        hint: 'It may have been deleted by retention. Go back to the list.',
        toConfig: false,
      };
    case 'bad-request':
      return {
        title: 'The tracking server rejected the request',
        hint: 'Change the filters and try again.',
        toConfig: false,
      };
    default:
      return {
        title: 'The tracking server failed',
        hint: 'Try again; if it keeps failing, check the server logs.',
        toConfig: false,
      };
  }
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const s = useStyles2(getStyles);
  const { title, hint, toConfig } = hintFor(error);
  return (
    <div data-testid={testIds.state.error}>
      <Alert severity="error" title={title}>
        <Stack direction="column" gap={1}>
          <div>{hint}</div>
          <div>{error.message}</div>
          <Stack gap={2} alignItems="center">
            {toConfig && (
              // A plain link: panels render outside the app's router; Grafana routes same-origin links itself.
              <a href={CONFIG_PAGE_URL} data-testid={testIds.state.configLink} className={s.link}>
                Open the configuration page
              </a>
            )}
            {onRetry && (
              <Button size="sm" variant="secondary" onClick={onRetry}>
                Retry
              </Button>
            )}
          </Stack>
        </Stack>
      </Alert>
    </div>
  );
}

export function Empty({ message, children }: { message: string; children?: React.ReactNode }) {
  return (
    <div data-testid={testIds.state.empty}>
      <EmptyState variant="not-found" message={message} hideImage>
        {children}
      </EmptyState>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  link: css({ color: theme.colors.text.link, '&:hover': { textDecoration: 'underline' } }),
});
