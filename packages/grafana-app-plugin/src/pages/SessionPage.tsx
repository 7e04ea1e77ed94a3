import React, { useMemo, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Stack, Text, useStyles2 } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import { formatMs, formatTime } from '../components/format';
import { MemoryChart } from '../components/MemoryChart';
import { sessionCut } from '../components/sessionCut';
import { ErrorState, Loading } from '../components/States';
import { testIds } from '../components/testIds';
import { useAsync } from '../components/useAsync';
import { useProjects } from '../components/useProjects';
import { Waterfall } from '../components/Waterfall';
import { ROUTES, issueUrl, prefixRoute, sessionIdFrom } from '../constants';
import { downloadJson } from '../download';

/**
 * The file an export is saved as, named as the tracker names its attachment: the id with each
 * character but ASCII letters, digits, `_`, `.` and `-` written as `_`, cut to 200 characters, so
 * the name fits a file system's 255 bytes (a correlation id has no length limit).
 */
export const exportFileName = (id: string) => `debug-session-${id.slice(0, 200).replace(/[^\w.-]/g, '_')}.json`;

export function SessionPage() {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const id = sessionIdFrom(useLocation().pathname);
  const loaded = useAsync((signal) => api.getSession(id, { signal }), [api, id]);
  const { error, reload } = loaded;
  // useAsync keeps its last answer while the next is on its way: another session's is not this
  // one's (their ids cannot be compared: a trace id is answered with its correlation id's session).
  const session = loaded.loading ? undefined : loaded.value;
  const [exportError, setExportError] = useState<string>();
  const [exporting, setExporting] = useState(false);
  const cut = useMemo(() => session && sessionCut(session), [session]);
  const { projects, nameOf } = useProjects();

  // By the session's own id: the page may be opened by a trace id the tracker has linked to a
  // correlation id, and answered with that session.
  const onExport = async (sessionId: string) => {
    setExporting(true);
    setExportError(undefined);
    try {
      const doc = await api.exportSession(sessionId);
      downloadJson(exportFileName(sessionId), doc);
    } catch (e) {
      setExportError((e as Error).message);
    } finally {
      setExporting(false);
    }
  };

  const back = (
    <Link to={prefixRoute(ROUTES.Sessions)} className={s.back}>
      ← All debug sessions
    </Link>
  );

  return (
    <PluginPage>
      {back}
      {error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : !session ? (
        <Loading text="Loading debug session…" />
      ) : (
        <div data-testid={testIds.session.container}>
          <Stack justifyContent="space-between" alignItems="center" wrap="wrap">
            <h2 className={s.title}>{session.correlationId ?? session.id}</h2>
            <Button
              icon="download-alt"
              variant="secondary"
              onClick={() => onExport(session.id)}
              disabled={exporting}
              // With a tooltip Grafana's Button marks itself aria-disabled, not disabled: a
              // disabled button would drop the keyboard focus while the export downloads.
              tooltip="Download this session as a JSON file"
              data-testid={testIds.session.export}
            >
              Export JSON
            </Button>
          </Stack>
          {exportError && <Alert severity="error" title={exportError} />}
          <Stack gap={2} wrap="wrap">
            <Text color="secondary">{session.services.join(', ')}</Text>
            {projects.length > 1 && (
              <Text color="secondary" data-testid={testIds.session.projects}>
                sent to {session.projectIds.map(nameOf).join(', ')}
              </Text>
            )}
            <Text color="secondary">started {formatTime(session.start)}</Text>
            <Text color="secondary">{formatMs(session.durationMs)}</Text>
            <Text color="secondary">{session.operations} operations</Text>
            <Text color={session.errors ? 'error' : 'secondary'}>{session.errors} errors</Text>
            <Text color={session.slowOperations ? 'warning' : 'secondary'}>{session.slowOperations} slow</Text>
          </Stack>

          <h3 className={s.heading}>Timeline</h3>
          <CutNotice text={cut?.operations} />
          <Waterfall session={session} />

          {session.errorEvents.length > 0 && (
            <>
              <h3 className={s.heading}>Errors</h3>
              <CutNotice text={cut?.errorEvents} />
              <ul className={s.errors}>
                {session.errorEvents.map((e) => (
                  <li key={e.eventId}>
                    +{formatMs(e.offsetMs)} · {e.service} ·{' '}
                    <Link to={issueUrl(e.issueId)} className={s.link}>
                      {e.title}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}

          <h3 className={s.heading}>Memory</h3>
          <CutNotice text={cut?.memory} />
          <MemoryChart memory={session.memory} durationMs={session.durationMs} />
        </div>
      )}
    </PluginPage>
  );
}

export default SessionPage;

/** Says that the list below shows only the first of the session's records (the tracker's limit). */
function CutNotice({ text }: { text?: string }) {
  return text ? <Alert severity="info" title={text} data-testid={testIds.session.cut} /> : null;
}

const getStyles = (theme: GrafanaTheme2) => ({
  back: css({ color: theme.colors.text.link, display: 'inline-block', marginBottom: theme.spacing(1) }),
  title: css({ margin: 0, wordBreak: 'break-all' }),
  heading: css({ marginTop: theme.spacing(3) }),
  link: css({ color: theme.colors.text.link }),
  // Grafana's global styles take a list's indent away: its bullets hung outside the page. An
  // error's title (a message with no space in it) wraps anywhere rather than widening the page.
  errors: css({ paddingLeft: theme.spacing(2.5), margin: 0, overflowWrap: 'anywhere' }),
});
