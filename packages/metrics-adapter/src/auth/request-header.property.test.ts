// The front proxy's X-Remote-* headers, over real TLS from a front-proxy certificate, against
// k8s.io/apiserver's requestheader authenticator, whose rules the generator writes out:
// headerValue (each username header's first line, http.Header.Get; an empty one passes to the
// next header; the uid headers' the same way), allHeaderValues (every non-empty group line, headers in order) and newExtra
// (prefixes, then headers: the rest of the name lower-cased and url.PathUnescape'd, a malformed
// one kept as it is; every line, empty ones too).
import { X509Certificate } from 'node:crypto';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { serverTlsOptions } from '../tls';
import { httpsGet } from '../testing/https';
import { createPki, type Pair, type Pki } from '../testing/pki';
import { certificateAuthenticator } from './x509';

const USERNAME_HEADERS = ['X-Remote-User', 'X-Other-User'];
const UID_HEADERS = ['X-Remote-Uid', 'X-Other-Uid'];
const GROUP_HEADERS = ['X-Remote-Group', 'X-Other-Group'];
const EXTRA_PREFIXES = ['X-Remote-Extra-', 'X-Remote-Ex'];

let pki: Pki;
let ca: Pair;
let proxy: Pair;
let server: Server;
let url: string;
let agent: Agent;

