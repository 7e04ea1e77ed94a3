import React, { useEffect, useRef } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Text, useStyles2 } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import type { AttachmentInfo } from '../api/types';
import { formatBytes } from './format';
import { testIds } from './testIds';
import { useAsync } from './useAsync';
import { DownloadButton, useAttachmentDownload } from './attachmentDownload';
import { useNearView } from './useNearView';

/**
 * Image types an <img> shows without running anything, by the type each is shown as: Sentry's
 * feedback widget labels its screenshot `application/png`. Others (SVG among them) are offered as
 * a download only.
 */
const SHOWN_AS = new Map([
  ['image/png', 'image/png'],
  ['application/png', 'image/png'],
  ['image/jpeg', 'image/jpeg'],
  ['image/gif', 'image/gif'],
  ['image/webp', 'image/webp'],
]);

/**
 * What was sent with a piece of user feedback (the widget's screenshot): each a download through
 * the tracker, an image shown as well. One the tracker's scrubbing filtered whole (Attachments)
 * says so instead. Not a list (`ul`) of its own: the lists of feedback find their entries as `li`,
 * to page and to move focus.
 */
export function FeedbackAttachments({ attachments }: { attachments: readonly AttachmentInfo[] }) {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const { error, busy, download } = useAttachmentDownload((id) => api.feedbackAttachment(id));
  return (
    <div data-testid={testIds.feedback.attachments}>
      {error && <Alert severity="error" title={error} />}
      {attachments.map((a) => {
        const image = a.filtered ? undefined : SHOWN_AS.get(a.contentType);
        return (
          <div key={a.id} className={s.item}>
            {image && <Shown attachment={a} type={image} />}
            <div>
              <Text color="secondary">
                {a.filename} · {formatBytes(a.size)}
              </Text>{' '}
              {a.filtered ? (
                <Text color="secondary">· filtered whole by scrubbing</Text>
              ) : (
                <DownloadButton attachment={a} busy={busy === a.id} onDownload={download} fill="text" />
              )}
            </div>
          </div>
        );
      })}
    </div>
  );
}

/**
 * An image attachment, shown from its bytes (an object URL of its image type), fetched once its
 * place comes near the view: a page of 50 pieces of feedback asks for the screenshots read, not
 * for all 50 (each a screen's PNG) at once.
 */
function Shown({ attachment: a, type }: { attachment: AttachmentInfo; type: string }) {
  const s = useStyles2(getStyles);
  const api = useTrackerApi();
  const place = useRef<HTMLDivElement>(null);
  const near = useNearView(place);
  const image = useAsync(
    async (signal) =>
      near ? URL.createObjectURL(new Blob([await api.feedbackAttachment(a.id, { signal })], { type })) : undefined,
    [api, a.id, type, near]
  );
  const url = image.value;
  useEffect(
    () => () => {
      if (url) {
        URL.revokeObjectURL(url);
      }
    },
    [url]
  );
  if (image.error) {
    return <Text color="error">{`Could not show ${a.filename}: ${image.error.message}`}</Text>;
  }
  if (!url) {
    return (
      <div ref={place}>
        <Text color="secondary">{`Loading ${a.filename}…`}</Text>
      </div>
    );
  }
  return <img className={s.image} src={url} alt={`${a.filename}, sent with the feedback`} />;
}

const getStyles = (theme: GrafanaTheme2) => ({
  item: css({ marginTop: theme.spacing(0.5) }),
  // A screenshot is a whole screen: shown small, its proportions kept.
  image: css({
    display: 'block',
    maxWidth: 'min(100%, 480px)',
    maxHeight: 270,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
