// Event payloads are stored deflated. A realistic 5.5 KB event (14 frames, breadcrumbs) becomes
// ~0.9 KB: it fits in its row's page instead of spilling onto an overflow page, so a batch
// writes about a fifth of the WAL frames, and SQLite's share of a durable write fell from ~100
// to ~50 µs an event for ~27 µs of deflate (BENCHMARKS.md has the figures). Rows written
// before hold the JSON text itself, and are read as they are.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

// Level 1 and an 8 KiB window: as small as level 6 for events this size, at a third less CPU;
// the smaller window is what the per-call setup of a zlib stream costs least with. Half of a
// 5.5 KB event's deflate was allocation: its bytes and zlib's 16 KiB output chunk each got a
// buffer of their own. Now the text is encoded into one reused buffer, and the output chunks
// (2 KiB; an event packs to ~0.9 KB) come from Buffer's shared pool: ~36 → ~22 µs an event.
const DEFLATE = { level: 1, windowBits: 13, memLevel: 8, chunkSize: 2048 } as const;
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/** The stored form of an event's JSON text. */
export function packPayload(json: string): Buffer {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8, so the text fits and is never cut short.
  if (json.length * 3 > SCRATCH.length) return deflateRawSync(json, DEFLATE);
  const n = SCRATCH.write(json, 'utf8');
  return deflateRawSync(SCRATCH.subarray(0, n), DEFLATE);
}

/** The JSON text of a stored payload: deflated bytes, or text from before payloads were. */
export function unpackPayload(stored: string | Uint8Array): string {
  if (typeof stored === 'string') return stored;
  return inflateRawSync(stored, { windowBits: 13 }).toString('utf8');
}
