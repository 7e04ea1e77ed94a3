import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, useStyles2 } from '@grafana/ui';
import type { MorePages } from './useMorePages';

/**
 * The end of a list paged by useMorePages: why the last further page failed, if it did, and the
 * button that asks for the next while there is one. It waits while the first page loads too.
 */
export function LoadMore<T>({
  more,
  firstLoading,
  onClick,
  label,
  tooltip,
  testId,
}: {
  more: MorePages<T>;
  firstLoading: boolean;
  onClick: () => void;
  label: string;
  tooltip: string;
  testId: string;
}) {
  const s = useStyles2(getStyles);
  return (
    <>
      {more.error && <Alert severity="error" title={more.error} />}
      {more.items.length > 0 && more.nextCursor && (
        <Button
          variant="secondary"
          className={s.more}
          onClick={onClick}
          disabled={more.loading || firstLoading}
          // With a tooltip Grafana's Button marks itself aria-disabled, not disabled: a disabled
          // button would drop the keyboard focus while the page loads.
          tooltip={tooltip}
          data-testid={testId}
        >
          {more.loading ? 'Loading…' : label}
        </Button>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  more: css({ marginTop: theme.spacing(2) }),
});
