// Test support: a small stand-in for kube-apiserver (none runs on these machines). It answers
// over HTTPS with bodies in the exact shape kube-apiserver sends (testdata/kube/*.json, written
// from real responses): SubjectAccessReview and TokenReview decided by data-driven tables, pod
// and Argo Rollout lists (whole, or metadata only for `Accept: …;as=PartialObjectMetadataList`,
// in pages for `limit`/`continue`), API discovery of custom resources' groups (APIGroup) and
// versions (APIResourceList: Argo Rollouts, KEDA, cert-manager, prometheus-operator), and watch
// streams the test feeds event by event or that fail as the test says.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createPki, type Pair, type Pki } from './pki';

const TESTDATA = join(__dirname, '..', '..', 'testdata', 'kube');
const recorded = (name: string) =>
  JSON.parse(readFileSync(join(TESTDATA, name), 'utf8')) as Record<string, unknown>;

export interface FakeApiServer {
  readonly url: string;
  /** Every request: method, path with query, parsed body. */
  readonly requests: { method: string; path: string; body?: unknown; authorization?: string }[];
  /** Every request's path with query, Accept header, and arrival time (Date.now()). */
  readonly received: { path: string; accept?: string; at: number }[];
  /**
   * How a watch answers: `hold` stays open for `push`; `close` ends at once with no event;
   * `error` sends an ERROR event (a 500 Status) and ends.
   */
  watchMode: 'hold' | 'close' | 'error';
  /** A list's continue token is too old (410 Expired), as after etcd compacted its revision. */
  expireContinue: boolean;
  /** The version `GET /apis/argoproj.io` says is preferred (rollouts are served at v1alpha1). */
  argoVersion: string;
  /** The bearer token accepted now (at first the options'): any other is answered 401. */
  adapterToken: string;
  /**
   * The PEMs kube-system/extension-apiserver-authentication publishes now (at first the
   * options'); none, and the ConfigMap is not found.
   */
  clusterAuth: FakeApiOptions['clusterAuth'];
  /** Sends one watch event line to every open watch. */
  push(event: unknown): void;
  /** Ends every open watch (the server's watch timeout). */
  endWatches(): void;
  /** Cuts every open watch's connection mid-answer (no final chunk), as a restarting server. */
  resetWatches(): void;
  openWatches(): number;
  close(): Promise<void>;
}

export interface FakeApiOptions {
  readonly serving: Pair;
  /** `user verb resource` strings allowed by "RBAC", e.g. `jane get pods.custom.metrics.k8s.io`. */
  readonly allow: readonly string[];
  /** Bearer token → recorded TokenReview answer. */
  readonly tokens: Readonly<Record<string, string>>;
  /** Bearer token the adapter itself must present. */
  readonly adapterToken: string;
  /** PEMs published in kube-system/extension-apiserver-authentication. */
  readonly clusterAuth?: { readonly clientCA: string; readonly requestHeaderCA: string };
}

/** Collections by path: the whole list, and its metadata-only form. */
const COLLECTIONS: Record<string, { full: string; metadata: string }> = {
  '/api/v1/pods': { full: 'podlist.json', metadata: 'podlist-metadata.json' },
  '/apis/argoproj.io/v1alpha1/rollouts': {
    full: 'rolloutlist-metadata.json',
    metadata: 'rolloutlist-metadata.json',
  },
};

/** Discovery of custom resources' groups and versions, by path (argoproj.io: argoVersion). */
const DISCOVERY: Record<string, string> = {
  '/apis/keda.sh': 'apigroup-keda.sh.json',
  '/apis/keda.sh/v1alpha1': 'apiresourcelist-keda.sh-v1alpha1.json',
  '/apis/cert-manager.io': 'apigroup-cert-manager.io.json',
  '/apis/cert-manager.io/v1': 'apiresourcelist-cert-manager.io-v1.json',
  // Written from prometheus-operator's CRDs (names, shortNames, scope, status and scale
  // subresources, as its current Go types declare them), not captured: what the apiextensions
  // discovery controller serves for them, sorted by name, each storageVersionHash computed as it
  // computes one (checked against cert-manager's recorded ones). `prometheuses` is singular
  // `prometheus`. Five of the group's v1 CRDs (probes and thanosrulers left out); its v1beta1
  // and v1alpha1, which the APIGroup lists, answer 404 here.
  '/apis/monitoring.coreos.com': 'apigroup-monitoring.coreos.com.json',
  '/apis/monitoring.coreos.com/v1': 'apiresourcelist-monitoring.coreos.com-v1.json',
};

/**
 * A list as kube-apiserver pages it: `limit` items from the one the continue token names, with
 * the token of the rest (its form is opaque to clients; kube-apiserver's is base64 JSON too).
 */
function page(list: { metadata: Record<string, unknown>; items: unknown[] }, q: URLSearchParams) {
  const token = q.get('continue');
  const start = token
    ? (JSON.parse(Buffer.from(token, 'base64').toString()) as { start: number }).start
    : 0;
  const limit = Number(q.get('limit') ?? 0);
  const end = limit > 0 ? Math.min(list.items.length, start + limit) : list.items.length;
  const rest = list.items.length - end;
  const next = Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(list.metadata.resourceVersion), start: end }),
  ).toString('base64');
  return {
    ...list,
    metadata: {
      ...list.metadata,
      ...(rest > 0 ? { continue: next, remainingItemCount: rest } : {}),
    },
    items: list.items.slice(start, end),
  };
}

