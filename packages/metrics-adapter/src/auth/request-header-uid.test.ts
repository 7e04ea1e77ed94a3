// The front proxy's uid header (--requestheader-uid-headers, kube-apiserver 1.32 on) through the
// whole adapter: read from the headers the flag names and from nowhere else, as
// k8s.io/apiserver's requestheader authenticator reads it (headerValue: the first header with a
// value), and sent on as the SubjectAccessReview's spec.uid, as webhook.go fills the spec. The
// reviews go to the fake API server, which records each body it is sent.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../flags';
import { startAdapter, type RunningAdapter } from '../main';
import { startFakeApiServer, type FakeApiServer } from '../testing/fake-apiserver';
import { httpsGet } from '../testing/https';
import { createPki, type Pair, type Pki } from '../testing/pki';
import { writeTokenKubeconfig } from '../testing/kubeconfig';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const SAR_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const UID = '0c7f1a52-9d3e-4b8a-a1f6-5e2d9c4b7a10';

let pki: Pki;
let dir: string;
let ca: Pair; // client CA and front-proxy CA at once
let proxy: Pair;
let jane: Pair;
let kube: FakeApiServer;
let kubeconfig: string;
const adapters: RunningAdapter[] = [];

beforeAll(async () => {
  pki = createPki();
  dir = mkdtempSync(join(tmpdir(), 'beacon-uid-'));
  ca = pki.ca('cluster-ca');
  proxy = pki.client(ca, 'proxy', '/CN=front-proxy-client');
  jane = pki.client(ca, 'jane', '/CN=jane/O=dev');
  const kubeCa = pki.ca('kube-ca');
  kube = await startFakeApiServer({
    serving: pki.server(kubeCa, 'kube-apiserver'),
    allow: ['hpa get /apis', 'jane get /apis'],
    tokens: {},
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

/**
 * An adapter that trusts `ca` for client certificates and as the front proxy's (CN
 * front-proxy-client), asking the fake API server with a SubjectAccessReview; `get` sends one
 * request and answers its status and the review's spec it caused.
 */
async function start(args: string[]) {
  const certDir = mkdtempSync(join(dir, 'serving-'));
  const adapter = await startAdapter(
    parseFlags([
      '--prometheus-url=http://127.0.0.1:1',
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${certDir}`,
      `--client-ca-file=${ca.certFile}`,
      `--requestheader-client-ca-file=${ca.certFile}`,
      '--requestheader-allowed-names=front-proxy-client',
      `--authorization-kubeconfig=${kubeconfig}`,
      ...args,
    ]),
    { logger: quiet, inCluster: null, env: {} },
  );
  adapters.push(adapter);
  const serving = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
  return async (as: Pair, headers: Record<string, string | string[]>) => {
    const before = kube.requests.length;
    const { status } = await httpsGet(adapter.url + '/apis', {
      ca: serving,
      cert: as.cert,
      key: as.key,
      headers,
    });
    const reviews = kube.requests.slice(before).filter((r) => r.path === SAR_PATH);
    expect(reviews).toHaveLength(1);
    return { status, spec: (reviews[0]?.body as { spec: Record<string, unknown> }).spec };
  };
}

describe('--requestheader-uid-headers', () => {
  it("sends the front proxy's X-Remote-Uid as the SubjectAccessReview's spec.uid", async () => {
    const get = await start(['--requestheader-uid-headers=X-Remote-Uid']);
    const { status, spec } = await get(proxy, {
      'X-Remote-User': 'hpa',
      'X-Remote-Uid': UID,
      'X-Remote-Group': 'system:serviceaccounts',
    });
    expect(status).toBe(200);
    expect(spec).toEqual({
      user: 'hpa',
      uid: UID,
      groups: ['system:serviceaccounts', 'system:authenticated'],
      nonResourceAttributes: { path: '/apis', verb: 'get' },
    });
  });

  it('reads no uid without the flag: a sent X-Remote-Uid is not trusted', async () => {
    const get = await start([]);
    const { status, spec } = await get(proxy, { 'X-Remote-User': 'hpa', 'X-Remote-Uid': UID });
    expect(status).toBe(200);
    expect(spec).toEqual({
      user: 'hpa',
      groups: ['system:authenticated'],
      nonResourceAttributes: { path: '/apis', verb: 'get' },
    });
  });

  it('reads the headers it names only, the first with a value winning', async () => {
    const get = await start(['--requestheader-uid-headers=X-Proxy-Uid,X-Second-Uid']);
    const first = await get(proxy, {
      'X-Remote-User': 'hpa',
      'X-Remote-Uid': 'spoofed',
      'X-Proxy-Uid': 'uid-1',
      'X-Second-Uid': 'uid-2',
    });
    expect(first.spec).toMatchObject({ user: 'hpa', uid: 'uid-1' });
    // An empty first line passes to the next header, as http.Header.Get reads it.
    const second = await get(proxy, {
      'X-Remote-User': 'hpa',
      'X-Remote-Uid': 'spoofed',
      'X-Proxy-Uid': '',
      'X-Second-Uid': 'uid-2',
    });
    expect(second.spec).toMatchObject({ user: 'hpa', uid: 'uid-2' });
    const none = await get(proxy, { 'X-Remote-User': 'hpa', 'X-Remote-Uid': 'spoofed' });
    expect(none.spec).not.toHaveProperty('uid');
  });

  it('ignores the uid header from a client that is not the front proxy', async () => {
    const get = await start(['--requestheader-uid-headers=X-Remote-Uid']);
    const { status, spec } = await get(jane, { 'X-Remote-User': 'admin', 'X-Remote-Uid': UID });
    expect(status).toBe(200);
    expect(spec).toEqual({
      user: 'jane',
      groups: ['dev', 'system:authenticated'],
      nonResourceAttributes: { path: '/apis', verb: 'get' },
    });
  });
});
