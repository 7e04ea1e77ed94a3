// Client-certificate authentication, as Kubernetes API servers do it:
//  - a certificate signed by --client-ca-file (directly, or through intermediates the client
//    sends): the user is its CN, the groups its O values;
//  - a certificate signed by --requestheader-client-ca-file (the aggregator's front proxy) whose
//    CN is allowed: the user is in X-Remote-User, its uid in the header --requestheader-uid-headers
//    names (none unless one is), groups in X-Remote-Group, extras in X-Remote-Extra-<key>. These
//    headers are read only from the front proxy; from anyone else they are ignored, or any
//    client could claim to be anyone.
// The TLS server asks for a certificate but does not reject a connection without one, so that
// health checks work and a request without one is left to the other authenticators (a bearer
// token, or anonymous); one that does not verify is refused (a 401 Status).
import type { IncomingMessage } from 'node:http';
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { AuthenticationError, type Authenticator, type UserInfo } from './types';
import { verifiedWindows, type Window } from './x509-verify';

export interface RequestHeaderOptions {
  readonly cas: readonly X509Certificate[];
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  /** Headers holding the user's uid; none when absent, as k8s.io/apiserver defaults none. */
  readonly uidHeaders?: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

export interface CertAuthOptions {
  readonly clientCAs?: readonly X509Certificate[];
  readonly requestHeader?: RequestHeaderOptions;
}

/** Every certificate in a PEM bundle. */
export function readBundle(pem: string, file: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${file}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new Error(`${file}: certificate ${i + 1} does not parse: ${(err as Error).message}`, {
        cause: err,
      });
    }
  });
}

/**
 * The values of one attribute in an X.509 subject (`CN`, `O`), in order, as the certificate holds
 * them. Node prints a subject one RDN a line, the attributes of a multi-valued RDN joined by
 * " + ", and escapes values as OpenSSL's RFC 2253 and control-character flags do (`\,` `\+`
 * `\"` `\\` `\<` `\>` `\;`, a leading `#` or space, a trailing space, `\0A`). Taking the
 * printed text as the value made an O of "a, b" the group "a\, b", and read the line
 * `O=dev + CN=jane` as one O value and no CN.
 */
export function subjectValues(subject: string, attribute: string): string[] {
  const values: string[] = [];
  for (const line of subject.split('\n')) {
    for (const ava of attributesOf(line)) {
      const eq = ava.indexOf('=');
      if (eq > 0 && ava.slice(0, eq) === attribute) values.push(unescapeValue(ava.slice(eq + 1)));
    }
  }
  return values;
}

/** One printed RDN's attributes (`type=value`), split on the " + " no backslash escapes. */
function attributesOf(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line.startsWith(' + ', i)) {
      out.push(line.slice(start, i));
      start = i + 3;
      i += 2;
    }
  }
  out.push(line.slice(start));
  return out;
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/** A printed value as it is: `\XX` a byte (of UTF-8), `\c` the character c. */
function unescapeValue(printed: string): string {
  const bytes: Buffer[] = [];
  let plain = '';
  const flush = () => {
    if (plain) bytes.push(Buffer.from(plain, 'utf8'));
    plain = '';
  };
  for (let i = 0; i < printed.length; i++) {
    const c = printed[i] as string;
    if (c !== '\\' || i + 1 >= printed.length) {
      plain += c;
      continue;
    }
    const pair = printed.slice(i + 1, i + 3);
    if (HEX_PAIR.test(pair)) {
      flush();
      bytes.push(Buffer.from([parseInt(pair, 16)]));
      i += 2;
    } else {
      // A whole code point, so that an escaped character outside the BMP stays one.
      const next = String.fromCodePoint(printed.codePointAt(i + 1) as number);
      plain += next;
      i += next.length;
    }
  }
  flush();
  return Buffer.concat(bytes).toString('utf8');
}

/**
 * The user a client CA's certificate names, as kube-apiserver's CommonNameUserConversion reads
 * it: the subject's CommonName (Go's pkix.Name keeps the last CN), groups its O values; none
 * without a CN.
 */
export function certificateUser(cert: X509Certificate): UserInfo | undefined {
  const name = subjectValues(cert.subject, 'CN').at(-1) ?? '';
  return name ? { name, groups: subjectValues(cert.subject, 'O') } : undefined;
}

/**
 * The connection's certificate chain, leaf first: what the client sent, linked by Node each to its
 * issuer and completed from the server's CAs; all but the leaf are candidate intermediates.
 */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    chain.push(new X509Certificate(c.raw));
    c = c.issuerCertificate;
  }
  return chain;
}

/**
 * A header's values, one per line as sent and each whole, as requestheader's allHeaderValues
 * reads them: `req.headers` would join repeated lines with ", ", and splitting that on commas
 * would cut a user such as `uid=alice,ou=people` or a group such as `cn=admins,ou=groups` apart.
 */
function headerValues(req: IncomingMessage, name: string): string[] {
  return (req.headersDistinct[name.toLowerCase()] ?? []).filter((v) => v.length > 0);
}

/**
 * An extra's key as the header spells it, percent-decoded as Go's url.PathUnescape decodes it
 * (to bytes, so a key that is not UTF-8 reaches the SubjectAccessReview with U+FFFD, as Go's
 * JSON encoder sends it); as kube-apiserver's requestheader authenticator does, a key whose
 * escapes are malformed is taken as it is.
 */
function unescapeExtraKey(encoded: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(encoded)) return encoded;
  const bytes = encoded
    .split(/(%[0-9A-Fa-f]{2})/)
    .map((part) =>
      part.startsWith('%') ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part, 'utf8'),
    );
  return Buffer.concat(bytes).toString('utf8');
}

