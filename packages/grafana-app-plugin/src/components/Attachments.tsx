import React from 'react';
import { Alert, Text } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import type { AttachmentInfo } from '../api/types';
import { formatBytes } from './format';
import { testIds } from './testIds';
import { DownloadButton, useAttachmentDownload } from './attachmentDownload';

/**
 * An event's attachments, each downloaded through the tracker (its bytes as kept: scrubbed). One
 * the tracker's scrubbing filtered whole (as trackers before 2026-12-06 did to binary files with a
 * sensitive shape, which they now mask in place) has no bytes, and says so instead.
 */
export function Attachments({
  attachments,
  className,
}: {
  attachments: readonly AttachmentInfo[];
  className?: string;
}) {
  const api = useTrackerApi();
  const { error, busy, download } = useAttachmentDownload((id) => api.attachment(id));

  if (attachments.length === 0) {
    return <Text color="secondary">No attachments.</Text>;
  }
  return (
    <>
      {error && <Alert severity="error" title={error} />}
      <table className={className} data-testid={testIds.issue.attachments}>
        <thead>
          <tr>
            <th>File</th>
            <th>Type</th>
            <th>Size</th>
            <th>Content</th>
          </tr>
        </thead>
        <tbody>
          {attachments.map((a) => (
            <tr key={a.id}>
              <td>{a.filename}</td>
              <td title={a.type}>{a.contentType}</td>
              <td>{formatBytes(a.size)}</td>
              <td>
                {a.filtered ? (
                  <Text color="secondary">Filtered whole by scrubbing</Text>
                ) : (
                  <DownloadButton attachment={a} busy={busy === a.id} onDownload={download} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
