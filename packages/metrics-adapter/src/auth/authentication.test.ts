// Authentication as k8s.io/apiserver's delegating authenticator does it, through the whole
// adapter: requestheader, then x509 client certificates, then TokenReview, every user in
// system:authenticated; and the TLS server, which never resumes a session.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { parseFlags } from '../flags';
import { startAdapter, type RunningAdapter } from '../main';
import { startFakeApiServer, type FakeApiServer } from '../testing/fake-apiserver';
import { httpsGet } from '../testing/https';
import { memoryLogger, type Logger } from '../telemetry/logger';
import { waitFor } from '../testing/prometheus';
import { createPki, type Pair, type Pki } from '../testing/pki';
import type { RequestAttributes, UserInfo } from './types';
import { writeTokenKubeconfig } from '../testing/kubeconfig';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let pki: Pki;
let dir: string;
let ca: Pair; // client CA and front-proxy CA at once
let jane: Pair;
let proxy: Pair;
let ivan: { cert: string; key: string }; // through an intermediate, sent with it
let kube: FakeApiServer;
let kubeCa: Pair;
let kubeconfig: string;
const adapters: RunningAdapter[] = [];

beforeAll(async () => {
  pki = createPki();
  dir = mkdtempSync(join(tmpdir(), 'beacon-authn-'));
  ca = pki.ca('cluster-ca');
  jane = pki.client(ca, 'jane', '/CN=jane/O=dev');
  proxy = pki.client(ca, 'proxy', '/CN=front-proxy-client');
  const ica = pki.intermediate(ca, 'ica');
  const leaf = pki.client(ica, 'ivan', '/CN=ivan/O=dev');
  ivan = { cert: leaf.cert + ica.cert, key: leaf.key };
  kubeCa = pki.ca('kube-ca');
  kube = await startFakeApiServer({
    serving: pki.server(kubeCa, 'kube-apiserver'),
    allow: [],
    tokens: { 'hpa-token': 'tokenreview-authenticated.json' },
    adapterToken: 'adapter-sa-token',
  });
  kubeconfig = writeTokenKubeconfig(join(dir, 'kubeconfig'), {
    server: kube.url,
    caPem: kubeCa.cert,
    token: 'adapter-sa-token',
  });
});

