// Downloads in jsdom, which has no object URLs: the blobs a page saves are recorded instead.

/** Records each blob given an object URL in `created`. */
export function URL_create(created: Blob[]) {
  Object.assign(window.URL, {
    createObjectURL: (b: Blob) => {
      created.push(b);
      return 'blob:fake';
    },
    revokeObjectURL: () => {},
  });
}

function read<T>(blob: Blob, how: (reader: FileReader) => void, result: (reader: FileReader) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(result(reader));
    reader.onerror = () => reject(reader.error);
    how(reader);
  });
}

export const readBlob = (blob: Blob): Promise<string> =>
  read(
    blob,
    (r) => r.readAsText(blob),
    (r) => String(r.result)
  );

export const readBlobBytes = (blob: Blob): Promise<number[]> =>
  read(
    blob,
    (r) => r.readAsArrayBuffer(blob),
    (r) => [...new Uint8Array(r.result as ArrayBuffer)]
  );
