// How the adapter proves itself to Prometheus, from prometheus-adapter's flags: a CA for its
// certificate (--prometheus-ca-file), a client certificate (--prometheus-client-tls-*), a bearer
// token from a file (--prometheus-token-file), or the credentials of a kubeconfig
// (--prometheus-auth-config: a token, a client certificate, or basic auth's username and
// password) or of the pod's service account (--prometheus-auth-incluster), for
// a Prometheus behind kube-rbac-proxy or an OpenShift-style oauth proxy. Files the flags name
// are read at start (a missing one is an error then); a token file (a kubeconfig's tokenFile too)
// is read again a minute after it was last read, so a rotated service-account token is picked up.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import type { AdapterFlags } from '../../flags';
import { SERVICE_ACCOUNT_DIR } from '../../k8s/in-cluster';
import { basicAuthorization, loadKubeconfig } from '../../k8s/kubeconfig';

export interface PrometheusTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized?: boolean;
  /** The name Prometheus' certificate is checked against (a kubeconfig's tls-server-name). */
  readonly servername?: string;
}

export interface PrometheusAuth {
  readonly tls: PrometheusTls;
  /** The Authorization header to send now, if any: `Bearer <token>`, or a kubeconfig's `Basic …`. */
  readonly authorization?: () => string;
}

function read(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--${flag} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A CA bundle with at least one certificate in it, as upstream's makePrometheusCAClient refuses
 * one that has none ("no certs found in prometheus-ca-file"): Node ignores such a `ca` silently,
 * and every query then failed its handshake.
 */
function caBundle(file: string, flag: string): string {
  const pem = read(file, flag);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const parses = (block: string) => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  };
  if (!blocks.some(parses)) throw new Error(`--${flag} ${file}: no certificates found in it`);
  return pem;
}

/** A token file, read again once `maxAgeMs` has passed and its modification time moved. */
export function tokenFile(file: string, flag: string, now = Date.now, maxAgeMs = 60_000) {
  const load = () => {
    const token = read(file, flag).trim();
    if (!token) throw new Error(`--${flag} ${file}: the file is empty`);
    return token;
  };
  let token = load();
  let readAt = now();
  let mtime = statSync(file).mtimeMs;
  return (): string => {
    if (now() - readAt < maxAgeMs) return token;
    readAt = now();
    try {
      const m = statSync(file).mtimeMs;
      if (m !== mtime) [token, mtime] = [load(), m];
    } catch {
      // Mid-rotation or gone: keep the last token, and look again in a minute.
    }
    return token;
  };
}

/** A kubeconfig's tokenFile read again each minute, or undefined when it cannot be read now. */
function rereadable(file: string, now: () => number): (() => string) | undefined {
  try {
    return tokenFile(file, 'prometheus-auth-config', now);
  } catch {
    return undefined;
  }
}

export function prometheusAuth(
  flags: Pick<
    AdapterFlags,
    | 'prometheusCaFile'
    | 'prometheusClientTlsCertFile'
    | 'prometheusClientTlsKeyFile'
    | 'prometheusTokenFile'
    | 'prometheusAuthInCluster'
    | 'prometheusAuthConfig'
  >,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
  now = Date.now,
): PrometheusAuth {
  let tls: PrometheusTls = {};
  let token: (() => string) | undefined;
  let basic: string | undefined;
  // flags.ts has refused one of the client certificate flags without the other.
  const [certFile, keyFile] = [flags.prometheusClientTlsCertFile, flags.prometheusClientTlsKeyFile];
  if (flags.prometheusAuthInCluster) {
    tls = { ca: read(join(serviceAccountDir, 'ca.crt'), 'prometheus-auth-incluster') };
    token = tokenFile(join(serviceAccountDir, 'token'), 'prometheus-auth-incluster');
  } else if (flags.prometheusAuthConfig) {
    const conn = loadKubeconfig(flags.prometheusAuthConfig);
    tls = {
      ...(conn.ca ? { ca: conn.ca } : {}),
      ...(conn.cert && conn.key ? { cert: conn.cert, key: conn.key } : {}),
      ...(conn.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
      ...(conn.tlsServerName ? { servername: conn.tlsServerName } : {}),
    };
    // As client-go: a tokenFile wins and is read again as it rotates; the static token is used
    // while the file cannot be read (loadKubeconfig has already refused a kubeconfig with neither).
    const t = conn.token;
    const fromFile = conn.tokenFile ? rereadable(conn.tokenFile, now) : undefined;
    if (fromFile) token = fromFile;
    else if (t) token = () => t;
    else if (conn.basic) basic = basicAuthorization(conn.basic);
  }
  if (flags.prometheusCaFile)
    tls = { ...tls, ca: caBundle(flags.prometheusCaFile, 'prometheus-ca-file') };
  if (certFile && keyFile) {
    const pair = {
      cert: read(certFile, 'prometheus-client-tls-cert-file'),
      key: read(keyFile, 'prometheus-client-tls-key-file'),
    };
    // As upstream's tls.LoadX509KeyPair ("failed to read TLS key pair"): at start, not per query.
    try {
      createSecureContext(pair);
    } catch (err) {
      throw new Error(
        `--prometheus-client-tls-cert-file ${certFile} and --prometheus-client-tls-key-file ${keyFile}: not a key pair: ${(err as Error).message}`,
        { cause: err },
      );
    }
    tls = { ...tls, ...pair };
  }
  if (flags.prometheusTokenFile) {
    token = tokenFile(flags.prometheusTokenFile, 'prometheus-token-file');
    basic = undefined; // as upstream's round trippers: the bearer header, set first, is kept
  }
  const bearer = token;
  const authorization = bearer ? () => `Bearer ${bearer()}` : basic && (() => basic);
  return { tls, ...(authorization ? { authorization } : {}) };
}
