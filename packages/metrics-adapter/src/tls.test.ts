// The serving certificate in --cert-dir, as k8s.io/apiserver's MaybeDefaultWithSelfSignedCerts
// makes it: apiserver.crt and apiserver.key, written once and reused; half a pair is an error
// (client-go's certutil.CanReadCertAndKey), never overwritten.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servingCertificate } from './tls';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('writes a self-signed pair for localhost and 127.0.0.1 once, and reads it back after', () => {
  const certDir = join(dir, 'certs');
  const first = servingCertificate({ certDir });
  expect(first.certFile).toBe(join(certDir, 'apiserver.crt'));
  expect(readFileSync(join(certDir, 'apiserver.key'), 'utf8')).toBe(first.key);
  const cert = new X509Certificate(first.cert);
  expect(cert.checkHost('localhost')).toBe('localhost');
  expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(cert.subject).toMatch(/^CN=localhost@\d+$/);
  expect(servingCertificate({ certDir })).toEqual(first);
});

it.each([
  ['apiserver.key', 'apiserver.crt'],
  ['apiserver.crt', 'apiserver.key'],
])('refuses a --cert-dir without %s, keeping the %s there', (missing, kept) => {
  servingCertificate({ certDir: dir });
  unlinkSync(join(dir, missing));
  const before = readFileSync(join(dir, kept), 'utf8');
  expect(() => servingCertificate({ certDir: dir })).toThrow(
    `error reading ${join(dir, missing)}, certificate and key must be supplied as a pair`,
  );
  expect(readFileSync(join(dir, kept), 'utf8')).toBe(before);
});

it('reads --tls-cert-file and --tls-private-key-file as they are', () => {
  writeFileSync(join(dir, 'c.pem'), 'CERT');
  writeFileSync(join(dir, 'k.pem'), 'KEY');
  expect(
    servingCertificate({
      certFile: join(dir, 'c.pem'),
      keyFile: join(dir, 'k.pem'),
      certDir: join(dir, 'unused'),
    }),
  ).toEqual({ cert: 'CERT', key: 'KEY', certFile: join(dir, 'c.pem') });
});
