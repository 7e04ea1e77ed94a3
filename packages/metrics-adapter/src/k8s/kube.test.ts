// The Kubernetes API clients — SubjectAccessReview, TokenReview, the pod watch — against a fake
// API server answering with kube-apiserver's response shapes (testdata/kube).
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subjectAccessReviewAuthorizer, tokenReviewAuthenticator } from '../auth/delegated';
import { AuthenticationError } from '../auth/types';
import { startFakeApiServer, type FakeApiServer } from '../testing/fake-apiserver';
import { createPki, type Pki } from '../testing/pki';
import { waitFor } from '../testing/prometheus';
import { createKubeApi, KubeApiError, type KubeApi } from './api';
import { inClusterConnection } from './in-cluster';
import { KubeconfigError, loadKubeconfig, parseKubeconfig } from './kubeconfig';
import { parseLabelSelector } from './label-selector';
import { collectionPath, kubeWatchLister, type WatchLister } from './watch-lister';

let pki: Pki;
let fake: FakeApiServer;
let api: KubeApi;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  pki = createPki();
  const ca = pki.ca('kube-ca');
  fake = await startFakeApiServer({
    serving: pki.server(ca, 'kube-apiserver'),
    allow: [
      'system:serviceaccount:kube-system:horizontal-pod-autoscaler get pods.custom.metrics.k8s.io',
    ],
    tokens: { 'hpa-token': 'tokenreview-authenticated.json' },
    adapterToken: 'adapter-sa-token',
  });
  dir = mkdtempSync(join(tmpdir(), 'beacon-kubeconfig-'));
  writeFileSync(join(dir, 'token'), 'adapter-sa-token\n');
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${fake.url}
    certificate-authority-data: ${Buffer.from(ca.cert).toString('base64')}
users:
- name: adapter
  user:
    tokenFile: token
contexts:
- name: test
  context: {cluster: test, user: adapter}
