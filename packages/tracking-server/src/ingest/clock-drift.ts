// Clock drift correction, as Relay's ClockDriftProcessor (relay-event-normalization's
// clock_drift.rs) does it: a device whose clock is off by 55 minutes or more — a wrong time zone,
// a clock never set — says so when its envelope's `sent_at` is that far from the time the
// envelope arrived. Its event's timestamps are then shifted by the difference, so the event is
// dated when it happened by the receiver's clock, and its breadcrumbs and spans keep their
// spacing to it. A smaller difference is network latency and ordinary drift, and is left alone.
//
// Then Relay's normalize_timestamps (relay-event-normalization's validation.rs, validate_event):
// an event or transaction whose `timestamp`, so corrected, is still over a minute after its
// arrival or over 30 days before it is shifted the same way, by the difference between the two,
// so it is dated at its arrival; the error is named on the event as Relay names it.
import { exactTimestamp, MAX_AHEAD_MS, MAX_BEHIND_MS, parseTimestamp, validMillis } from './event';
import { isObj, type Obj } from './json';

/** Relay's MINIMUM_CLOCK_DRIFT. */
export const MINIMUM_CLOCK_DRIFT_MS = 55 * 60_000;

/** An RFC 3339 date-time, as SDKs write `sent_at`. */
const RFC3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$/;

/** An envelope header's `sent_at` in milliseconds, or undefined when it is not RFC 3339. */
export function sentAtOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value.toUpperCase().replace(' ', 'T'));
  return validMillis(ms) ? ms : undefined;
}

/**
 * How far the sender's clock lags the receiver's (negative when it runs ahead), in milliseconds;
 * 0 without a `sent_at` or when the two are under 55 minutes apart.
 */
export function clockDrift(sentAt: number | undefined, receivedAt: number): number {
  if (sentAt === undefined) return 0;
  const drift = receivedAt - sentAt;
  return Math.abs(drift) >= MINIMUM_CLOCK_DRIFT_MS ? drift : 0;
}

/**
 * The timestamp moved by `drift`, in seconds as Relay writes it, to the fraction sent (whole
 * milliseconds made a 0.4 ms span's 1 or 0); one that does not parse as is.
 */
function shifted(value: unknown, drift: number): unknown {
  const ms = exactTimestamp(value);
  return validMillis(ms) && validMillis(ms + drift) ? (ms + drift) / 1000 : value;
}

/** `timestamp` and `start_timestamp` of an event, a breadcrumb or a span, shifted. */
function withTimesShifted(item: Obj, drift: number): Obj {
  const out = { ...item };
  for (const key of ['timestamp', 'start_timestamp'] as const)
    if (item[key] !== undefined) out[key] = shifted(item[key], drift);
  return out;
}

/** Each object in a list shifted; anything else in it as it is. */
const listShifted = (list: unknown[], drift: number): unknown[] =>
  list.map((item) => (isObj(item) ? withTimesShifted(item, drift) : item));

/** Breadcrumbs as `{values: [...]}` or a bare list, shifted; any other value as it is. */
function breadcrumbsShifted(crumbs: unknown, drift: number): unknown {
  if (Array.isArray(crumbs)) return listShifted(crumbs, drift);
  if (isObj(crumbs) && Array.isArray(crumbs.values))
    return { ...crumbs, values: listShifted(crumbs.values, drift) };
  return crumbs;
}

/**
 * The event (or transaction) with its timestamps shifted by `drift`: its own `timestamp` and
 * `start_timestamp`, its breadcrumbs' (under the modern or the legacy interface name) and its
 * spans'. The event itself when `drift` is 0.
 */
export function withoutClockDrift(event: Obj, drift: number): Obj {
  if (drift === 0) return event;
  const out = withTimesShifted(event, drift);
  for (const key of ['breadcrumbs', 'sentry.interfaces.Breadcrumbs'] as const)
    if (event[key] !== undefined) out[key] = breadcrumbsShifted(event[key], drift);
  if (Array.isArray(event.spans)) out.spans = listShifted(event.spans, drift);
  return out;
}

/**
 * A time as Relay writes `sdk_time` and `server_time` (chrono's to_rfc3339): UTC as `+00:00`,
 * its milliseconds only when it has some, a year past 9999 with its sign.
 */
export function rfc3339(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/^([+-])0*(\d{4,})/, '$1$2')
    .replace(/\.000Z$|Z$/, '+00:00');
}

/** `_meta` with an error added on `field`, as Relay's Meta keeps one: `{field: {"": {err}}}`. */
function withMetaError(meta: unknown, field: string, error: unknown): Obj {
  const all = isObj(meta) ? meta : {};
  const at = isObj(all[field]) ? all[field] : {};
  const own = isObj(at['']) ? at[''] : {};
  return {
    ...all,
    [field]: { ...at, '': { ...own, err: [...(Array.isArray(own.err) ? own.err : []), error] } },
  };
}

/**
 * Relay's normalize_timestamps: an event (or transaction) whose `timestamp` is over a minute
 * after `receivedAt` (max_secs_in_future) or over `maxPastMs` before it (max_secs_in_past: the
 * project's retention, event.ts maxPastMs) has all
 * its times shifted, as ClockDriftProcessor shifts them with that timestamp for `sent_at` and no
 * minimum, so that it is dated `receivedAt`; its breadcrumbs and spans keep their spacing to it.
 * The error is added where Relay puts it: `future_timestamp` or `past_timestamp`, with the time
 * the SDK gave and the receiver's, on `timestamp` in `_meta`, and in `errors` (EmitEventErrors),
 * after any the event has. The event itself when its time is in range, missing or unreadable.
 */
export function withTimestampInRange(
  event: Obj,
  receivedAt: number,
  maxPastMs = MAX_BEHIND_MS,
): Obj {
  const t = parseTimestamp(event.timestamp);
  if (!validMillis(t)) return event;
  const kind =
    t > receivedAt + MAX_AHEAD_MS
      ? 'future_timestamp'
      : t < receivedAt - maxPastMs
        ? 'past_timestamp'
        : undefined;
  if (kind === undefined) return event;
  const data = { sdk_time: rfc3339(t), server_time: rfc3339(receivedAt) };
  const out = withoutClockDrift(event, receivedAt - t);
  const errors = Array.isArray(event.errors) ? event.errors : [];
  out.errors = [...errors, { type: kind, name: 'timestamp', ...data }];
  out._meta = withMetaError(event._meta, 'timestamp', [kind, data]);
  return out;
}
