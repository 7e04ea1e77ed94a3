// A response body as UTF-8 JSON bytes, the same bytes as Buffer.from(JSON.stringify(body)), made
// cheaper. At 1,500 pods a MetricValueList is ~280 KB of JSON; Buffer.from(string) spent ~1 ms
// encoding it where TextEncoder spends ~0.1 ms, and the items are serialised a batch at a time
// (strings of ~40 KB) rather than as one 280 KB string, which V8 would place in its large-object
// space, part of the old generation that only a mark-compact frees.

const utf8 = new TextEncoder();
const BATCH = 256;

/** `body` as JSON bytes; its `items` array, when it is the last key, in batches. */
export function jsonBytes(body: object): Buffer {
  const items = (body as { items?: unknown }).items;
  const keys = Object.keys(body);
  if (!Array.isArray(items) || keys[keys.length - 1] !== 'items') {
    return toBuffer(utf8.encode(JSON.stringify(body)));
  }
  // `{…,"items":[]}` split around the brackets' inside.
  const shell = JSON.stringify({ ...body, items: [] });
  const chunks: Uint8Array[] = [utf8.encode(shell.slice(0, -2))];
  for (let i = 0; i < items.length; i += BATCH) {
    const batch = JSON.stringify(items.slice(i, i + BATCH));
    chunks.push(utf8.encode((i === 0 ? '' : ',') + batch.slice(1, -1)));
  }
  chunks.push(utf8.encode(shell.slice(-2)));
  return Buffer.concat(chunks);
}

const toBuffer = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