current-context: test
preferences: {}
`,
  );
  api = createKubeApi(loadKubeconfig(kubeconfig));
});

afterAll(async () => {
  api?.close();
  await fake?.close();
  pki?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const hpa = {
  name: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  groups: ['system:serviceaccounts'],
};
const podsAttrs = {
  kind: 'resource',
  verb: 'get',
  group: 'custom.metrics.k8s.io',
  version: 'v1beta2',
  resource: 'pods',
  subresource: 'websocket_connections',
  namespace: 'platform',
  name: '*',
} as const;

describe('kubeconfig', () => {
  it('reads the current context: server, CA data, token file relative to the kubeconfig', () => {
    const conn = loadKubeconfig(kubeconfig);
    expect(conn.server).toBe(fake.url);
    expect(conn.ca).toContain('BEGIN CERTIFICATE');
    expect(conn.token).toBe('adapter-sa-token');
  });

  it.each([
    ['current-context: x\n', 'kubeconfig k: no context named "x"'],
    ['{}', 'kubeconfig k: current-context is not set'],
    ['[', 'kubeconfig k: not YAML'],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: ftp://x}}]\nusers: [{name: u, user: {}}]\n',
      'cluster.server must be an http(s) URL',
    ],
    // What client-go would run or route through, and this adapter would silently not.
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n',
      'kubeconfig k: exec is not supported here',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {auth-provider: {name: gcp}}}]\n',
      'kubeconfig k: auth-provider is not supported here',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x, proxy-url: "http://proxy:3128"}}]\nusers: [{name: u, user: {token: t}}]\n',
      'kubeconfig k: proxy-url is not supported here',
    ],
    // Impersonation, which client-go would do and this adapter would silently not.
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {token: t, as: admin}}]\n',
      'kubeconfig k: user.as (impersonation) is not supported here',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {token: t, as-groups: [system:masters]}}]\n',
      'kubeconfig k: user.as-groups (impersonation) is not supported here',
    ],
    // A certificate without its key, or a key without its certificate, as client-go refuses.
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {client-certificate-data: Y2VydA==}}]\n',
      'kubeconfig k: user has a client certificate but no client-key(-data)',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {client-key-data: a2V5}}]\n',
      'kubeconfig k: user has a client key but no client-certificate(-data)',
    ],
    // Found by the property tests: a name that is not a string threw a TypeError, and data,
    // types and URLs client-go refuses were taken (a mangled CA failed later, naming nothing).
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: {toString: 1}}}]\n',
      'kubeconfig k: contexts[0].context.cluster must be a string, got a mapping',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x, certificate-authority-data: "not base64!"}}]\n',
      'kubeconfig k: clusters[0].cluster.certificate-authority-data must be base64, got "not base64!"',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: "https://exa mple"}}]\n',
      'kubeconfig k: cluster.server must be an http(s) URL',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: "https://x?a=1"}}]\n',
      'kubeconfig k: cluster.server must be an http(s) URL',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {token: 12345}}]\n',
      'kubeconfig k: users[0].user.token must be a string, got 12345',
    ],
    // client-go's TLSConfigFor: "specifying a root certificates file with the insecure flag is
    // not allowed"; the CA was ignored and the server not checked.
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x, certificate-authority-data: Q0E=, insecure-skip-tls-verify: true}}]\n',
      'kubeconfig k: cluster has both a certificate-authority(-data) and insecure-skip-tls-verify: true',
    ],
    [
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x, insecure-skip-tls-verify: "true"}}]\n',
      'kubeconfig k: clusters[0].cluster.insecure-skip-tls-verify must be true or false, got "true"',
    ],
    // Found by kubeconfig.oracle.test.ts, each refused by client-go v0.32.3 (its words in the
    // comment) and taken here until then.
    [
      // no kind "Config" is registered for version "v2"
      'apiVersion: v2\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x}}]\n',
      'kubeconfig k: apiVersion must be v1, got "v2"',
    ],
    [
      // duplicate name "k" in list
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x}}, {name: k, cluster: {server: https://y}}]\n',
      'kubeconfig k: clusters has two entries named "k"',
    ],
    [
      // cannot unmarshal number into Go struct field Cluster.clusters.cluster.server
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x}}, {name: unused, cluster: {server: 42}}]\n',
      'kubeconfig k: clusters[1].cluster.server must be a string, got 42',
    ],
    [
      // more than one authentication method found for u; found [token basicAuth]
      'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: u, user: {token: t, password: p}}]\n',
      'kubeconfig k: user has both a token and a username or password, which client-go refuses (more than one authentication method found; only one is allowed)',
    ],
    [
      // unable to load root certificates: unable to parse bytes as PEM block
      'current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: https://x, certificate-authority-data: aGVsbG8=}}]\n',
      'kubeconfig k: cluster.certificate-authority(-data) holds no PEM certificate',
    ],
  ])('rejects %j naming the problem', (text, message) => {
    expect(() => parseKubeconfig(text, 'k')).toThrow(KubeconfigError);
    expect(() => parseKubeconfig(text, 'k')).toThrow(message);
  });

  it.each([
    // client-go's ClientConfig: a bare host is http (decided before any TLS setting is read).
    ['localhost:8080', 'insecure-skip-tls-verify: false', 'http://localhost:8080'],
    ['kubernetes.default.svc', 'tls-server-name: ""', 'http://kubernetes.default.svc'],
    // Go's url.Parse lower-cases the scheme.
    [
      'HTTPS://api.example.com:6443/',
      'insecure-skip-tls-verify: false',
      'https://api.example.com:6443',
    ],
  ])('reads server %j (with %s) as %j, as client-go does', (server, tls, expected) => {
    const text = `current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "${server}", ${tls}}}]
`;
    expect(parseKubeconfig(text, 'k').server).toBe(expected);
  });

  // Found by kubeconfig.oracle.test.ts: these were read as https, where client-go v0.32.3's
  // RESTConfigFromKubeConfig reaches the server over plain http and uses none of the settings.
  it.each([
    ['10.0.0.1:6443', 'insecure-skip-tls-verify: true', 'insecure-skip-tls-verify: true'],
    ['kubernetes.default.svc', 'tls-server-name: kubernetes', 'a tls-server-name'],
    ['http://127.0.0.1:8001', 'insecure-skip-tls-verify: true', 'insecure-skip-tls-verify: true'],
  ])('refuses server %j with %s, which client-go reaches over plain http', (server, tls, named) => {
    const text = `current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "${server}", ${tls}}}]
`;
    expect(() => parseKubeconfig(text, 'k')).toThrow(
      `kubeconfig k: cluster.server ${JSON.stringify(server)} is reached over plain http, where client-go uses none of ${named}`,
    );
  });

  // client-go v0.32.3 reads this as insecure: true (found by kubeconfig.oracle.test.ts).
  it("reads YAML 1.1's yes as a boolean, as client-go's decoder does", () => {
    const text = `current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://x", insecure-skip-tls-verify: yes}}]
