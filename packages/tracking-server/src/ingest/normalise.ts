// What Relay normalises in an event before Sentry reads it, for the shapes older and non-JS SDKs
// still send: the legacy `sentry.interfaces.*` keys, an `exception` that is one bare object, a
// level written `critical` or as a Python logging number, and a log message sent as a template
// with its params but not formatted. The event is returned as it came when none of that applies
// (the common case costs a few key lookups), else as a new object that is stored in its place.
// It also fills in the user's address where the SDK asks the receiver to, unless the project keeps
// IP addresses out.
import { keepsIpAddressesOut } from '../scrub/scrub';
import { isObj, type Obj } from './json';

/** Relay's legacy interface names (relay-event-schema's `legacy_alias`). */
const LEGACY: Readonly<Record<string, string>> = {
  'sentry.interfaces.Exception': 'exception',
  'sentry.interfaces.Message': 'logentry',
  'sentry.interfaces.Stacktrace': 'stacktrace',
  'sentry.interfaces.User': 'user',
  'sentry.interfaces.Http': 'request',
  'sentry.interfaces.Breadcrumbs': 'breadcrumbs',
  'sentry.interfaces.Threads': 'threads',
  'sentry.interfaces.Template': 'template',
  'sentry.interfaces.Csp': 'csp',
};

/** Relay's Level::from_str and Python logging's numbers. */
const LEVELS: Readonly<Record<string, string>> = {
  debug: 'debug',
  info: 'info',
  log: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  '10': 'debug',
  '20': 'info',
  '30': 'warning',
  '40': 'error',
  '50': 'fatal',
};

/** The level an SDK meant, or undefined for one Sentry does not know (read as `error`). */
export function levelOf(level: unknown): string | undefined {
  const key =
    typeof level === 'string'
      ? level.trim().toLowerCase()
      : typeof level === 'number'
        ? String(level)
        : '';
  return Object.hasOwn(LEVELS, key) ? LEVELS[key] : undefined;
}

const KINDS = 'sdifr%';
const isKind = (c: string | undefined) => c !== undefined && KINDS.includes(c);

/**
 * A printf-style log template with its params, as Relay formats it when the SDK sent none:
 * `%s`, `%d`, `%i`, `%f`, `%r` take the params in turn, `%(name)s` takes one by name, `%%` is
 * a percent sign. A placeholder with no param left stays as written.
 */
export function formatTemplate(template: string, params: unknown): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
  let next = 0;
  // What `template.replace(/%(?:\(([^)]*)\))?([sdifr%])/g, …)` reads, without the regular
  // expression: it read from each `%(` to the next `)`, so `%(` repeated with no `)` after was
  // quadratic (20,000 characters took a quarter of a second). Here the next `)` is found once
  // for all the `%(` before it.
  let out = '';
  let copied = 0;
  let close = -1; // the first `)` after the last `%(` looked at, or template.length for none
  for (let at = template.indexOf('%'); at >= 0; at = template.indexOf('%', at + 1)) {
    let kindAt = at + 1;
    let name: string | undefined;
    if (template[kindAt] === '(') {
      if (close <= kindAt) {
        close = template.indexOf(')', kindAt + 1);
        if (close < 0) close = template.length;
      }
      if (close < template.length && isKind(template[close + 1])) {
        name = template.slice(kindAt + 1, close);
        kindAt = close + 1;
      }
    }
    const kind = template[kindAt];
    if (!isKind(kind)) continue;
    const all = template.slice(at, kindAt + 1);
    const value =
      kind === '%'
        ? '%'
        : name !== undefined
          ? isObj(params) && Object.hasOwn(params, name)
            ? show(params[name])
            : all
          : Array.isArray(params) && next < params.length
            ? show(params[next++])
            : all;
    out += template.slice(copied, at) + value;
    copied = kindAt + 1;
    at = kindAt; // the next `%` is looked for from just past this placeholder
  }
  return copied === 0 ? template : out + template.slice(copied);
}

function formattedLog(entry: unknown): Obj | undefined {
  if (!isObj(entry) || entry.formatted !== undefined) return undefined;
  if (typeof entry.message !== 'string' || entry.params === undefined) return undefined;
  return { ...entry, formatted: formatTemplate(entry.message, entry.params) };
}

/**
 * The user's address where the SDK asked the receiver to fill it in: `ip_address: "{{auto}}"`,
 * or none with `sdk.settings.infer_ip: "auto"` (SDKs since 8.x). Undefined when nothing changes.
 * None for a project that keeps IP addresses out (`scrub.ipAddresses`, as Relay's
 * scrub_ip_addresses removes what infer_ip filled in): its scrubber, which ran first, marked the
 * event; `{{auto}}` is then removed.
 */
function inferredUser(event: Obj, clientIp: string | undefined): Obj | undefined {
  const user = isObj(event.user) ? event.user : undefined;
  const settings = isObj(event.sdk) && isObj(event.sdk.settings) ? event.sdk.settings : undefined;
  const ip = keepsIpAddressesOut(event) ? undefined : clientIp;
  if (user?.ip_address === '{{auto}}') {
    const { ip_address: _auto, ...rest } = user;
    return ip ? { ...rest, ip_address: ip } : rest;
  }
  if (settings?.infer_ip === 'auto' && ip && user?.ip_address === undefined)
    return { ...user, ip_address: ip };
  return undefined;
}

/** The event with Relay's normalisations applied, or `event` itself when none applies. */
export function normaliseEvent(event: Obj, clientIp?: string): Obj {
  let out: Obj | undefined;
  const edit = () => (out ??= { ...event });
  for (const key in event) {
    const modern = Object.hasOwn(LEGACY, key) ? (LEGACY[key] as string) : undefined;
    if (modern === undefined) continue;
    const copy = edit();
    if (copy[modern] === undefined) copy[modern] = event[key];
    delete copy[key];
  }
  const current = () => out ?? event;
  // `exception: {type, value, …}`: one exception, as Relay's Values<T> reads a bare object.
  const exception = current().exception;
  if (
    isObj(exception) &&
    exception.values === undefined &&
    (exception.type ?? exception.value) !== undefined
  )
    edit().exception = { values: [exception] };
  const level = current().level;
  if (level !== undefined) {
    const known = levelOf(level);
    if (known !== undefined && known !== level) edit().level = known;
  }
  const user = inferredUser(current(), clientIp);
  if (user) edit().user = user;
  for (const key of ['logentry', 'message'] as const) {
    const formatted = formattedLog(current()[key]);
    if (formatted) edit()[key] = formatted;
  }
  return out ?? event;
}