beforeAll(async () => {
  pki = createPki();
  ca = pki.ca('front-proxy-ca');
  const serving = pki.server(ca, 'serving');
  proxy = pki.client(ca, 'front-proxy-client', '/CN=front-proxy-client');
  const authenticate = certificateAuthenticator({
    requestHeader: {
      cas: [new X509Certificate(ca.cert)],
      allowedNames: ['front-proxy-client'],
      usernameHeaders: USERNAME_HEADERS,
      uidHeaders: UID_HEADERS,
      groupHeaders: GROUP_HEADERS,
      extraHeaderPrefixes: EXTRA_PREFIXES,
    },
  });
  server = createServer(serverTlsOptions(serving, [ca.cert]), (req, res) => {
    void authenticate(req).then((user) => res.end(JSON.stringify(user ?? null)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});

afterAll(async () => {
  agent?.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  pki?.remove();
});

/** What url.PathUnescape makes of a key: bytes from %XX (as UTF-8, U+FFFD where not), or the key when an escape is malformed. */
function pathUnescape(key: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '%') {
      const hex = key.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return key;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(key[i] as string, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

// Header values as a proxy sends them: visible ASCII and inner spaces (parsers trim the ends).
const headerValue = fc.oneof(
  fc.constantFrom(
    '',
    'hpa',
    'system:serviceaccount:kube-system:hpa',
    'a, b',
    'cn=admins,ou=groups',
  ),
  fc
    .string({
      unit: fc.constantFrom('a', 'Z', '0', ':', ',', ' ', '%', '=', '/', '"', '~'),
      maxLength: 8,
    })
    .map((s) => s.trim()),
);
const extraKey = fc.oneof(
  fc.constantFrom(
    'scopes',
    'Foo%2FBar',
    'a%62',
    'ab',
    '%ff',
    '%zz',
    '%4',
    '__proto__',
    'x%E4%B8%AD',
  ),
  fc.string({
    unit: fc.constantFrom('a', 'B', '-', '%', '2', 'f', 'F', '_', '.'),
    minLength: 1,
    maxLength: 6,
  }),
);
const headerName = fc.oneof(
  fc.constantFrom(...USERNAME_HEADERS, ...UID_HEADERS, ...GROUP_HEADERS, 'X-Unrelated'),
  extraKey.map((k) => `X-Remote-Extra-${k}`),
  extraKey.map((k) => `x-remote-ex${k}`),
);
/** Header lines: each name (case-insensitively one header) with its values, in order. */
const headers = fc
  .array(fc.tuple(headerName, fc.array(headerValue, { minLength: 1, maxLength: 3 })), {
    maxLength: 6,
  })
  .map((pairs) => {
    const byName = new Map<string, string[]>();
    for (const [n, values] of pairs) {
      const lower = n.toLowerCase();
      byName.set(lower, [...(byName.get(lower) ?? []), ...values]);
    }
    return byName;
  });

function expectedUser(byName: Map<string, string[]>) {
  const get = (h: string) => byName.get(h.toLowerCase());
  const name = USERNAME_HEADERS.map((h) => get(h)?.[0] ?? '').find((v) => v !== '');
  if (!name) return null;
  const uid = UID_HEADERS.map((h) => get(h)?.[0] ?? '').find((v) => v !== '');
  const groups = GROUP_HEADERS.flatMap((h) => (get(h) ?? []).filter((v) => v !== ''));
  const extra: Record<string, string[]> = {};
  for (const prefix of EXTRA_PREFIXES)
    for (const [header, values] of byName)
      if (header.startsWith(prefix.toLowerCase())) {
        const key = pathUnescape(header.slice(prefix.length).toLowerCase());
        Object.defineProperty(extra, key, {
          value: [...(Object.hasOwn(extra, key) ? (extra[key] as string[]) : []), ...values],
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
  return {
    name,
    ...(uid ? { uid } : {}),
    groups,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** Extras' values sorted: Go ranges over a map of headers, so two headers' order is not fixed. */
const normalised = (user: unknown) => {
  const u = user as { extra?: Record<string, string[]> } | null;
  if (!u?.extra) return u;
  return {
    ...u,
    extra: Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v].sort()])),
  };
};

describe('front-proxy request headers (properties)', () => {
  it('name the user, uid, groups and extras as requestheader does (2k cases)', async () => {
    await fc.assert(
      fc.asyncProperty(headers, async (byName) => {
        const reply = await httpsGet(url, {
          ca: ca.cert,
          cert: proxy.cert,
          key: proxy.key,
          agent,
          headers: Object.fromEntries(byName),
        });
        deepStrictEqual(normalised(JSON.parse(reply.text)), normalised(expectedUser(byName)));
      }),
      { numRuns: 2_000 },
    );
  });
});

// Found by the property above: an empty first X-Remote-User line was skipped for the next line,
// a header two prefixes match counted for the first only, and a key escaping bytes that are not
// UTF-8 was kept escaped.
describe('front-proxy request headers (examples)', () => {
  it.each<[Record<string, string | string[]>, unknown]>([
    [{ 'X-Remote-User': ['', 'hpa'] }, null],
    [
      { 'X-Remote-User': ['', 'hpa'], 'X-Other-User': 'bob' },
      { name: 'bob', groups: [] },
    ],
    // The uid as the user: each header's first line; an empty one passes to the next header.
    [
      { 'X-Remote-User': 'hpa', 'X-Remote-Uid': ['', 'u-1'], 'X-Other-Uid': 'u-2' },
      { name: 'hpa', uid: 'u-2', groups: [] },
    ],
    [
      { 'X-Remote-User': 'hpa', 'X-Remote-Uid': ['u-1', 'u-3'], 'X-Other-Uid': 'u-2' },
      { name: 'hpa', uid: 'u-1', groups: [] },
    ],
    [{ 'X-Remote-Uid': 'u-1' }, null],
    [
      { 'X-Remote-User': 'hpa', 'X-Remote-Extra-Scopes': 'a', 'X-Remote-Extra-K%FF': 'b' },
      {
        name: 'hpa',
        groups: [],
        extra: { scopes: ['a'], 'k\uFFFD': ['b'], 'tra-scopes': ['a'], 'tra-k\uFFFD': ['b'] },
      },
    ],
  ])('%j', async (headers, expected) => {
    const reply = await httpsGet(url, {
      ca: ca.cert,
      cert: proxy.cert,
      key: proxy.key,
      agent,
      headers,
    });
    expect(JSON.parse(reply.text)).toEqual(expected);
  });
});
