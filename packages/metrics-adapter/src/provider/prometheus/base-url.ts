// --prometheus-url read as prometheus-adapter reads it, and sent where it sends. Upstream parses
// the flag with Go's url.Parse (cmd/adapter, makePromClient), joins each API path to the URL's
// path with path.Join (pkg/client/api.go, Do), and sends through Go's http.Client, which wants an
// http or https scheme and a host, and dials the host's IDNA name. Node's URL (WHATWG) reads some
// texts otherwise: it trims spaces, reads "\" as "/", keeps "//" and "%2F" in a path and reads
// "0x7f.1" as 127.0.0.1. So the text is read here by Go's grammar (net/url: parse,
// parseAuthority, parseHost, setPath), Node's URL is built from what that read, and a text Node
// cannot send as Go would is refused with the reason. base-url.oracle.test.ts asks Go itself.
import { isIPv4, isIPv6 } from 'node:net';
import { domainToUnicode } from 'node:url';

/** Why a --prometheus-url cannot be used; the flag's or client's caller names the flag. */
export class PrometheusUrlError extends Error {
  override name = 'PrometheusUrlError';
}

export interface PrometheusBase {
  /** Scheme, user info, host, port, and the query sent with every call; no path, no fragment. */
  readonly origin: URL;
  /** The URL's path as Go's path.Join leaves it, escaped as Go escapes it; "" for the root. */
  readonly prefix: string;
}

const WANT = 'want an http:// or https:// URL';

/** The UTF-8 text of a string whose chars are bytes (latin1), or undefined if it is not UTF-8. */
function utf8(bytes: string): string | undefined {
  const buf = Buffer.from(bytes, 'latin1');
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? text : undefined;
}

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** The ASCII bytes a host may hold unescaped (net/url shouldEscape, encodeHost). */
const HOST_CHARS = new Set('-_.~!$&\'()*+,;=:[]<>"');
/** And a path (encodePath): everything else is written %XX. */
const PATH_CHARS = new Set('-_.~$&+,/:;=@');
/** A user info's characters (net/url validUserinfo). */
const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

/**
 * net/url's unescape: every "%" must start two hex digits, and in a host it may only write a
 * byte past ASCII or "%25"; an ASCII byte a host may not hold is an error too.
 */
function unescape(s: string, part: 'host' | 'path' | 'user info' | 'fragment'): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      const escape = s.slice(i, i + 3);
      if (!isHex(s[i + 1]) || !isHex(s[i + 2]))
        throw new PrometheusUrlError(`invalid URL escape ${JSON.stringify(escape)} in the ${part}`);
      const byte = parseInt(escape.slice(1), 16);
      if (part === 'host' && byte < 0x80 && escape !== '%25')
        throw new PrometheusUrlError(
          `invalid URL escape ${JSON.stringify(escape)} in the host: only a byte past ASCII may be escaped there`,
        );
      out += String.fromCharCode(byte);
      i += 2;
    } else {
      if (part === 'host' && c < '\x80' && !isAlnum(c) && !HOST_CHARS.has(c))
        throw new PrometheusUrlError(`invalid character ${JSON.stringify(c)} in host name`);
      out += c;
    }
  }
  return out;
}

/** net/url's escape for a path, over bytes. */
function escapePath(bytes: string): string {
  let out = '';
  for (const c of bytes)
    out +=
      isAlnum(c) || PATH_CHARS.has(c)
        ? c
        : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Go's path.Clean of a rooted path, "" for the root: what path.Join leaves before an API path. */
function cleanPrefix(path: string): string {
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') kept.pop();
    else kept.push(segment);
  }
  return kept.map((s) => `/${s}`).join('');
}

/**
 * Whether the pure-Go resolver (the published images are built without cgo) would look the name
 * up at all (net's isDomainName): labels of letters, digits, "-" and "_", none longer than 63,
 * not all of them digits.
 */
function isDomainName(s: string): boolean {
  if (s === '.') return true;
  if (s.length === 0 || s.length > 254 || (s.length === 254 && !s.endsWith('.'))) return false;
  const labels = (s.endsWith('.') ? s.slice(0, -1) : s).split('.');
  return (
    labels.every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l)) &&
    /[A-Za-z_-]/.test(s)
  );
}

