// The body of the legacy store endpoint (`POST /api/{project}/store/`) as Relay reads it: one
// event's JSON as sent, or — from raven-era and some native SDKs — that JSON base64-encoded,
// or deflated with zlib and then base64-encoded.
import { inflateSync } from 'node:zlib';

export class StoreBodyTooLarge extends Error {}

const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

/**
 * The event text of a store body. A body that is none of the three forms is returned as text,
 * so that reading it as JSON fails naming what it is. Throws StoreBodyTooLarge when inflating
 * would pass `limit` bytes.
 */
export function storeBodyText(body: Buffer, limit: number): string {
  const text = body.toString('utf8');
  const start = text.trimStart();
  if (start.startsWith('{') || !BASE64.test(start)) return text;
  const decoded = Buffer.from(start, 'base64');
  if (decoded.toString('latin1').trimStart().startsWith('{')) return decoded.toString('utf8');
  try {
    return inflateSync(decoded, { maxOutputLength: limit }).toString('utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new StoreBodyTooLarge();
    return text;
  }
}
