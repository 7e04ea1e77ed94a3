import React, { useState } from 'react';
import { Alert, Button, Text } from '@grafana/ui';
import { useTrackerApi } from '../api/context';
import type { AttachmentInfo } from '../api/types';
import { downloadBlob } from '../download';
import { formatBytes } from './format';
import { testIds } from './testIds';

/**
 * An event's attachments, each downloaded through the tracker (its bytes as kept: scrubbed). One
 * the tracker's scrubbing filtered whole has no bytes, and says so instead.
 */
export function Attachments({
  attachments,
  className,
}: {
  attachments: readonly AttachmentInfo[];
  className?: string;
}) {
  const api = useTrackerApi();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<number>();

  if (attachments.length === 0) {
    return <Text color="secondary">No attachments.</Text>;
  }
  const download = async (a: AttachmentInfo) => {
    setBusy(a.id);
    setError(undefined);
    try {
      // Saved as bytes whatever type the SDK named, as the tracker serves them: never opened here.
      downloadBlob(a.filename, new Blob([await api.attachment(a.id)], { type: 'application/octet-stream' }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };
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
                  <Button
                    size="sm"
                    variant="secondary"
                    icon="download-alt"
                    disabled={busy === a.id}
                    aria-label={`Download ${a.filename}`}
                    onClick={() => download(a)}
                  >
                    Download
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
