// Client-certificate authentication, as Kubernetes API servers do it:
//  - a certificate signed by --client-ca-file (directly, or through intermediates the client
//    sends): the user is its CN, the groups its O values;
//  - a certificate signed by --requestheader-client-ca-file (the aggregator's front proxy) whose
//    CN is allowed: the user is in X-Remote-User, groups in X-Remote-Group, extras in
//    X-Remote-Extra-<key>. These headers are read only from the front proxy; from anyone else
//    they are ignored, or any client could claim to be anyone.
// The TLS server asks for a certificate but does not reject a connection without one, so that
// health checks work and a missing credential is answered with a 401 Status.
import type { IncomingMessage } from 'node:http';
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { Authenticator, UserInfo } from './types';

export interface RequestHeaderOptions {
  readonly cas: readonly X509Certificate[];
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
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

/** The values of one attribute in an X.509 subject (`CN`, `O`), as Node prints it. */
export function subjectValues(subject: string, attribute: string): string[] {
  return subject
    .split('\n')
    .filter((line) => line.startsWith(`${attribute}=`))
    .map((line) => line.slice(attribute.length + 1));
}

const signedBy = (cert: X509Certificate, cas: readonly X509Certificate[]) =>
  cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));

/**
 * The connection's certificate chain, leaf first: what the client sent, completed by OpenSSL up
 * to the root it verified against (Node links each certificate to its issuer; a root to itself).
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
 * Whether the chain leads to one of `cas`: some certificate in it is signed by one, and each below
 * it by the next. A client may send intermediates, as Go's x509.Verify (kube-apiserver's) takes
 * them; the TLS handshake already checked that they are CAs, against every CA the server trusts,
 * and this says which bundle the chain ends in.
 */
function chainsTo(chain: readonly X509Certificate[], cas: readonly X509Certificate[]): boolean {
  for (const [i, cert] of chain.entries()) {
    if (signedBy(cert, cas)) return true;
    const issuer = chain[i + 1];
    if (!issuer || !signedBy(cert, [issuer])) return false;
  }
  return false;
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
 * An extra's key as the header spells it, percent-decoded; as kube-apiserver's requestheader
 * authenticator does, a key that does not decode is taken as it is.
 */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function fromRequestHeaders(req: IncomingMessage, o: RequestHeaderOptions): UserInfo | undefined {
  const name = o.usernameHeaders.map((h) => headerValues(req, h)[0]).find(Boolean);
  if (!name) return undefined;
  const groups = o.groupHeaders.flatMap((h) => headerValues(req, h));
  const extra = new Map<string, string[]>();
  for (const [header, values] of Object.entries(req.headersDistinct)) {
    const prefix = o.extraHeaderPrefixes.find((p) => header.startsWith(p.toLowerCase()));
    if (!prefix || values === undefined) continue;
    const key = unescapeExtraKey(header.slice(prefix.length));
    extra.set(key, [...(extra.get(key) ?? []), ...values]);
  }
  // defineProperty-like semantics: a key named `__proto__` stays a key.
  return { name, groups, ...(extra.size > 0 ? { extra: Object.fromEntries(extra) } : {}) };
}

/**
 * What a connection's client certificate makes of each of its requests, as upstream's union of
 * the requestheader and x509 authenticators does: the front proxy's (the user in each request's
 * headers), else the certificate's own user when the chain reaches a client CA (the same CA may
 * be in both bundles), else nobody. Valid only within [notBefore, notAfter] of the whole chain.
 */
interface Verdict {
  readonly proxy: boolean;
  readonly user?: UserInfo;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** The window in which every certificate in the chain is valid (ms since the epoch). */
function validity(chain: readonly X509Certificate[]): { notBefore: number; notAfter: number } {
  const from = chain.map((c) => Date.parse(c.validFrom));
  const to = chain.map((c) => Date.parse(c.validTo));
  return { notBefore: Math.max(...from), notAfter: Math.min(...to) };
}

function decide(chain: readonly X509Certificate[], options: CertAuthOptions): Verdict {
  const cert = chain[0];
  if (!cert) return { proxy: false, notBefore: Infinity, notAfter: -Infinity };
  const cn = subjectValues(cert.subject, 'CN')[0] ?? '';
  const rh = options.requestHeader;
  const proxy =
    !!rh &&
    chainsTo(chain, rh.cas) &&
    (rh.allowedNames.length === 0 || rh.allowedNames.includes(cn));
  const byClientCA = !!cn && !!options.clientCAs && chainsTo(chain, options.clientCAs);
  return {
    proxy,
    ...(byClientCA ? { user: { name: cn, groups: subjectValues(cert.subject, 'O') } } : {}),
    ...validity(chain),
  };
}

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
    if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
    let verdict = verdicts.get(socket);
    if (!verdict) verdicts.set(socket, (verdict = decide(peerChain(socket as TLSSocket), options)));
    const t = now();
    if (t < verdict.notBefore || t > verdict.notAfter) return undefined;
    // A front-proxy request without a user header is not the proxy's: it falls through to x509.
    const viaProxy =
      verdict.proxy && options.requestHeader
        ? fromRequestHeaders(req, options.requestHeader)
        : undefined;
    return viaProxy ?? verdict.user;
  };
}
