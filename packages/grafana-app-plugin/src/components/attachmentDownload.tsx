import React, { useState } from 'react';
import { Button } from '@grafana/ui';
import type { AttachmentInfo } from '../api/types';
import { downloadBlob } from '../download';

/**
 * Saves attachments' bytes as `read` answers them (the tracker's, scrubbed): which one is under way
 * and why the last one failed, for a list to show.
 */
export function useAttachmentDownload(read: (id: number) => Promise<ArrayBuffer>) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<number>();
  const download = async (a: AttachmentInfo) => {
    setBusy(a.id);
    setError(undefined);
    try {
      // Saved as bytes whatever type the SDK named, as the tracker serves them: never opened here.
      downloadBlob(a.filename, new Blob([await read(a.id)], { type: 'application/octet-stream' }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };
  return { error, busy, download };
}

/** The button that saves one attachment (useAttachmentDownload's `download`), named for its file. */
export function DownloadButton({
  attachment,
  busy,
  onDownload,
  fill,
}: {
  attachment: AttachmentInfo;
  busy: boolean;
  onDownload: (a: AttachmentInfo) => void;
  fill?: React.ComponentProps<typeof Button>['fill'];
}) {
  return (
    <Button
      size="sm"
      variant="secondary"
      fill={fill}
      icon="download-alt"
      disabled={busy}
      aria-label={`Download ${attachment.filename}`}
      onClick={() => onDownload(attachment)}
    >
      Download
    </Button>
  );
}
