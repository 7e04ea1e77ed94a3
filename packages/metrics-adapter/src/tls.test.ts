// The serving certificate in --cert-dir, as k8s.io/apiserver's MaybeDefaultWithSelfSignedCerts
// makes it: apiserver.crt and apiserver.key, written once and reused; half a pair is an error
// (client-go's certutil.CanReadCertAndKey), never overwritten.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type SecureVersion } from 'node:tls';
import { parseFlags } from './flags';
import { createPki, type Pair, type Pki } from './testing/pki';
import { serverTlsOptions, servingCertificate } from './tls';

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

it('writes no new pair when the files are read again and the self-signed pair is gone', () => {
  const certDir = join(dir, 'certs');
  servingCertificate({ certDir });
  rmSync(certDir, { recursive: true });
  expect(() => servingCertificate({ certDir, generate: false })).toThrow(
    `the self-signed serving certificate ${join(certDir, 'apiserver.crt')} and key ${join(certDir, 'apiserver.key')} are gone`,
  );
  expect(existsSync(certDir)).toBe(false);
});

it('puts a specific --bind-address in the self-signed certificate, as k8s.io/apiserver does', () => {
  const bound = new X509Certificate(
    servingCertificate({ certDir: join(dir, 'bound'), bindAddress: '10.1.2.3' }).cert,
  );
  expect(bound.checkIP('10.1.2.3')).toBe('10.1.2.3');
  expect(bound.checkHost('localhost')).toBe('localhost');
  const v6 = new X509Certificate(
    servingCertificate({ certDir: join(dir, 'v6'), bindAddress: 'fd00::7' }).cert,
  );
  expect(v6.checkIP('fd00::7')).toBe('fd00::7');
  const any = new X509Certificate(
    servingCertificate({ certDir: join(dir, 'any'), bindAddress: '0.0.0.0' }).cert,
  );
  expect(any.checkIP('0.0.0.0')).toBeUndefined();
  expect(any.checkIP('10.1.2.3')).toBeUndefined();
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

describe('--tls-cert-file and --tls-private-key-file', () => {
  let pki: Pki;
  let a: Pair;
  let b: Pair;
  beforeAll(() => {
    pki = createPki();
    const ca = pki.ca('ca');
    a = pki.server(ca, 'a');
    b = pki.server(ca, 'b');
  });
  afterAll(() => pki.remove());

  it('reads the pair as it is', () => {
    expect(
      servingCertificate({ certFile: a.certFile, keyFile: a.keyFile, certDir: join(dir, 'x') }),
    ).toEqual({ cert: a.cert, key: a.key, certFile: a.certFile });
  });

  it("refuses a key that is not the certificate's, naming both files", () => {
    expect(() =>
      servingCertificate({ certFile: a.certFile, keyFile: b.keyFile, certDir: dir }),
    ).toThrow(
      `serving certificate ${a.certFile} and key ${b.keyFile}: the private key does not match the certificate's public key`,
    );
  });

  it('refuses a file that holds no PEM certificate, or nothing, naming it', () => {
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
    writeFileSync(join(dir, 'empty.pem'), '');
    expect(() =>
      servingCertificate({ certFile: join(dir, 'junk.pem'), keyFile: a.keyFile, certDir: dir }),
    ).toThrow(
      `serving certificate ${join(dir, 'junk.pem')} and key ${a.keyFile} are not a usable PEM certificate and private key`,
    );
    expect(() =>
      servingCertificate({ certFile: a.certFile, keyFile: join(dir, 'empty.pem'), certDir: dir }),
    ).toThrow(`${join(dir, 'empty.pem')} is empty`);
    expect(() =>
      servingCertificate({ certFile: join(dir, 'none.pem'), keyFile: a.keyFile, certDir: dir }),
    ).toThrow(`cannot read serving certificate file ${join(dir, 'none.pem')}`);
  });

  it('refuses an apiserver.crt in --cert-dir whose key was replaced, rather than serving with it', () => {
    servingCertificate({ certDir: dir });
    writeFileSync(join(dir, 'apiserver.key'), b.key);
    expect(() => servingCertificate({ certDir: dir })).toThrow(
      "the private key does not match the certificate's public key",
    );
  });
});

describe('serverTlsOptions', () => {
  let pki: Pki;
  let serving: Pair;
  beforeAll(() => {
    pki = createPki();
    serving = pki.server(pki.ca('ca'), 'serving');
  });
  afterAll(() => pki.remove());

  /** The protocol a client limited to `version` gets from a server made with `extra`, or its error code. */
  async function handshake(extra: Parameters<typeof serverTlsOptions>[2], version: SecureVersion) {
    const server = createServer(serverTlsOptions(serving, [], extra), (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      return await new Promise<string>((resolve) => {
        const c = connect(
          {
            port: (server.address() as AddressInfo).port,
            host: '127.0.0.1',
            rejectUnauthorized: false,
            minVersion: version,
            maxVersion: version,
            ciphers: 'DEFAULT:@SECLEVEL=0',
          },
          () => {
            resolve(c.getProtocol() ?? 'none');
            c.destroy();
          },
        );
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it('serves TLS 1.0 and 1.1 clients when the minimum version lets them in, as Go does', async () => {
    expect(await handshake({ minVersion: 'TLSv1' }, 'TLSv1')).toBe('TLSv1');
    expect(await handshake({ minVersion: 'TLSv1.1' }, 'TLSv1.1')).toBe('TLSv1.1');
    expect(
      await handshake(
        { minVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA' },
        'TLSv1',
      ),
    ).toBe('TLSv1');
  });

  it('serves a TLS 1.2 client the ECDHE_RSA suite --tls-cipher-suites names with the self-signed certificate', async () => {
    // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is ECDHE-RSA-AES128-GCM-SHA256 (openssl-ciphers(1)):
    // client-go's self-signed certificate has an RSA key, so Go serves it; an ECDSA key cannot.
    const { tlsCipherSuites } = parseFlags([
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    ]);
    const self = servingCertificate({ certDir: join(dir, 'self') });
    const server = createServer(
      serverTlsOptions(self, [], { ciphers: tlsCipherSuites as string }),
      (s) => s.end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const got = await new Promise<string>((resolve) => {
        const c = connect(
          {
            port: (server.address() as AddressInfo).port,
            host: '127.0.0.1',
            rejectUnauthorized: false,
            maxVersion: 'TLSv1.2',
            ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
          },
          () => {
            resolve(`${c.getProtocol()} ${c.getCipher().standardName}`);
            c.destroy();
          },
        );
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(got).toBe('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("offers TLS 1.2 clients only Go's default suites when --tls-cipher-suites is not given", async () => {
    // What a Go 1.26 crypto/tls server with a default Config and this RSA certificate accepted,
    // one suite offered at a time: ECDHE_RSA with AES-GCM, ChaCha20 or AES-CBC-SHA, nothing else.
    const self = servingCertificate({ certDir: join(dir, 'self') });
    const server = createServer(serverTlsOptions(self, []), (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const offer = (ciphers: string, maxVersion: SecureVersion = 'TLSv1.2') =>
      new Promise<string>((resolve) => {
        const c = connect(
          {
            port: (server.address() as AddressInfo).port,
            host: '127.0.0.1',
            rejectUnauthorized: false,
            maxVersion,
            ciphers,
          },
          () => {
            resolve(c.getCipher().standardName);
            c.destroy();
          },
        );
        c.on('error', () => resolve('refused'));
      });
    try {
      for (const served of [
        'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-RSA-CHACHA20-POLY1305',
        'ECDHE-RSA-AES128-SHA',
        'ECDHE-RSA-AES256-SHA',
      ])
        expect(await offer(served)).not.toBe('refused');
      // Static-RSA key exchange (TLS_RSA_WITH_*), CBC with SHA-256/384, ARIA, CCM: Go's default
      // leaves them out.
      for (const refused of [
        'AES128-GCM-SHA256',
        'AES256-GCM-SHA384',
        'AES128-SHA',
        'AES256-SHA256',
        'ECDHE-RSA-AES128-SHA256',
        'ECDHE-RSA-AES256-SHA384',
        'ECDHE-ARIA128-GCM-SHA256',
        'AES128-CCM',
      ])
        expect([refused, await offer(refused)]).toEqual([refused, 'refused']);
      expect(await offer('TLS_AES_128_GCM_SHA256', 'TLSv1.3')).toBe('TLS_AES_128_GCM_SHA256');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses them by default and with a minimum of TLS 1.2', async () => {
    expect(await handshake({}, 'TLSv1.1')).not.toMatch(/^TLSv/);
    expect(await handshake({ minVersion: 'TLSv1.2' }, 'TLSv1.1')).not.toMatch(/^TLSv/);
    expect(await handshake({ minVersion: 'TLSv1.2' }, 'TLSv1.2')).toBe('TLSv1.2');
  });
});
