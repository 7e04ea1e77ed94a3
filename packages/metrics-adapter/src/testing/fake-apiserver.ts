// Test support: a small stand-in for kube-apiserver (none runs on these machines). It answers
// over HTTPS with bodies in the exact shape kube-apiserver sends (testdata/kube/*.json, written
// from real responses): SubjectAccessReview and TokenReview decided by data-driven tables, pod
// lists, and watch streams the test feeds event by event.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Pair } from './pki';

const TESTDATA = join(__dirname, '..', '..', 'testdata', 'kube');
const recorded = (name: string) =>
  JSON.parse(readFileSync(join(TESTDATA, name), 'utf8')) as Record<string, unknown>;

export interface FakeApiServer {
  readonly url: string;
  /** Every request: method, path with query, parsed body. */
  readonly requests: { method: string; path: string; body?: unknown; authorization?: string }[];
  /** Sends one watch event line to every open watch on `/api/v1/pods`. */
  push(event: unknown): void;
  /** Ends every open watch (the server's watch timeout). */
  endWatches(): void;
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

export async function startFakeApiServer(o: FakeApiOptions): Promise<FakeApiServer> {
  const requests: FakeApiServer['requests'] = [];
  const watches = new Set<ServerResponse>();
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
      const json = (code: number, value: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${o.adapterToken}`) {
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
      if (req.method === 'GET' && path === '/api/v1/pods')
        return json(200, recorded('podlist.json'));
      if (
        req.method === 'GET' &&
        path === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication' &&
        o.clusterAuth
      ) {
        const cm = recorded('configmap-extension-apiserver-authentication.json') as {
          data: Record<string, string>;
        };
        cm.data['client-ca-file'] = o.clusterAuth.clientCA;
        cm.data['requestheader-client-ca-file'] = o.clusterAuth.requestHeaderCA;
        return json(200, cm);
      }
      if (req.method === 'GET' && path.startsWith('/api/v1/pods?watch=1')) {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
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
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    push(event) {
      for (const w of watches) w.write(JSON.stringify(event) + '\n');
    },
    endWatches() {
      for (const w of watches) w.end();
    },
    openWatches: () => watches.size,
    async close() {
      for (const w of watches) w.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