/** Go's net.ParseIP for IPv4: dotted decimal, no leading zeros. */
const isGoIPv4 = (s: string) =>
  isIPv4(s) && s.split('.').every((p) => p === '0' || !p.startsWith('0'));

/** The host as Node's URL should hold it, checked as Go's parseHost and dial check it. */
function hostFor(authorityHost: string): { host: string; port: string } {
  if (authorityHost.startsWith('[')) {
    const close = authorityHost.lastIndexOf(']');
    if (close < 0) throw new PrometheusUrlError(`missing "]" in host`);
    const port = authorityHost.slice(close + 1);
    if (!/^(:[0-9]*)?$/.test(port))
      throw new PrometheusUrlError(`invalid port ${JSON.stringify(port)} after host`);
    const literal = authorityHost.slice(1, close);
    if (literal.includes('%25'))
      throw new PrometheusUrlError(
        `the IPv6 zone in ${JSON.stringify(literal)} is not supported: name the interface's address`,
      );
    const address = unescape(literal, 'host');
    if (!isIPv6(address))
      throw new PrometheusUrlError(`invalid IP-literal ${JSON.stringify(literal)}`);
    return { host: `[${address}]`, port: port.slice(1) };
  }
  if (authorityHost.includes('[')) throw new PrometheusUrlError('invalid IP-literal');
  const colon = authorityHost.indexOf(':');
  const port = colon < 0 ? '' : authorityHost.slice(colon);
  if (!/^(:[0-9]*)?$/.test(port))
    throw new PrometheusUrlError(`invalid port ${JSON.stringify(port)} after host`);
  const name = utf8(unescape(colon < 0 ? authorityHost : authorityHost.slice(0, colon), 'host'));
  if (name === undefined)
    throw new PrometheusUrlError('the host is not UTF-8 once its escapes are decoded');
  // Go dials an empty host (`http://:9090`) as this machine; here it is a host left out.
  if (name === '') throw new PrometheusUrlError(`no host: ${WANT} such as http://prometheus:9090`);
  let ascii: string | undefined;
  try {
    ascii = new URL(`http://${name}/`).hostname;
  } catch {
    ascii = undefined;
  }
  // Node's URL reads a name whose last label is a number (h.010, h.0x7f) as an IPv4 address,
  // and refuses it when it is none; Go looks it up, though no top-level domain is a number.
  if (ascii === undefined && /(^|\.)([0-9]+|0x[0-9a-f]*)\.?$/i.test(name))
    throw new PrometheusUrlError(
      `the host ${JSON.stringify(name)} ends in a number, which Node's URL reads as an IPv4 address`,
    );
  // Go dials an ASCII name as written and any other by its IDNA name (x/net/idna's Lookup
  // profile), which Node's URL makes too, but less strictly: Go's takes letters, digits and
  // hyphens only (STD3), and no label that begins or ends with a hyphen or has two in its third
  // and fourth places once decoded (CheckHyphens).
  const idna = /[\u0080-\uffff]/.test(name);
  const dialled = idna ? ascii : name;
  const idnaLabels = (idnaName: string) =>
    idnaName
      .replace(/\.$/, '')
      .split('.')
      .every((label) => /^[a-z0-9-]+$/.test(label)) &&
    domainToUnicode(idnaName)
      .replace(/\.$/, '')
      .split('.')
      .every(
        (label) => !label.startsWith('-') && !label.endsWith('-') && label.slice(2, 4) !== '--',
      );
  if (
    dialled === undefined ||
    (idna && !idnaLabels(dialled)) ||
    (!isGoIPv4(dialled) && !isDomainName(dialled))
  )
    throw new PrometheusUrlError(
      `${JSON.stringify(name)} is not a host name (dot-separated labels of letters, digits, "-" and "_", not all digits) or an IP address`,
    );
  if (ascii === undefined)
    // Go sends an ASCII name as it is; Node's URL decodes an "xn--" label and refuses a bad one.
    throw new PrometheusUrlError(
      `Node's URL refuses the host ${JSON.stringify(name)}${/(^|\.)xn--/i.test(name) ? ': an "xn--" label that is not Punycode' : ''}`,
    );
  if (ascii !== dialled.toLowerCase())
    // Node's URL reads "0x7f.1" or "127.1" as an IPv4 address; Go's dial looks such a name up.
    throw new PrometheusUrlError(
      `the host ${JSON.stringify(name)} is the address ${ascii} to Node and a name to look up to Go: write the one you mean`,
    );
  return { host: dialled.toLowerCase(), port: port.slice(1) };
}

