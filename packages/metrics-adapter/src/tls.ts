// The serving certificate: --tls-cert-file/--tls-private-key-file, or, like every Kubernetes
// API server, a self-signed pair written once to --cert-dir (apiserver.crt, apiserver.key).
import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';

export interface ServingCert {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
}

/**
 * The pair in `certFile` and `keyFile`, refused unless it can serve, as k8s.io/apiserver's
 * DynamicCertKeyPairContent refuses it (empty, or failing tls.X509KeyPair) — with both files
 * named, rather than OpenSSL's bare "key values mismatch" when the server is made.
 */
function readPair(certFile: string, keyFile: string): ServingCert {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read serving certificate file ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const cert = read(certFile);
  const key = read(keyFile);
  const which = `serving certificate ${certFile} and key ${keyFile}`;
  if (cert.trim() === '' || key.trim() === '')
    throw new Error(`${which}: ${cert.trim() === '' ? certFile : keyFile} is empty`);
  let matches: boolean;
  try {
    createSecureContext({ cert, key });
    // OpenSSL keeps an RSA and an EC key apart, so a key of another type is no "mismatch" to it:
    // compare the public keys, as tls.X509KeyPair does.
    const spki = (k: ReturnType<typeof createPublicKey>) =>
      k.export({ type: 'spki', format: 'der' });
    matches = spki(new X509Certificate(cert).publicKey).equals(
      spki(createPublicKey(createPrivateKey(key))),
    );
  } catch (err) {
    const reason = (err as Error).message;
    if (!/key values mismatch/.test(reason))
      throw new Error(`${which} are not a usable PEM certificate and private key: ${reason}`, {
        cause: err,
      });
    matches = false;
  }
  if (!matches)
    throw new Error(`${which}: the private key does not match the certificate's public key`);
  return { cert, key, certFile };
}

export function servingCertificate(options: {
  certFile?: string;
  keyFile?: string;
  certDir: string;
  /** --bind-address: a specific one is put in a self-signed certificate, as k8s.io/apiserver does. */
  bindAddress?: string;
  /**
   * Whether a missing self-signed pair is written (at start-up) or is an error (when the files
   * are read again: k8s.io/apiserver generates it once and then only reads the files, keeping
   * the pair it serves when they are gone, so clients that trust it are not cut off).
   */
  generate?: boolean;
}): ServingCert {
  if (options.certFile && options.keyFile) return readPair(options.certFile, options.keyFile);
  const certFile = join(options.certDir, 'apiserver.crt');
  const keyFile = join(options.certDir, 'apiserver.key');
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  // As client-go's certutil.CanReadCertAndKey, which k8s.io/apiserver's
  // MaybeDefaultWithSelfSignedCerts asks first: half a pair is an error, not a pair to overwrite.
  if (haveCert !== haveKey)
    throw new Error(
      `error reading ${haveCert ? keyFile : certFile}, certificate and key must be supplied as a pair (--cert-dir ${options.certDir} holds only ${haveCert ? 'apiserver.crt' : 'apiserver.key'})`,
    );
  if (!haveCert && options.generate === false)
    throw new Error(
      `the self-signed serving certificate ${certFile} and key ${keyFile} are gone; it is written only at start-up`,
    );
  if (!haveCert) {
    // As MaybeDefaultWithSelfSignedCerts("localhost", [127.0.0.1]) with prometheus-adapter's
    // arguments: localhost, 127.0.0.1, and a specific --bind-address (::1 too, for IPv6).
    const bind = options.bindAddress;
    const sans = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
    if (
      bind &&
      isIP(bind) !== 0 &&
      bind !== '0.0.0.0' &&
      bind !== '::' &&
      !sans.includes(`IP:${bind}`)
    )
      sans.push(`IP:${bind}`);
    mkdirSync(options.certDir, { recursive: true, mode: 0o700 });
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          // An RSA key, as client-go's GenerateSelfSignedCertKey makes: the TLS 1.2 suites
          // --tls-cipher-suites names are mostly ECDHE_RSA ones, which an ECDSA key cannot serve.
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '365',
          '-subj',
          `/CN=localhost@${Math.floor(Date.now() / 1000)}`,
          '-addext',
          `subjectAltName=${sans.join(',')}`,
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (err) {
      throw new Error(
        `cannot write a self-signed certificate to ${options.certDir} (is openssl installed?); or pass --tls-cert-file and --tls-private-key-file`,
        { cause: err },
      );
    }
  }
  return readPair(certFile, keyFile);
}

/**
 * The suites a Go server offers when --tls-cipher-suites is not given (crypto/tls's default:
 * ECDHE with AES-GCM, ChaCha20-Poly1305 or AES-CBC-SHA; no static-RSA key exchange, no 3DES, no
 * CBC-SHA256), in OpenSSL's names, TLS 1.3's first. Node's own default also serves the TLS_RSA_*,
 * CBC-SHA256/384, ARIA and CCM suites that Go turned off, which scanners report as weak.
 */
export const GO_DEFAULT_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
].join(':');

/** What a server's TLS options take beside its pair and CAs (serverTlsOptions). */
type TlsExtra = Pick<SecureContextOptions, 'minVersion' | 'ciphers'> & {
  readonly clientCasLater?: boolean;
};

/**
 * The HTTPS server's TLS options: the serving pair, and, with client CAs, a client certificate
 * asked for but not required (a request without one is left to a token or anonymous, or gets a
 * 401; health checks still work).
 * `clientCasLater` asks for one with none yet, as the cluster may publish CAs once serving: a
 * server made without asking never asks (setSecureContext changes the CAs, not whether it asks),
 * as k8s.io/apiserver's dynamic CA provider has it serve with RequestClientCert from the start.
 * A minimum below TLS 1.2 (`--tls-min-version=VersionTLS10` or `11`) is served as Go serves it:
 * OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level 1 (a handshake ends in an
 * internal_error alert), so that level is lowered to 0 for them, as Node's docs advise.
 */
export function serverTlsOptions(
  serving: { readonly cert: string; readonly key: string },
  cas: readonly string[],
  { clientCasLater = false, ...extra }: TlsExtra = {},
): TlsOptions {
  return {
    cert: serving.cert,
    key: serving.key,
    ...(cas.length > 0 ? { ca: [...cas] } : {}),
    ...(cas.length > 0 || clientCasLater ? { requestCert: true, rejectUnauthorized: false } : {}),
    // No session resumption: no tickets, and Node keeps no server session cache without
    // 'resumeSession' listeners. A resumed session keeps the client's certificate but not the
    // intermediates it sent, so a chained certificate would be refused on every resumed
    // connection; keep-alive connections are unaffected.
    secureOptions: constants.SSL_OP_NO_TICKET,
    ...extra,
    ciphers: `${extra.ciphers ?? GO_DEFAULT_CIPHERS}${
      extra.minVersion === 'TLSv1' || extra.minVersion === 'TLSv1.1' ? ':@SECLEVEL=0' : ''
    }`,
  };
}