export async function startFakeApiServer(o: FakeApiOptions): Promise<FakeApiServer> {
  const requests: FakeApiServer['requests'] = [];
  const received: FakeApiServer['received'] = [];
  const watches = new Set<ServerResponse>();
  const state = {
    watchMode: 'hold',
    expireContinue: false,
    argoVersion: 'v1alpha1',
    adapterToken: o.adapterToken,
    clusterAuth: o.clusterAuth,
  } as Pick<
    FakeApiServer,
    'watchMode' | 'expireContinue' | 'argoVersion' | 'adapterToken' | 'clusterAuth'
  >;
  const server: Server = createServer({ cert: o.serving.cert, key: o.serving.key }, (req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      const path = req.url ?? '/';
      requests.push({
        method: req.method ?? '',
        path,
        ...(body ? { body } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      received.push({ path, accept: req.headers.accept, at: Date.now() });
      const url = new URL(path, 'https://fake');
      const json = (code: number, value: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${state.adapterToken}`) {
        return json(401, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        });
      }
      if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
        const spec = (body?.spec ?? {}) as {
          user?: string;
          resourceAttributes?: { verb: string; resource: string; group: string };
          nonResourceAttributes?: { verb: string; path: string };
        };
        const what = spec.resourceAttributes
          ? `${spec.resourceAttributes.resource}.${spec.resourceAttributes.group}`
          : spec.nonResourceAttributes?.path;
        const verb = spec.resourceAttributes?.verb ?? spec.nonResourceAttributes?.verb;
        const allowed = o.allow.includes(`${spec.user} ${verb} ${what}`);
        const answer = recorded(
          allowed ? 'subjectaccessreview-allowed.json' : 'subjectaccessreview-denied.json',
        );
        return json(201, { ...answer, spec });
      }
      if (req.method === 'POST' && path === '/apis/authentication.k8s.io/v1/tokenreviews') {
        const token = ((body?.spec ?? {}) as { token?: string }).token ?? '';
        const answer = recorded(o.tokens[token] ?? 'tokenreview-unauthenticated.json');
        return json(201, { ...answer, spec: { token } });
      }
      const collection = COLLECTIONS[url.pathname];
      if (req.method === 'GET' && collection && !url.searchParams.has('watch')) {
        if (url.searchParams.has('continue') && state.expireContinue)
          return json(410, recorded('status-continue-expired.json'));
        const metadataOnly = (req.headers.accept ?? '').includes('as=PartialObjectMetadataList');
        const list = recorded(metadataOnly ? collection.metadata : collection.full) as Parameters<
          typeof page
        >[0];
        return json(200, page(list, url.searchParams));
      }
      if (req.method === 'GET' && path === '/apis/argoproj.io') {
        const group = recorded('apigroup-argoproj.io.json');
        const version = {
          groupVersion: `argoproj.io/${state.argoVersion}`,
          version: state.argoVersion,
        };
        return json(200, { ...group, versions: [version], preferredVersion: version });
      }
      if (req.method === 'GET' && path === `/apis/argoproj.io/${state.argoVersion}`) {
        // The same resources at whichever version the group prefers: a version whose collection
        // this fake does not serve answers lists with a 404, as after a CRD's version moved.
        const list = recorded('apiresourcelist-argoproj.io-v1alpha1.json');
        return json(200, { ...list, groupVersion: `argoproj.io/${state.argoVersion}` });
      }
      const discovery = DISCOVERY[path];
      if (req.method === 'GET' && discovery) return json(200, recorded(discovery));
      if (
        req.method === 'GET' &&
        path === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication' &&
        state.clusterAuth
      ) {
        const cm = recorded('configmap-extension-apiserver-authentication.json') as {
          data: Record<string, string>;
        };
        cm.data['client-ca-file'] = state.clusterAuth.clientCA;
        cm.data['requestheader-client-ca-file'] = state.clusterAuth.requestHeaderCA;
        return json(200, cm);
      }
      if (req.method === 'GET' && collection && url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        if (state.watchMode === 'close') return res.end();
        if (state.watchMode === 'error')
          return res.end(JSON.stringify(recorded('watch-event-error-internal.json')) + '\n');
        res.flushHeaders();
        watches.add(res);
        res.on('close', () => watches.delete(res));
        return;
      }
      json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `the server could not find the requested resource`,
        reason: 'NotFound',
        code: 404,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    received,
    push(event: unknown) {
      for (const w of watches) w.write(JSON.stringify(event) + '\n');
    },
    endWatches() {
      for (const w of watches) w.end();
    },
    resetWatches() {
      for (const w of watches) w.destroy();
    },
    openWatches: () => watches.size,
    async close() {
      for (const w of watches) w.destroy();
      const closed = new Promise((r) => server.close(r));
      // A connection still in its TLS handshake now is not yet the HTTP server's to close: it
      // becomes one after, and a client asking every 100 ms (certificate reloads) kept it busy,
      // and close() waiting, for good (a test timed out at 300 s in CI). Closed as they come.
      server.closeAllConnections();
      const sweep = setInterval(() => server.closeAllConnections(), 50);
      await closed;
      clearInterval(sweep);
    },
  });
}

/**
 * The fake as the lister tests use it: serving as `kube-apiserver` under a CA of its own, with
 * the adapter's service-account token `adapter-sa-token`. Remove `pki` when done.
 */
export async function startFakeKubeApi(): Promise<{
  fake: FakeApiServer;
  caCert: string;
  pki: Pki;
}> {
  const pki = createPki();
  const ca = pki.ca('kube-ca');
  const fake = await startFakeApiServer({
    serving: pki.server(ca, 'kube-apiserver'),
    allow: [],
    tokens: {},
    adapterToken: 'adapter-sa-token',
  });
  return { fake, caCert: ca.cert, pki };
}
