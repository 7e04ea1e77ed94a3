/** Formatting shared by pages and panels (plain strings; React renders them as text). */
import { dateTimeFormat, getTimeZone, timeZoneAbbrevation } from '@grafana/data';

/** Shown where a number or time cannot be read (NaN, Infinity, an empty time), rather than "NaN s". */
export const NO_VALUE = '—';

export function relativeTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  // An unreadable time is shown as it came (the cell's title shows it too); an empty one, or a
  // clock that is no number, would read "" or "NaNd ago".
  if (Number.isNaN(t) || !Number.isFinite(now)) {
    return iso || NO_VALUE;
  }
  const s = Math.round((now - t) / 1000);
  if (s < 60) {
    return s <= 1 ? 'just now' : `${s}s ago`;
  }
  const m = Math.round(s / 60);
  if (m < 60) {
    return `${m}m ago`;
  }
  const h = Math.round(m / 60);
  if (h < 48) {
    return `${h}h ago`;
  }
  return `${Math.round(h / 24)}d ago`;
}

/**
 * A time the tracker sends (RFC 3339, UTC) in the Grafana user's time zone, to the millisecond,
 * with the zone's abbreviation: the zone Grafana's own pages and panels show (the user's
 * preference, else the organisation's, else the browser's). A time that cannot be read is shown
 * as it came.
 */
export function formatTime(iso: string | undefined): string {
  const t = iso === undefined ? NaN : Date.parse(iso);
  if (Number.isNaN(t)) {
    return iso || NO_VALUE;
  }
  return `${dateTimeFormat(t, { defaultWithMS: true })} ${timeZoneAbbrevation(t)}`.trim();
}

/**
 * A time the tracker sends in UTC, to the millisecond, named, whatever the user's zone: the zone
 * the tracker and server logs keep. A time that cannot be read is shown as it came.
 */
export function formatUtc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return iso || NO_VALUE;
  }
  return `${dateTimeFormat(t, { timeZone: 'utc', defaultWithMS: true })} UTC`;
}

/**
 * Whether the Grafana user's time zone is UTC: Grafana's `utc`, an IANA name of UTC (`Etc/UTC`,
 * `UTC`, `Zulu`, …), or `browser` (Grafana's default) in a browser whose zone is UTC. A zone Intl
 * does not know is not UTC.
 */
export function userZoneIsUtc(): boolean {
  const zone = getTimeZone();
  if (zone === 'utc') {
    return true;
  }
  try {
    const named = zone === 'browser' ? undefined : zone;
    // Intl names every alias of UTC "UTC" (ECMA-402's canonical time zone name).
    return new Intl.DateTimeFormat('en-US', { timeZone: named }).resolvedOptions().timeZone === 'UTC';
  } catch {
    return false;
  }
}

/**
 * The exact time behind a relative one ("3m ago"): in the Grafana user's time zone as the page's
 * other times are (`formatTime`), followed by its UTC time in parentheses where that zone is not
 * UTC, as the tracker and server logs keep it. Where the user's zone is UTC, the UTC time alone,
 * named (Grafana's `browser` zone has no abbreviation to name it by). A time that cannot be read is
 * shown as it came.
 */
export function formatExactTime(iso: string): string {
  if (Number.isNaN(Date.parse(iso))) {
    return iso || NO_VALUE;
  }
  return userZoneIsUtc() ? formatUtc(iso) : `${formatTime(iso)} (${formatUtc(iso)})`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) {
    return NO_VALUE;
  }
  // A negative offset (an error timed before its session began, by a skewed clock) is scaled as
  // its size is: -5000 is "-5.00 s", not "-5000.00 ms".
  if (ms < 0) {
    return `-${formatMs(-ms)}`;
  }
  if (ms < 1) {
    return `${ms.toFixed(2)} ms`;
  }
  // Under what rounds to a whole second: 999.5 ms is "1.00 s", not "1000 ms".
  if (Math.round(ms) < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (Math.round(ms / 100) < 600) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }
  // From a minute (what rounds to 60.0 s) in two units, each rounded before it is split, so 59m
  // 59.6s is "1h 0m", never "60m 0s": thousands of seconds are not read at a glance.
  const split = (unit: number, ratio: number, big: string, small: string) => {
    const n = Math.round(ms / unit);
    return `${Math.floor(n / ratio)}${big} ${n % ratio}${small}`;
  };
  if (Math.round(ms / 1000) < 3600) {
    return split(1000, 60, 'm', 's');
  }
  if (Math.round(ms / 60_000) < 1440) {
    return split(60_000, 60, 'h', 'm');
  }
  return split(3_600_000, 24, 'd', 'h');
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) {
    return NO_VALUE;
  }
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** A count's units from ten thousand, each a thousand of the one before (as Grafana's `short` unit scales). */
const COUNT_UNITS = ['k', 'M', 'B', 'T'] as const;

/**
 * A count in at most four digits and a unit: 9999, 12.3k, 346k, 1.2M, 123M, 1.0B, 4.6T. Under ten
 * thousand it is shown whole. `formatExactCount` gives the whole number behind it.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) {
    return NO_VALUE;
  }
  if (n < 10_000) {
    return String(n);
  }
  let v = n / 1000;
  let u = 0;
  // The next unit from what would round to a thousand of this one: 999,999 is "1.0M", not "1000k",
  // and 10^9 "1.0B", not "1000M" (millions were the largest unit, so a billion read "1000M").
  while (u < COUNT_UNITS.length - 1 && Math.round(v) >= 1000) {
    v /= 1000;
    u++;
  }
  // One decimal while what is shown stays under 100: 99.96k is "100k", not "100.0k".
  return `${v.toFixed(Math.round(v * 10) < 1000 ? 1 : 0)}${COUNT_UNITS[u]}`;
}

const EXACT_COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count whole, its thousands grouped (1,234,567): what a `formatCount` abbreviation stands for. */
export function formatExactCount(n: number): string {
  return Number.isFinite(n) ? EXACT_COUNT.format(n) : NO_VALUE;
}
