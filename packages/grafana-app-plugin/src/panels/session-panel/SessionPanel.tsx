import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import { useTrackerApi } from '../../api/context';
import { formatMs } from '../../components/format';
import { sessionCut } from '../../components/sessionCut';
import { Empty, ErrorState, Loading } from '../../components/States';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { Waterfall } from '../../components/Waterfall';
import { sessionUrl } from '../../constants';

export interface SessionPanelOptions {
  /** A correlation id, usually a dashboard variable such as `$correlation_id`. */
  correlationId: string;
}

export const defaultSessionPanelOptions: SessionPanelOptions = { correlationId: '$correlation_id' };

export function SessionPanel({ options, replaceVariables, width, height }: PanelProps<SessionPanelOptions>) {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const raw = replaceVariables(options.correlationId ?? '').trim();
  const id = raw && !raw.startsWith('$') ? raw : '';
  const { value, error, loading, reload } = useAsync(
    (signal) => (id ? api.getSession(id, { signal }) : Promise.resolve(undefined)),
    [api, id]
  );
  const notice = useMemo(() => (value ? cutNotice(value) : ''), [value]);
  return (
    <div className={s.container} style={{ width, height }} data-testid={testIds.panels.session}>
      {!id ? (
        <Empty message="No correlation id: set the panel's Correlation id option, or the dashboard variable it names (e.g. $correlation_id)." />
      ) : error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : loading || !value ? (
        <Loading text="Loading debug session…" />
      ) : (
        <>
          <div className={s.header}>
            <a href={sessionUrl(value.id)} className={s.link}>
              {value.correlationId ?? value.id}
            </a>
            <Text color="secondary">
              {' '}
              {formatMs(value.durationMs)} · {value.operations} operations · {value.errors} errors
            </Text>
            {notice && (
              <Text color="secondary" data-testid={testIds.session.cut}>
                {' · '}
                {notice}
              </Text>
            )}
          </div>
          {/* The operations scroll within what the header and the time axis leave of the panel. */}
          <Waterfall session={value} compact={width < 500} maxHeight={Math.max(92, height - 60)} />
        </>
      )}
    </div>
  );
}

/** What of the session the panel's timeline leaves out (it shows no memory snapshots). */
function cutNotice(session: Parameters<typeof sessionCut>[0]): string {
  const cut = sessionCut(session);
  return [cut.operations, cut.errorEvents].filter(Boolean).join(' ');
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({ overflow: 'auto' }),
  // A long correlation id wraps rather than scrolling the panel sideways.
  header: css({ marginBottom: theme.spacing(1), overflowWrap: 'anywhere' }),
  // Underlined: beside the header's text its colour alone does not mark it as a link (WCAG 1.4.1).
  link: css({ color: theme.colors.text.link, textDecoration: 'underline' }),
});