/** The user info as Node's URL holds it: each part escaped, so node:http sends Go's bytes. */
function userFor(userinfo: string): { username: string; password: string } {
  if (!USERINFO.test(userinfo))
    throw new PrometheusUrlError(
      'the user info holds a character a URL cannot hold there: percent-encode it',
    );
  // Go sends "@host" as empty Basic credentials, node:http sends none: a slip more likely than meant.
  if (userinfo === '' || userinfo === ':')
    throw new PrometheusUrlError('the user info before "@" is empty');
  const [user = '', ...rest] = userinfo.split(':');
  const part = (s: string) => {
    const text = utf8(unescape(s, 'user info'));
    if (text === undefined)
      throw new PrometheusUrlError('the user info is not UTF-8 once its escapes are decoded');
    return encodeURIComponent(text);
  };
  return { username: part(user), password: rest.length ? part(rest.join(':')) : '' };
}

/** --prometheus-url read as Go's url.Parse reads it and checked as Go's client checks it. */
export function parsePrometheusUrl(text: string): PrometheusBase {
  // Go reads bytes: each char here is one byte of the text's UTF-8.
  const raw = Buffer.from(text, 'utf8').toString('latin1');
  // url.Parse cuts the fragment off first and checks only what is before it for control bytes.
  const hash = raw.indexOf('#');
  if (hash >= 0) unescape(raw.slice(hash + 1), 'fragment');
  const beforeHash = hash < 0 ? raw : raw.slice(0, hash);
  const control = [...beforeHash].find((c) => c < ' ' || c === '\x7f');
  if (control !== undefined)
    throw new PrometheusUrlError(
      `a control character (U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) is in it`,
    );
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(beforeHash);
  if (!scheme || !/^https?$/i.test(scheme[1] as string)) throw new PrometheusUrlError(WANT);
  let rest = beforeHash.slice(scheme[0].length);
  const question = rest.indexOf('?');
  const query = question < 0 ? '' : rest.slice(question + 1);
  if (question >= 0) rest = rest.slice(0, question);
  if (!rest.startsWith('//'))
    throw new PrometheusUrlError(`no host: ${WANT} such as http://prometheus:9090`);
  const slash = rest.indexOf('/', 2);
  const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const at = authority.lastIndexOf('@');
  const { host, port } = hostFor(authority.slice(at + 1));
  if (port !== '' && Number(port) > 65535)
    throw new PrometheusUrlError(`port ${port} is past 65535`);
  const user = at < 0 ? undefined : userFor(authority.slice(0, at));
  const prefix = escapePath(cleanPrefix(unescape(path, 'path')));

  const origin = new URL(`${(scheme[1] as string).toLowerCase()}://${host}/`);
  if (port !== '') origin.port = String(Number(port));
  if (user) {
    origin.username = user.username;
    origin.password = user.password;
  }
  if (query !== '') origin.search = `?${utf8(query) as string}`;
  return { origin, prefix };
}

/**
 * The URL of an API path: the base's path prefixes it (upstream's path.Join), and the base's
 * own query parameters go with every call, before the call's (a Thanos `?dedup=false`), where
 * upstream's GET replaces them.
 */
export function apiUrl(base: PrometheusBase, path: string, params?: URLSearchParams): string {
  const url = new URL(base.origin);
  url.pathname = `${base.prefix}${path}`;
  if (params) for (const [k, v] of params) url.searchParams.append(k, v);
  return url.toString();
}

/**
 * Prometheus as messages and the log name it: scheme, host and path, without the user and
 * password or the query, which may hold a secret (`https://id:key@host/api/prom?token=…`).
 */
export function prometheusAt(base: PrometheusBase): string {
  return `${base.origin.protocol}//${base.origin.host}${base.prefix}`;
}
