import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPki, type Pki } from '../../testing/pki';
import { prometheusAuth, tokenFile } from './auth';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'beacon-prom-auth-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const none = { prometheusAuthInCluster: false };

describe('Prometheus credentials', () => {
  it('reads a token file again a minute later when it changed, and keeps the last one while it is gone', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    let now = 0;
    const token = tokenFile(file, 'prometheus-token-file', () => now);
    expect(token()).toBe('first');
    writeFileSync(file, 'second\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    now = 59_000;
    expect(token()).toBe('first');
    now = 61_000;
    expect(token()).toBe('second');
    rmSync(file);
    now = 130_000;
    expect(token()).toBe('second');
  });

  it('takes the service account’s CA and token for --prometheus-auth-incluster', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
    writeFileSync(join(dir, 'token'), 'sa-token');
    const auth = prometheusAuth({ prometheusAuthInCluster: true }, dir);
    expect(auth.tls).toEqual({ ca: 'CA PEM' });
    expect(auth.authorization?.()).toBe('Bearer sa-token');
  });

  it('lets the CA file and token file flags win over the service account', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
    writeFileSync(join(dir, 'token'), 'sa-token');
    const otherCa = createPki();
    const { cert: pem } = otherCa.ca('other');
    otherCa.remove();
    writeFileSync(join(dir, 'other-ca.crt'), pem);
    writeFileSync(join(dir, 'prom-token'), 'prom-token');
    const auth = prometheusAuth(
      {
        prometheusAuthInCluster: true,
        prometheusCaFile: join(dir, 'other-ca.crt'),
        prometheusTokenFile: join(dir, 'prom-token'),
      },
      dir,
    );
    expect([auth.tls.ca, auth.authorization?.()]).toEqual([pem, 'Bearer prom-token']);
  });

  it.each([
    [
      { ...none, prometheusCaFile: '/nonexistent/ca.crt' },
      '--prometheus-ca-file /nonexistent/ca.crt: ENOENT',
    ],
    [{ prometheusAuthInCluster: true }, '--prometheus-auth-incluster'],
  ])('names the flag whose file cannot be read (%j)', (flags, message) => {
    expect(() => prometheusAuth(flags, join(dir, 'no-service-account'))).toThrow(message);
  });

  it('takes a --prometheus-auth-config kubeconfig as client-go does: tls-server-name, and a tokenFile read again as it rotates', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'from-file\n');
    const ca = createPki();
    const { cert: pem } = ca.ca('prometheus-ca');
    ca.remove();
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'p',
            cluster: {
              server: 'https://10.0.0.7:9091',
              'certificate-authority-data': Buffer.from(pem).toString('base64'),
              'tls-server-name': 'prometheus.monitoring.svc',
            },
          },
        ],
        users: [{ name: 'u', user: { token: 'static', tokenFile: file } }],
        contexts: [{ name: 'p', context: { cluster: 'p', user: 'u' } }],
        'current-context': 'p',
      }),
    );
    let now = 0;
    const auth = prometheusAuth({ ...none, prometheusAuthConfig: kubeconfig }, dir, () => now);
    expect(auth.tls).toEqual({ ca: pem, servername: 'prometheus.monitoring.svc' });
    expect(auth.authorization?.()).toBe('Bearer from-file');
    writeFileSync(file, 'rotated\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    now = 61_000;
    expect(auth.authorization?.()).toBe('Bearer rotated');
  });

  // Found by the audit of 2026-12-07: a kubeconfig with basic auth (kubernetes-sigs/
  // prometheus-adapter#439's Prometheus behind a proxy) was refused at start.
  describe('a --prometheus-auth-config kubeconfig with basic auth', () => {
    const withUser = (user: Record<string, string>) => {
      const kubeconfig = join(dir, 'basic-kubeconfig.yaml');
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          clusters: [{ name: 'p', cluster: { server: 'https://prometheus.monitoring.svc:9090' } }],
          users: [{ name: 'u', user }],
          contexts: [{ name: 'p', context: { cluster: 'p', user: 'u' } }],
          'current-context': 'p',
        }),
      );
      return { ...none, prometheusAuthConfig: kubeconfig };
    };

    it('sends it as RFC 7617 says: Basic, then base64 of user:password', () => {
      const auth = prometheusAuth(withUser({ username: 'adapter', password: 's3cret' }));
      // `echo -n adapter:s3cret | base64`
      expect(auth.authorization?.()).toBe('Basic YWRhcHRlcjpzM2NyZXQ=');
    });

    it('lets --prometheus-token-file win, as upstream’s bearer round tripper does', () => {
      writeFileSync(join(dir, 'prom-token'), 'prom-token');
      const flags = { ...withUser({ username: 'adapter', password: 's3cret' }) };
      const auth = prometheusAuth({ ...flags, prometheusTokenFile: join(dir, 'prom-token') });
      expect(auth.authorization?.()).toBe('Bearer prom-token');
    });

    it.each([
      [
        { username: 'adapter', password: 's3cret', token: 't' },
        'more than one authentication method',
      ],
      [{ password: 's3cret' }, 'a password but no username'],
    ])('refuses %j as client-go would not send it', (user, message) => {
      expect(() => prometheusAuth(withUser(user))).toThrow(message);
    });
  });

  it('refuses an empty token file', () => {
    writeFileSync(join(dir, 'token'), '\n');
    expect(() => prometheusAuth({ ...none, prometheusTokenFile: join(dir, 'token') })).toThrow(
      'the file is empty',
    );
  });
});

describe('Prometheus TLS files, checked at start as upstream checks them', () => {
  let pki: Pki;
  beforeAll(() => (pki = createPki()));
  afterAll(() => pki.remove());

  it('refuses a --prometheus-ca-file with no certificate in it, as makePrometheusCAClient does', () => {
    const key = pki.ca('key-only').key;
    for (const [name, text] of [
      ['empty.crt', ''],
      ['key.crt', key],
      ['broken.crt', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ] as const) {
      writeFileSync(join(dir, name), text);
      expect(() => prometheusAuth({ ...none, prometheusCaFile: join(dir, name) })).toThrow(
        `--prometheus-ca-file ${join(dir, name)}: no certificates found in it`,
      );
    }
  });

  it('takes a bundle whose certificates follow other text', () => {
    const { cert } = pki.ca('bundle');
    writeFileSync(join(dir, 'bundle.crt'), `# the cluster's CA\n${cert}`);
    const auth = prometheusAuth({ ...none, prometheusCaFile: join(dir, 'bundle.crt') });
    expect(auth.tls.ca).toBe(`# the cluster's CA\n${cert}`);
  });

  it('refuses a client certificate with a key that is not its own, as tls.LoadX509KeyPair does', () => {
    const ca = pki.ca('client-ca');
    const alice = pki.client(ca, 'alice', '/CN=alice');
    const bob = pki.client(ca, 'bob', '/CN=bob');
    const flags = {
      ...none,
      prometheusClientTlsCertFile: alice.certFile,
      prometheusClientTlsKeyFile: bob.keyFile,
    };
    expect(() => prometheusAuth(flags)).toThrow(
      `--prometheus-client-tls-cert-file ${alice.certFile} and --prometheus-client-tls-key-file ${bob.keyFile}: not a key pair`,
    );
    const good = prometheusAuth({ ...flags, prometheusClientTlsKeyFile: alice.keyFile });
    expect(good.tls).toEqual({ cert: alice.cert, key: alice.key });
  });
});