/**
 * The first of `names` to have a value, as requestheader's headerValue reads it (http.Header.Get):
 * each header's first line; an empty first line passes on to the next header, not to the same
 * header's next line.
 */
function firstValue(req: IncomingMessage, names: readonly string[]): string | undefined {
  return names.map((h) => req.headersDistinct[h.toLowerCase()]?.[0]).find(Boolean);
}

function fromRequestHeaders(req: IncomingMessage, o: RequestHeaderOptions): UserInfo | undefined {
  const name = firstValue(req, o.usernameHeaders);
  if (!name) return undefined;
  const uid = firstValue(req, o.uidHeaders ?? []);
  const groups = o.groupHeaders.flatMap((h) => headerValues(req, h));
  const extra = new Map<string, string[]>();
  // Prefixes first, then headers, as newExtra: a header two prefixes match counts for each.
  for (const prefix of o.extraHeaderPrefixes) {
    for (const [header, values] of Object.entries(req.headersDistinct)) {
      if (!header.startsWith(prefix.toLowerCase()) || values === undefined) continue;
      const key = unescapeExtraKey(header.slice(prefix.length));
      extra.set(key, [...(extra.get(key) ?? []), ...values]);
    }
  }
  // defineProperty-like semantics: a key named `__proto__` stays a key.
  return {
    name,
    ...(uid ? { uid } : {}),
    groups,
    ...(extra.size > 0 ? { extra: Object.fromEntries(extra) } : {}),
  };
}

/**
 * What a connection's client certificate makes of each of its requests, as upstream's union of
 * the requestheader and x509 authenticators does: the front proxy's (the user in each request's
 * headers) when the chain verifies against the requestheader CAs and the CN is allowed, else the
 * certificate's own user when it verifies against the client CAs (the same CA may be in both
 * bundles), else nobody. Each is kept as the windows in which a verified chain is valid.
 */
interface Verdict {
  /** A certificate was sent. */
  readonly sent: boolean;
  /** Its CN is one --requestheader-allowed-names allows (any, when none is named). */
  readonly proxyAllowed: boolean;
  readonly proxy: readonly Window[];
  readonly user?: UserInfo;
  readonly userWindows: readonly Window[];
}

function decide(chain: readonly X509Certificate[], options: CertAuthOptions): Verdict {
  const [cert, ...sent] = chain;
  if (!cert) return { sent: false, proxyAllowed: false, proxy: [], userWindows: [] };
  const cn = subjectValues(cert.subject, 'CN').at(-1) ?? '';
  const rh = options.requestHeader;
  const proxyAllowed =
    rh !== undefined && (rh.allowedNames.length === 0 || rh.allowedNames.includes(cn));
  const proxy = rh && proxyAllowed ? verifiedWindows(cert, sent, rh.cas) : [];
  const user = options.clientCAs ? certificateUser(cert) : undefined;
  // Verified without a CN too: a chain that does not verify is refused, one that does and names
  // no user is no credential (CommonNameUserConversion's not-ok).
  const userWindows = options.clientCAs ? verifiedWindows(cert, sent, options.clientCAs) : [];
  return { sent: true, proxyAllowed, proxy, ...(user ? { user } : {}), userWindows };
}

const within = (windows: readonly Window[], t: number) =>
  windows.some((w) => w.notBefore <= t && t <= w.notAfter);

/**
 * No certificate is no credential (`undefined`). One sent is refused (an AuthenticationError) when
 * neither step takes it and either refuses it: a chain that does not verify, now, against that
 * step's CAs, or a front-proxy CN not allowed — as x509.Verifier and x509.Authenticator return
 * errors, and the union passes them on. A verified front proxy without a user header, or a verified
 * client certificate without a CN, refuses nothing.
 */
export function certificateAuthenticator(
  options: CertAuthOptions,
  now: () => number = Date.now,
): Authenticator {
  // Decided once a connection: reading and verifying its certificate costs ~0.2 ms, and the
  // HPA controller and the aggregator keep their connections. The server never renegotiates
  // (main.ts), so a connection's certificate cannot change; its validity window is checked on
  // every request, as Go's x509.Verify checks it against the current time.
  const verdicts = new WeakMap<object, Verdict>();
  return async (req) => {
    const socket = req.socket as Partial<TLSSocket>;
    // Verified here, as Go verifies it, whatever OpenSSL made of it in the handshake.
    if (typeof socket.getPeerCertificate !== 'function') return undefined;
    let verdict = verdicts.get(socket);
    if (!verdict) verdicts.set(socket, (verdict = decide(peerChain(socket as TLSSocket), options)));
    if (!verdict.sent) return undefined;
    const t = now();
    const refused: string[] = [];
    if (options.requestHeader) {
      if (!verdict.proxyAllowed)
        refused.push("the client certificate's CN is not an allowed front-proxy name");
      else if (!within(verdict.proxy, t))
        refused.push('the client certificate does not verify against the requestheader CA now');
      else {
        // A front-proxy request without a user header is not the proxy's: it falls through to x509.
        const viaProxy = fromRequestHeaders(req, options.requestHeader);
        if (viaProxy) return viaProxy;
      }
    }
    if (options.clientCAs) {
      if (!within(verdict.userWindows, t))
        refused.push('the client certificate does not verify against the client CA now');
      else if (verdict.user) return verdict.user;
    }
    if (refused.length > 0) throw new AuthenticationError(refused.join('; '));
    return undefined;
  };
}
