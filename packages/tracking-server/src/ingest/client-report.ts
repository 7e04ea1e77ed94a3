// Sentry client reports (https://develop.sentry.dev/sdk/telemetry/client-reports/): what an SDK
// discarded without sending — held back after a 429, dropped from a full queue, sampled out —
// sent later as a `client_report` envelope item. Read as Relay reads one
// (relay-event-schema, protocol/client_report.rs; relay-server, client_reports/process.rs): a
// JSON object whose `discarded_events` list is required; `rate_limited_events`, `filtered_events`
// and `filtered_sampling_events`, which a chained Relay writes of its own limits and filters, may
// be there; every entry is `{ reason, category, quantity }`, a string, a string and an integer
// from 0 to 2^64 − 1. A report that does not read so is skipped whole, as Relay skips it, and an
// entry whose reason is over 200 bytes alone. Only `discarded_events` are returned: the other
// lists are a Relay's outcomes, not an SDK's. The `timestamp` is not read: what is counted is
// counted on arrival. Quantities are JavaScript's JSON numbers, so `1.0` reads as 1 (serde refuses
// it) and one past 2^53 is rounded.
import { isUtf8 } from 'node:buffer';
import { isObj } from './json';

/** Items an SDK discarded, for one reason, of one data category. */
export interface ClientDiscard {
  readonly reason: string;
  readonly category: string;
  readonly quantity: number;
}

const RELAY_LISTS = ['rate_limited_events', 'filtered_events', 'filtered_sampling_events'];
/** Relay skips an entry with a longer reason (process_client_reports; a Rust string's length). */
const MAX_REASON_BYTES = 200;
/** u64, as Relay reads a quantity. */
const MAX_QUANTITY = 2 ** 64 - 1;

/** The list's entries as Relay reads them, or undefined when one does not read. */
function entries(list: unknown): ClientDiscard[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const read: ClientDiscard[] = [];
  for (const entry of list) {
    if (!isObj(entry)) return undefined;
    const { reason, category, quantity } = entry;
    if (typeof reason !== 'string' || typeof category !== 'string') return undefined;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity)) return undefined;
    if (quantity < 0 || quantity > MAX_QUANTITY) return undefined;
    read.push({ reason, category, quantity });
  }
  return read;
}

/** The SDK's discards in a `client_report` payload; undefined for one Relay would not read. */
export function readClientReport(payload: Buffer): ClientDiscard[] | undefined {
  if (!isUtf8(payload)) return undefined; // serde_json reads UTF-8 only
  let report: unknown;
  try {
    report = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObj(report)) return undefined;
  const discarded = entries(report.discarded_events);
  if (!discarded) return undefined;
  for (const key of RELAY_LISTS) {
    if (report[key] !== undefined && !entries(report[key])) return undefined;
  }
  return discarded.filter((d) => Buffer.byteLength(d.reason) <= MAX_REASON_BYTES);
}
