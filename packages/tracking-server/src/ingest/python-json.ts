// Python's json module writes a float that is not a number as the bare tokens NaN, Infinity and
// -Infinity, which are not JSON, and raven-python posts them so to the store endpoint. Relay
// (endpoints/store.rs, parse_event) rewrites them before parsing, for clients named raven-python/
// or sentry-python/ alone; so does this. Relay writes 0 (json_forensics keeps the bytes' offsets);
// this writes null, as JSON.stringify does: 0 would read as a measured value.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The SDK named in `sentry_client`: in X-Sentry-Auth, then Authorization, each read only when
 * written `Sentry …` (as Relay reads them, request_meta.rs, and as auth.ts reads the key, so that
 * another scheme in X-Sentry-Auth does not hide the client of `Authorization: Sentry …`), else in
 * the query string.
 */
export function sentryClient(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  for (const text of [first(headers['x-sentry-auth']), first(headers.authorization)]) {
    if (!text || !/^\s*sentry\s/i.test(text)) continue;
    for (const part of text.replace(/^\s*sentry\s+/i, '').split(',')) {
      const [k, ...v] = part.split('=');
      if (k?.trim() === 'sentry_client') return v.join('=').trim() || undefined;
    }
  }
  return query.get('sentry_client') ?? undefined;
}

/** Whether Relay reads this client's store bodies as Python's JSON. */
export const sendsPythonJson = (client: string | undefined): boolean =>
  client !== undefined &&
  (client.startsWith('raven-python/') || client.startsWith('sentry-python/'));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The index just past the string that opens at `start`, or the text's end when it is unclosed. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return text.length;
}

/** The non-finite token that starts at `i`, if one does. */
function nonFiniteAt(text: string, i: number): string | undefined {
  switch (text[i]) {
    case 'N':
      return text.startsWith('NaN', i) ? 'NaN' : undefined;
    case 'I':
      return text.startsWith('Infinity', i) ? 'Infinity' : undefined;
    case '-':
      return text.startsWith('-Infinity', i) ? '-Infinity' : undefined;
    default:
      return undefined;
  }
}

/**
 * `text` with each NaN, Infinity and -Infinity outside its strings written as null; what is
 * inside strings, and everything else, as it was.
 */
export function nonFiniteAsNull(text: string): string {
  if (!text.includes('NaN') && !text.includes('Infinity')) return text;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    const token = nonFiniteAt(text, i);
    if (token === undefined) {
      i++;
      continue;
    }
    out += `${text.slice(copied, i)}null`;
    i += token.length;
    copied = i;
  }
  return out + text.slice(copied);
}