`;
    expect(parseKubeconfig(text, 'k').insecureSkipTlsVerify).toBe(true);
  });

  it('refuses a client certificate and key that are not a pair, as TLSConfigFor does', () => {
    const ca = pki.ca('pair-ca');
    const jane = pki.client(ca, 'pair-jane', '/CN=jane');
    const joe = pki.client(ca, 'pair-joe', '/CN=joe');
    const b64 = (pem: string) => Buffer.from(pem).toString('base64');
    const text = `current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://x"}}]
users: [{name: u, user: {client-certificate-data: ${b64(jane.cert)}, client-key-data: ${b64(joe.key)}}}]
`;
    expect(() => parseKubeconfig(text, 'k')).toThrow(
      "kubeconfig k: user's client certificate and key are not a PEM pair",
    );
  });

  it('takes null and empty fields as unset, as client-go does', () => {
    const text = `current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://x", certificate-authority-data: "", proxy-url: ""}}]
users: [{name: u, user: {exec: null, token: t, client-key: ""}}]
`;
    expect(parseKubeconfig(text, 'k')).toEqual({
      server: 'https://x',
      token: 't',
      insecureSkipTlsVerify: false,
    });
  });

  it('sends no credentials for a context that names no user, as client-go does', async () => {
    const text = `current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "${fake.url}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-this-one}}]
`;
    const conn = parseKubeconfig(text, 'k');
    expect(conn).toEqual({ server: fake.url, insecureSkipTlsVerify: true });
    const client = createKubeApi(conn);
    try {
      const before = fake.requests.length;
      await expect(client.json('GET', '/api/v1/pods')).rejects.toThrow('401 Unauthorized');
      expect(fake.requests[before]).toEqual({ method: 'GET', path: '/api/v1/pods' });
    } finally {
      client.close();
    }
  });

  it('takes the tokenFile over a static token, and the static one while the file is unreadable', () => {
    const user = (fields: string) => `current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://x"}}]
users: [{name: u, user: {${fields}}}]
`;
    const both = parseKubeconfig(user('token: static-token, tokenFile: token'), join(dir, 'k'));
    expect(both.token).toBe('adapter-sa-token');
    expect(both.tokenFile).toBe(join(dir, 'token'));
    const unreadable = parseKubeconfig(
      user('token: static-token, tokenFile: gone'),
      join(dir, 'k'),
    );
    expect(unreadable.token).toBe('static-token');
    expect(unreadable.tokenFile).toBe(join(dir, 'gone'));
  });
});

describe('tls-server-name', () => {
  // An API server reached by IP whose certificate names only its DNS name, as when a
  // kubeconfig points at a load balancer's address.
  let named: FakeApiServer;
  let ca: ReturnType<Pki['ca']>;

  beforeAll(async () => {
    ca = pki.ca('named-ca');
    named = await startFakeApiServer({
      serving: pki.server(ca, 'named-apiserver', 'DNS:kubernetes.default.svc'),
      allow: [],
      tokens: {},
      adapterToken: 'adapter-sa-token',
    });
  });
  afterAll(async () => {
    await named?.close();
  });

  const kubeconfigFor = (serverName: string) => `current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters:
- name: k
  cluster:
    server: ${named.url}
    certificate-authority-data: ${Buffer.from(ca.cert).toString('base64')}
