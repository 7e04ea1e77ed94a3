// Test support: a throwaway PKI made with the openssl CLI — CAs, and client certificates they
// sign — written to a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pair {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly dir: string;
  ca(name: string): Pair;
  /** An intermediate CA signed by `ca`. */
  intermediate(ca: Pair, name: string): Pair;
  /** A client certificate for `subject` (e.g. `/CN=jane/O=dev`) signed by `ca`. */
  client(ca: Pair, name: string, subject: string): Pair;
  /** A serving certificate signed by `ca`, for `altNames` (by default localhost and 127.0.0.1). */
  server(ca: Pair, name: string, altNames?: string): Pair;
  /**
   * A certificate for `subject` signed by `ca` with exactly `extensions` (openssl's extfile
   * lines), its signature made with `digest` (openssl's name, `sha256` by default), its key
   * made by `newkey` (openssl req's `-newkey` arguments; a P-256 key by default).
   */
  custom(
    ca: Pair,
    name: string,
    subject: string,
    extensions: string,
    digest?: string,
    newkey?: readonly string[],
  ): Pair;
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-pki-'));
  const openssl = (args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const pair = (name: string): Pair => {
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    return {
      certFile,
      keyFile,
      cert: readFileSync(certFile, 'utf8'),
      key: readFileSync(keyFile, 'utf8'),
    };
  };
  /** A key pair and a certificate for `subject`, signed by `ca` with the given extensions. */
  const signed = (
    ca: Pair,
    name: string,
    subject: string,
    extensions: string,
    digest = 'sha256',
    newkey: readonly string[] = EC,
  ): Pair => {
    const file = (ext: string) => join(dir, `${name}.${ext}`);
    writeFileSync(file('ext'), extensions);
    openssl([
      'req',
      '-new',
      ...newkey,
      '-subj',
      subject,
      '-keyout',
      file('key'),
      '-out',
      file('csr'),
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      file('csr'),
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      `-${digest}`,
      '-days',
      '2',
      '-extfile',
      file('ext'),
      '-out',
      file('crt'),
    ]);
    return pair(name);
  };
  return {
    dir,
    ca(name) {
      openssl([
        'req',
        '-x509',
        ...EC,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.crt`),
      ]);
      return pair(name);
    },
    intermediate: (ca, name) =>
      signed(
        ca,
        name,
        `/CN=${name}`,
        'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n',
      ),
    client: (ca, name, subject) =>
      signed(ca, name, subject, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n'),
    server: (ca, name, altNames = 'DNS:localhost,IP:127.0.0.1') =>
      signed(ca, name, `/CN=${name}`, `extendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`),
    custom: signed,
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
