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
  /** A client certificate for `subject` (e.g. `/CN=jane/O=dev`) signed by `ca`. */
  client(ca: Pair, name: string, subject: string): Pair;
  /** A serving certificate for localhost / 127.0.0.1 signed by `ca`. */
  server(ca: Pair, name: string): Pair;
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
    client(ca, name, subject) {
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
      openssl([
        'req',
        '-new',
        ...EC,
        '-subj',
        subject,
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.csr`),
      ]);
      openssl([
        'x509',
        '-req',
        '-in',
        join(dir, `${name}.csr`),
        '-CA',
        ca.certFile,
        '-CAkey',
        ca.keyFile,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        ext,
        '-out',
        join(dir, `${name}.crt`),
      ]);
      return pair(name);
    },
    server(ca, name) {
      const ext = join(dir, `${name}.ext`);
      writeFileSync(
        ext,
        'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
      );
      openssl([
        'req',
        '-new',
        ...EC,
        '-subj',
        `/CN=${name}`,
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.csr`),
      ]);
      openssl([
        'x509',
        '-req',
        '-in',
        join(dir, `${name}.csr`),
        '-CA',
        ca.certFile,
        '-CAkey',
        ca.keyFile,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        ext,
        '-out',
        join(dir, `${name}.crt`),
      ]);
      return pair(name);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