afterAll(async () => {
  for (const a of adapters) await a.close();
  await kube?.close();
  pki?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(
  args: string[],
  overrides: { logger?: Logger; certificateReloadMs?: number } = {},
) {
  const seen: UserInfo[] = [];
  const certDir = mkdtempSync(join(dir, 'serving-'));
  const adapter = await startAdapter(
    parseFlags([
      '--prometheus-url=http://127.0.0.1:1',
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${certDir}`,
      ...args,
    ]),
    {
      logger: quiet,
      ...overrides,
      inCluster: null,
      env: {},
      authorize: async (user: UserInfo, _attrs: RequestAttributes) => {
        seen.push(user);
        return { allowed: true };
      },
    },
  );
  adapters.push(adapter);
  const serving = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
  const get = async (as: { cert: string; key: string } | null, headers = {}) =>
    (
      await httpsGet(adapter.url + '/apis', {
        ca: serving,
        ...(as ? { cert: as.cert, key: as.key } : {}),
        headers,
      })
    ).status;
  return { adapter, serving, seen, get };
}

describe('no authentication configured', () => {
  it('refuses to start, as prometheus-adapter does, unless --insecure-serve-anonymous', async () => {
    await expect(start([])).rejects.toThrow(
      'no authentication configured: give --client-ca-file, --requestheader-client-ca-file or --authentication-kubeconfig, or run in a cluster',
    );
    const open = await start(['--insecure-serve-anonymous']);
    expect(await open.get(null)).toBe(200);
    expect(open.seen.at(-1)?.name).toBe('system:anonymous');
    // With a client CA, a request without a certificate is not served.
    const closed = await start([`--client-ca-file=${ca.certFile}`, '--insecure-serve-anonymous']);
    expect(await closed.get(null)).toBe(401);
  });

  it('logs that it serves everyone, each flag it accepts and ignores, and resourceRules', async () => {
    const logger = memoryLogger();
    // prometheus-adapter's resource metrics rules, as its Helm chart writes them.
    const config = join(dir, 'resource-rules.yaml');
    writeFileSync(
      config,
      [
        'rules: []',
        'resourceRules:',
        '  cpu:',
        '    containerQuery: sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)',
        '    nodeQuery: sum(rate(node_cpu_seconds_total{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)',
        '    resources: {overrides: {node: {resource: node}, namespace: {resource: namespace}, pod: {resource: pod}}}',
        '    containerLabel: container',
        '  window: 3m',
        '',
      ].join('\n'),
    );
    const adapter = await startAdapter(
      parseFlags([
        '--prometheus-url=http://127.0.0.1:1',
        '--secure-port=0',
        '--bind-address=127.0.0.1',
        `--cert-dir=${mkdtempSync(join(dir, 'serving-'))}`,
        '--insecure-serve-anonymous',
        '--logtostderr=true',
        '--enable-priority-and-fairness=false',
        `--config=${config}`,
      ]),
      { logger, inCluster: null, env: {} },
    );
    adapters.push(adapter);
    const said = (msg: string) => logger.lines.filter((l) => l.msg === msg);
    expect(
      said('flag accepted and ignored: it has no effect here').map((l) => [l.level, l.flag]),
    ).toEqual([
      ['info', '--logtostderr=true'],
      ['info', '--enable-priority-and-fairness=false'],
    ]);
    expect(
      said(
        'no client CA, no --authentication-kubeconfig and not in a cluster: every request is served as system:anonymous',
      ).map((l) => l.level),
    ).toEqual(['warn']);
    expect(
      said(
        "resourceRules are accepted and not served: resource metrics are metrics-server's job",
      ).map((l) => l.level),
    ).toEqual(['warn']);
  });
});

describe('one CA as both --client-ca-file and --requestheader-client-ca-file', () => {
  const bothCAs = () => [
    `--client-ca-file=${ca.certFile}`,
    `--requestheader-client-ca-file=${ca.certFile}`,
  ];

  it.each([['front-proxy-client'], ['']])(
    'takes a client certificate with no user header as its own user (allowed names %j)',
    async (allowed) => {
      const a = await start([...bothCAs(), `--requestheader-allowed-names=${allowed}`]);
      expect(await a.get(jane)).toBe(200);
      expect(await a.get(proxy, { 'X-Remote-User': 'hpa' })).toBe(200);
      expect(await a.get(proxy)).toBe(200);
      expect(a.seen).toEqual([
        { name: 'jane', groups: ['dev', 'system:authenticated'] },
        { name: 'hpa', groups: ['system:authenticated'] },
        { name: 'front-proxy-client', groups: ['system:authenticated'] },
      ]);
    },
  );

  it('ignores user headers from a certificate whose CN is not an allowed front-proxy name', async () => {
    const a = await start([...bothCAs(), '--requestheader-allowed-names=front-proxy-client']);
    expect(await a.get(jane, { 'X-Remote-User': 'admin' })).toBe(200);
    expect(a.seen).toEqual([{ name: 'jane', groups: ['dev', 'system:authenticated'] }]);
  });
});

describe('system:authenticated', () => {
  it('is added once to client-certificate and front-proxy users, as AuthenticatedGroupAdder does', async () => {
    const a = await start([`--client-ca-file=${ca.certFile}`]);
    expect(await a.get(jane)).toBe(200);
    const b = await start([
      `--requestheader-client-ca-file=${ca.certFile}`,
      '--requestheader-allowed-names=front-proxy-client',
    ]);
    expect(
      await b.get(proxy, { 'X-Remote-User': 'x', 'X-Remote-Group': 'system:authenticated' }),
    ).toBe(200);
    expect(await b.get(proxy, { 'X-Remote-User': 'system:anonymous' })).toBe(200);
    expect([...a.seen, ...b.seen]).toEqual([
      { name: 'jane', groups: ['dev', 'system:authenticated'] },
      { name: 'x', groups: ['system:authenticated'] },
      { name: 'system:anonymous', groups: [] },
    ]);
  });
});

describe('with a TokenReview API server', () => {
  it('authenticates by the client certificate before the bearer token, as upstream', async () => {
    const a = await start([
      `--client-ca-file=${ca.certFile}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      '--authentication-skip-lookup',
    ]);
    expect(await a.get(jane, { authorization: 'Bearer rejected' })).toBe(200);
    expect(await a.get(null, { authorization: 'bearer hpa-token' })).toBe(200);
    expect(await a.get(null, { authorization: 'Bearer rejected' })).toBe(401);
    expect(a.seen.map((u) => u.name)).toEqual([
      'jane',
      'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
    ]);
  });
});