${serverName}
users: [{name: u, user: {token: adapter-sa-token}}]
`;
  const podsVia = async (text: string) => {
    const client = createKubeApi(parseKubeconfig(text, 'k'));
    try {
      return await client.json<{ kind: string }>('GET', '/api/v1/pods');
    } finally {
      client.close();
    }
  };

  it("checks the server's certificate against tls-server-name, not the server URL's host", async () => {
    expect(
      parseKubeconfig(kubeconfigFor('    tls-server-name: kubernetes.default.svc'), 'k')
        .tlsServerName,
    ).toBe('kubernetes.default.svc');
    await expect(
      podsVia(kubeconfigFor('    tls-server-name: kubernetes.default.svc')),
    ).resolves.toMatchObject({ kind: 'PodList' });
    // Without it the certificate does not name 127.0.0.1, and the request is refused.
    await expect(podsVia(kubeconfigFor(''))).rejects.toThrow(
      "Hostname/IP does not match certificate's altnames",
    );
  });
});

describe('SubjectAccessReview authorizer', () => {
  it('asks the API server with the request attributes and follows its answer', async () => {
    const authorize = subjectAccessReviewAuthorizer(api);
    const before = fake.requests.length;
    const allowed = await authorize(hpa, podsAttrs);
    expect(allowed.allowed).toBe(true);
    expect(allowed.reason).toContain('RBAC: allowed by ClusterRoleBinding');
    const sent = fake.requests[before];
    expect(sent?.authorization).toBe('Bearer adapter-sa-token');
    expect(sent?.body).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: hpa.name,
        groups: hpa.groups,
        resourceAttributes: {
          verb: 'get',
          group: 'custom.metrics.k8s.io',
          version: 'v1beta2',
          resource: 'pods',
          subresource: 'websocket_connections',
          namespace: 'platform',
          name: '*',
        },
      },
    });
    const denied = await authorize({ name: 'jane', groups: [] }, podsAttrs);
    expect(denied.allowed).toBe(false);
  });

  it('caches a decision instead of asking again for every HPA poll', async () => {
    const authorize = subjectAccessReviewAuthorizer(api);
    await authorize(hpa, podsAttrs);
    const after = fake.requests.length;
    await authorize(hpa, podsAttrs);
    expect(fake.requests.length).toBe(after);
  });

  it('fails with the API server named when it cannot be reached', async () => {
    const down = createKubeApi({ server: 'https://127.0.0.1:1', insecureSkipTlsVerify: true });
    await expect(subjectAccessReviewAuthorizer(down)(hpa, podsAttrs)).rejects.toThrow(
      'https://127.0.0.1:1',
    );
    down.close();
  });
});

describe('TokenReview authenticator', () => {
  const req = (authorization?: string) =>
    ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

  it('maps a reviewed token to its user, and refuses a bad one', async () => {
    const authenticate = tokenReviewAuthenticator(api);
    expect(await authenticate(req('Bearer hpa-token'))).toEqual({
      name: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
      uid: '3b5d7f9a-1c2e-4f60-8a9b-0c1d2e3f4a5b',
      groups: [
        'system:serviceaccounts',
        'system:serviceaccounts:kube-system',
        'system:authenticated',
      ],
      extra: { 'authentication.kubernetes.io/pod-name': ['kube-controller-manager-node-1'] },
    });
    // Refused, as bearertoken.go's invalidToken: a 401, not a request without credentials.
    await expect(authenticate(req('Bearer stolen'))).rejects.toThrow(
      new AuthenticationError('invalid bearer token'),
    );
  });

  it('authenticates no one without a bearer token', async () => {
    expect(await tokenReviewAuthenticator(api)(req())).toBeUndefined();
    expect(await tokenReviewAuthenticator(api)(req('Basic hpa-token'))).toBeUndefined();
    expect(await tokenReviewAuthenticator(api)(req('Bearer '))).toBeUndefined();
  });

  it('matches the Bearer scheme case-insensitively, as upstream', async () => {
    const authenticate = tokenReviewAuthenticator(api);
    expect((await authenticate(req('bearer hpa-token')))?.name).toBe(
      'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
    );
    expect((await authenticate(req('BEARER hpa-token')))?.name).toBe(
      'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
    );
  });

  it('refuses the token (a 401, not a 500 nor anonymous) when the TokenReview cannot be made', async () => {
    const down = createKubeApi({ server: 'https://127.0.0.1:1', insecureSkipTlsVerify: true });
    const errors: unknown[] = [];
    const authenticate = tokenReviewAuthenticator(down, Date.now, (e) => errors.push(e));
    await expect(authenticate(req('Bearer hpa-token'))).rejects.toBeInstanceOf(AuthenticationError);
    expect(errors).toHaveLength(1);
    down.close();
  });
});

describe('pod watch lister', () => {
  let lister: WatchLister;
  afterEach(() => lister?.stop());
  const collab = parseLabelSelector('app=collab');
  const pod = (name: string, labels: Record<string, string>, rv: string) => ({
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace: 'platform', labels, resourceVersion: rv, uid: `uid-${name}` },
  });

  it('maps resources to their collection paths', () => {
    expect(collectionPath('pods')).toBe('/api/v1/pods');
    expect(collectionPath('deployments.apps')).toBe('/apis/apps/v1/deployments');
    expect(collectionPath('rollouts.argoproj.io', 'v1alpha1')).toBe(
      '/apis/argoproj.io/v1alpha1/rollouts',
    );
  });

  it('lists once, then follows the watch: added, relabelled and deleted pods', async () => {
    lister = kubeWatchLister(api, undefined, { random: () => 0.5 });
    expect([...(await lister.names('pods', 'platform', collab))].sort()).toEqual([
      'collab-7d9f8b6c5d-q8w2m',
      'collab-7d9f8b6c5d-x2x4z',
    ]);
    expect(await lister.names('pods', 'staging', collab)).toEqual(new Set(['collab-staging-0']));
    // Every pod there is: `pods/*` with no selector answers for these only (provider.ts).
    expect(lister.complete).toBe(true);
    expect(await lister.names('pods', 'staging', [])).toEqual(new Set(['collab-staging-0']));
    await waitFor(
      async () => fake.openWatches() > 0,
      5_000,
      () => 'no watch opened',
    );
    const watchPath = fake.requests
      .filter((r) => r.path.startsWith('/api/v1/pods?watch=1'))
      .pop()?.path;
    // timeoutSeconds: 300 s and half of it again (random 0.5), as client-go spreads watches.
    expect(watchPath).toBe(
      '/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=48213&timeoutSeconds=450',
    );

    fake.push({ type: 'ADDED', object: pod('collab-new', { app: 'collab' }, '48300') });
    fake.push({
      type: 'MODIFIED',
      object: pod('collab-7d9f8b6c5d-q8w2m', { app: 'draining' }, '48301'),
    });
    fake.push({
      type: 'DELETED',
      object: pod('collab-7d9f8b6c5d-x2x4z', { app: 'collab' }, '48302'),
    });
    await waitFor(
      async () => (await lister.names('pods', 'platform', collab)).has('collab-new'),
      5_000,
      () => 'the watch event did not arrive',
    );
    await waitFor(
      async () => (await lister.names('pods', 'platform', collab)).size === 1,
      5_000,
      () => 'the modified and deleted pods are still listed',
    );
  });

  it('reopens an ended watch from the last resourceVersion and relists on 410 Gone', async () => {
    const backoff = { initialMs: 10, capMs: 10, resetAfterMs: 60_000, factor: 2, jitter: 0 };
    lister = kubeWatchLister(api, undefined, { backoff });
    await lister.names('pods', 'platform', collab);
    await waitFor(
      async () => fake.openWatches() > 0,
      5_000,
      () => 'no watch opened',
    );
    fake.push({
      type: 'BOOKMARK',
      object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '50000' } },
    });
    await new Promise((r) => setTimeout(r, 100));
    const listPaths = () =>
      fake.requests
        .map((r) => r.path)
        .filter((p) => p.startsWith('/api/v1/pods?') && !p.includes('watch'));
    const lists = () => listPaths().length;
    const listed = lists();
    fake.endWatches();
    await waitFor(
      async () =>
        fake.requests.some((r) => r.path.includes('watch=1') && r.path.includes('=50000&')),
      5_000,
      () => 'the watch was not reopened from the bookmark',
    );
    await waitFor(
      async () => fake.openWatches() > 0,
      5_000,
      () => 'no watch reopened',
    );
    fake.push({
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'too old resource version: 50000 (52000)',
        reason: 'Expired',
        code: 410,
      },
    });
    fake.endWatches();
    await waitFor(
      async () => lists() > listed,
      5_000,
      () => 'no relist after 410 Gone',
    );
    // From the last resourceVersion seen, unpaged so that the watch cache can answer it.
    expect(listPaths().at(-1)).toBe('/api/v1/pods?resourceVersion=50000');
  });
});

describe('token files', () => {
  /** The bearer token each request sent, at clock `t` after the API was made. */
  async function sentTokens(conn: ReturnType<typeof loadKubeconfig>, file: string) {
    let clock = 1_000_000;
    const client = createKubeApi(conn, 10_000, () => clock);
    const sent = async (t: number) => {
      clock = 1_000_000 + t;
      const before = fake.requests.length;
      await client.json('GET', '/api/v1/pods').catch(() => undefined);
      return fake.requests[before]?.authorization;
    };
    try {
      const first = await sent(0);
      writeFileSync(file, 'rotated-token\n'); // the kubelet rotates the projected token
      const soon = await sent(30_000);
      const later = await sent(61_000);
      writeFileSync(file, ''); // mid-rotation: the last token is kept
      const empty = await sent(130_000);
      return [first, soon, later, empty];
    } finally {
      client.close();
    }
  }
  const expected = [
    'Bearer adapter-sa-token',
    'Bearer adapter-sa-token',
    'Bearer rotated-token',
    'Bearer rotated-token',
  ];

  it("reads a kubeconfig's tokenFile again each minute, as client-go does", async () => {
    const d = mkdtempSync(join(tmpdir(), 'beacon-tokenfile-'));
    try {
      writeFileSync(join(d, 'token'), 'adapter-sa-token\n');
      const text = readFileSync(kubeconfig, 'utf8');
      writeFileSync(join(d, 'kubeconfig'), text);
      const conn = loadKubeconfig(join(d, 'kubeconfig'));
      expect(await sentTokens(conn, join(d, 'token'))).toEqual(expected);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('reads a tokenFile given with a static token again each minute: the file wins', async () => {
    const d = mkdtempSync(join(tmpdir(), 'beacon-tokenfile-'));
    try {
      writeFileSync(join(d, 'token'), 'adapter-sa-token\n');
      const text = readFileSync(kubeconfig, 'utf8').replace(
        'tokenFile: token',
        'token: static-token\n    tokenFile: token',
      );
      writeFileSync(join(d, 'kubeconfig'), text);
      const conn = loadKubeconfig(join(d, 'kubeconfig'));
      expect(await sentTokens(conn, join(d, 'token'))).toEqual(expected);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('reads the token file again at once after a 401, as client-go resets its cached token', async () => {
    const d = mkdtempSync(join(tmpdir(), 'beacon-tokenfile-'));
    writeFileSync(join(d, 'token'), 'adapter-sa-token\n');
    writeFileSync(join(d, 'kubeconfig'), readFileSync(kubeconfig, 'utf8'));
    let clock = 1_000_000;
    const client = createKubeApi(loadKubeconfig(join(d, 'kubeconfig')), 10_000, () => clock);
    /** The token a GET sent at clock `t`, and the answer's status. */
    const sent = async (t: number) => {
      clock = 1_000_000 + t;
      const before = fake.requests.length;
      const status = await client.json('GET', '/api/v1/pods').then(
        () => 200,
        (err: unknown) => (err instanceof KubeApiError ? err.status : 0),
      );
      return [fake.requests[before]?.authorization, status];
    };
    try {
      expect(await sent(0)).toEqual(['Bearer adapter-sa-token', 200]);
      // The token is rotated and the old one is refused from now on (revoked, or expired).
      writeFileSync(join(d, 'token'), 'rotated-token\n');
      fake.adapterToken = 'rotated-token';
      expect(await sent(10_000)).toEqual(['Bearer adapter-sa-token', 401]);
      // Not a minute later: the very next request.
      expect(await sent(11_000)).toEqual(['Bearer rotated-token', 200]);
      expect(await sent(12_000)).toEqual(['Bearer rotated-token', 200]);
    } finally {
      fake.adapterToken = 'adapter-sa-token';
      client.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("reads the pod's service-account token again each minute", async () => {
    const sa = mkdtempSync(join(tmpdir(), 'beacon-sa-'));
    try {
      writeFileSync(join(sa, 'token'), 'adapter-sa-token\n');
      writeFileSync(join(sa, 'ca.crt'), loadKubeconfig(kubeconfig).ca ?? '');
      const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '1' };
      const conn = { ...inClusterConnection(env, sa)!, server: fake.url };
      expect(await sentTokens(conn, join(sa, 'token'))).toEqual(expected);
    } finally {
      rmSync(sa, { recursive: true, force: true });
    }
  });
});

describe('in-cluster connection', () => {
  it("is the pod's service account when KUBERNETES_SERVICE_HOST is set, else none", () => {
    const sa = mkdtempSync(join(tmpdir(), 'beacon-sa-'));
    writeFileSync(join(sa, 'token'), 'sa-token\n');
    writeFileSync(join(sa, 'ca.crt'), 'CA PEM');
    try {
      expect(
        inClusterConnection(
          { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
          sa,
        ),
      ).toEqual({
        server: 'https://10.96.0.1:443',
        token: 'sa-token',
        tokenFile: join(sa, 'token'),
        ca: 'CA PEM',
        insecureSkipTlsVerify: false,
      });
      expect(
        inClusterConnection(
          { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
          sa,
        )?.server,
      ).toBe('https://[fd00::1]:443');
      expect(inClusterConnection({}, sa)).toBeUndefined();
      // rest.InClusterConfig: ErrNotInCluster unless both KUBERNETES_SERVICE_HOST and _PORT are set.
      expect(inClusterConnection({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa)).toBeUndefined();
      expect(inClusterConnection({ KUBERNETES_SERVICE_PORT: '443' }, sa)).toBeUndefined();
    } finally {
      rmSync(sa, { recursive: true, force: true });
    }
  });
});