describe('a request with no credentials, with delegated authentication', () => {
  // As k8s.io/apiserver's delegating authenticator (Anonymous on, as DelegatingAuthenticationOptions
  // sets it for prometheus-adapter and metrics-server): system:anonymous in system:unauthenticated,
  // authorized by a SubjectAccessReview like anyone; a refused credential stays a 401.
  let rbac: FakeApiServer;
  let a: RunningAdapter;
  let serving: string;
  const call = async (path: string, o: { as?: Pair; authorization?: string } = {}) =>
    httpsGet(a.url + path, {
      ca: serving,
      ...(o.as ? { cert: o.as.cert, key: o.as.key } : {}),
      ...(o.authorization ? { headers: { authorization: o.authorization } } : {}),
    });
  const reviews = () =>
    rbac.requests.filter((r) => r.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews');

  beforeAll(async () => {
    // A cluster's default RBAC for anonymous: system:public-info-viewer allows /version.
    rbac = await startFakeApiServer({
      serving: pki.server(kubeCa, 'kube-apiserver'),
      allow: ['system:anonymous get /version'],
      tokens: { 'hpa-token': 'tokenreview-authenticated.json' },
      adapterToken: 'adapter-sa-token',
    });
    const file = writeTokenKubeconfig(join(dir, 'kubeconfig-rbac'), {
      server: rbac.url,
      caPem: kubeCa.cert,
      token: 'adapter-sa-token',
    });
    const certDir = mkdtempSync(join(dir, 'serving-'));
    a = await startAdapter(
      parseFlags([
        '--prometheus-url=http://127.0.0.1:1',
        '--secure-port=0',
        '--bind-address=127.0.0.1',
        `--cert-dir=${certDir}`,
        `--client-ca-file=${ca.certFile}`,
        `--authentication-kubeconfig=${file}`,
        `--authorization-kubeconfig=${file}`,
        '--authentication-skip-lookup',
      ]),
      { logger: quiet, inCluster: null, env: {} },
    );
    adapters.push(a);
    serving = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
  });

  afterAll(async () => {
    await rbac?.close();
  });

  it('is system:anonymous in system:unauthenticated, and the SubjectAccessReview allows it /version', async () => {
    rbac.requests.length = 0;
    const r = await call('/version');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ gitVersion: expect.any(String) });
    expect(reviews().map((q) => q.body)).toEqual([
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'system:anonymous',
          groups: ['system:unauthenticated'],
          nonResourceAttributes: { path: '/version', verb: 'get' },
        },
      },
    ]);
    // Anonymous is the authenticators' last word: no TokenReview is asked for.
    expect(rbac.requests.some((q) => q.path.includes('tokenreviews'))).toBe(false);
  });

  it('answers the 403 k8s.io/apiserver words for system:anonymous where RBAC denies it', async () => {
    const metrics = await call('/metrics');
    expect(metrics.status).toBe(403);
    expect(metrics.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'forbidden: User "system:anonymous" cannot get path "/metrics"',
      reason: 'Forbidden',
      details: {},
      code: 403,
    });
    const values = await call(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections',
    );
    expect(values.body).toMatchObject({ reason: 'Forbidden', code: 403 });
    expect(values.body.message).toBe(
      'pods.custom.metrics.k8s.io "*" is forbidden: User "system:anonymous" cannot get resource "pods/websocket_connections" in API group "custom.metrics.k8s.io" in the namespace "platform"',
    );
  });

  it('stays a 401 for a refused token or certificate, and health asks no one', async () => {
    rbac.requests.length = 0;
    const stranger = pki.client(pki.ca('stranger-ca'), 'stranger', '/CN=jane');
    for (const refused of [{ authorization: 'Bearer rejected' }, { as: stranger }]) {
      const r = await call('/version', refused);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    // Another scheme than Bearer, or an empty token, is no credential (bearertoken.go's not-ok).
    for (const authorization of ['Basic amFuZTpwdw==', 'Bearer '])
      expect((await call('/openapi/v2', { authorization })).status).toBe(403);
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const r = await call(path);
      expect([r.status, r.text]).toEqual([200, 'ok']);
    }
    const users = () => reviews().map((q) => (q.body as { spec: { user: string } }).spec.user);
    expect(users()).toEqual(['system:anonymous']); // the second /openapi/v2 from the cache
    // Authenticated callers are themselves, as before.
    expect((await call('/openapi/v2', { authorization: 'Bearer hpa-token' })).status).toBe(403);
    expect((await call('/openapi/v2', { as: jane })).status).toBe(403);
    expect(users()).toEqual([
      'system:anonymous',
      'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
      'jane',
    ]);
  });

  it('is on under any authorizer, and off where no SubjectAccessReview is made (every authenticated user is allowed there)', async () => {
    const b = await start([
      `--authentication-kubeconfig=${kubeconfig}`,
      '--authentication-skip-lookup',
      `--client-ca-file=${ca.certFile}`,
    ]);
    expect(await b.get(null)).toBe(200); // start()'s authorizer: anonymous, authorized
    expect(b.seen.at(-1)).toEqual({ name: 'system:anonymous', groups: ['system:unauthenticated'] });
    const logger = memoryLogger();
    const certDir = mkdtempSync(join(dir, 'serving-'));
    const open = await startAdapter(
      parseFlags([
        '--prometheus-url=http://127.0.0.1:1',
        '--secure-port=0',
        '--bind-address=127.0.0.1',
        `--cert-dir=${certDir}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        '--authentication-skip-lookup',
      ]),
      { logger, inCluster: null, env: {} },
    );
    adapters.push(open);
    const servingPem = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
    const get = async (headers = {}) =>
      (await httpsGet(open.url + '/apis', { ca: servingPem, headers })).status;
    expect(await get()).toBe(401);
    expect(await get({ authorization: 'Bearer hpa-token' })).toBe(200);
    expect(
      logger.lines.some(
        (l) => l.msg === 'no --authorization-kubeconfig: every authenticated user is allowed',
      ),
    ).toBe(true);
  });
});

describe('the lookup of kube-system/extension-apiserver-authentication', () => {
  /** A kubeconfig for the fake API server with `token`. */
  const withToken = (token: string) => {
    const file = join(dir, `kubeconfig-${token}`);
    const doc = JSON.parse(readFileSync(kubeconfig, 'utf8')) as {
      users: { user: { token: string } }[];
    };
    doc.users[0]!.user.token = token;
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };

  it('takes a missing ConfigMap as no published CAs, as upstream ignores NotFound', async () => {
    const a = await start([
      `--client-ca-file=${ca.certFile}`,
      `--authentication-kubeconfig=${kubeconfig}`,
    ]);
    expect(kube.requests.some((r) => r.path.endsWith('/extension-apiserver-authentication'))).toBe(
      true,
    );
    expect(await a.get(jane)).toBe(200);
  });

  it('stops startup when it fails, unless --authentication-tolerate-lookup-failure', async () => {
    const denied = [
      `--client-ca-file=${ca.certFile}`,
      `--authentication-kubeconfig=${withToken('wrong')}`,
    ];
    await expect(start(denied)).rejects.toThrow(
      'unable to load configmap based request-header-client-ca-file',
    );
    const a = await start([...denied, '--authentication-tolerate-lookup-failure=true']);
    expect(await a.get(jane)).toBe(200);
  });

  /** A fake API server of its own publishing `published`, and a kubeconfig for it. */
  const cluster = async (published?: FakeApiServer['clusterAuth']) => {
    const api = await startFakeApiServer({
      serving: pki.server(kubeCa, 'kube-apiserver'),
      allow: [],
      tokens: {},
      adapterToken: 'adapter-sa-token',
      ...(published ? { clusterAuth: published } : {}),
    });
    const file = writeTokenKubeconfig(join(dir, `kubeconfig-${api.url.split(':').at(-1)}`), {
      server: api.url,
      caPem: kubeCa.cert,
      token: 'adapter-sa-token',
    });
    return { api, file };
  };

  it('asks for client certificates from the start, so CAs the cluster publishes later let clients in', async () => {
    // The server asked only when it had CAs at start: one published later was read every
    // minute and never asked for, every certificate and front-proxy request 401 until a restart.
    const { api, file } = await cluster();
    try {
      const a = await start([`--authentication-kubeconfig=${file}`], { certificateReloadMs: 100 });
      // With no client CA yet, a certificate is no credential (x509's not-ok with no CA bundle):
      // anonymous, as upstream's delegating authenticator has it.
      const who = async (as: Pair, headers = {}) => {
        expect(await a.get(as, headers)).toBe(200);
        return a.seen.at(-1)?.name;
      };
      expect(await who(jane)).toBe('system:anonymous');
      api.clusterAuth = { clientCA: ca.cert, requestHeaderCA: ca.cert };
      await waitFor(
        async () => (await who(jane)) === 'jane',
        10_000,
        () => 'a client of a CA published once serving was never let in',
      );
      expect(await who(proxy, { 'X-Remote-User': 'hpa' })).toBe('hpa');
    } finally {
      await api.close();
    }
  });

  it('keeps the CAs it serves when reading them again fails, even with --authentication-tolerate-lookup-failure', async () => {
    const { api, file } = await cluster({ clientCA: ca.cert, requestHeaderCA: ca.cert });
    const logger = memoryLogger();
    try {
      const a = await start(
        [`--authentication-kubeconfig=${file}`, '--authentication-tolerate-lookup-failure=true'],
        { certificateReloadMs: 100, logger },
      );
      expect(await a.get(proxy, { 'X-Remote-User': 'hpa' })).toBe(200);
      api.adapterToken = 'rotated'; // every read refused from now on
      await waitFor(
        async () =>
          logger.lines.some(
            (l) =>
              l.msg === 'reading the certificates again failed; keeping the current ones' &&
              /unable to load configmap/.test(String(l.error)),
          ),
        10_000,
        () => 'the failed read was never logged',
      );
      expect(await a.get(proxy, { 'X-Remote-User': 'hpa' })).toBe(200);
      expect(await a.get(jane)).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe('TLS sessions', () => {
  /** One request on a fresh connection, offering `session` to resume; its status and session. */
  const once = (port: number, o: ConnectionOptions) =>
    new Promise<{ status: string; reused: boolean; session?: Buffer }>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ...o });
      let session: Buffer | undefined;
      let data = '';
      s.on('session', (x: Buffer) => (session = x));
      s.on('secureConnect', () =>
        s.write('GET /apis HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
      );
      s.on('data', (d: Buffer) => (data += d.toString()));
      s.on('end', () =>
        resolve({ status: data.split(' ')[1] ?? '', reused: s.isSessionReused(), session }),
      );
      s.on('error', reject);
    });

  it.each([['TLSv1.2' as const], ['TLSv1.3' as const]])(
    'are never resumed (%s), so a chained client certificate keeps its intermediates',
    async (version) => {
      const a = await start([`--client-ca-file=${ca.certFile}`]);
      const o = { ca: a.serving, ...ivan, maxVersion: version, minVersion: version };
      const first = await once(a.adapter.port, o);
      await new Promise((r) => setTimeout(r, 50));
      const second = await once(a.adapter.port, {
        ...o,
        ...(first.session ? { session: first.session } : {}),
      });
      expect([first.status, second.status, second.reused]).toEqual(['200', '200', false]);
    },
  );
});
