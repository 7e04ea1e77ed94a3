// parseKubeconfig against kubeconfigs a generator builds and knows the meaning of, against the
// same kubeconfigs with one thing broken, and against anything at all. client-go's clientcmd is
// the reference: string fields that are missing, null or empty are unset; a field of the wrong
// type, data that is not base64 and a server that is not a URL are errors, here naming the file
// and the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, strictEqual, deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { createPki } from '../testing/pki';
import { KubeconfigError, parseKubeconfig, type KubeConnection } from './kubeconfig';

let dir: string;
let file: string;

/**
 * The PEMs a kubeconfig's data fields hold, inline or in files beside it: a CA, and a client
 * certificate with its key (parseKubeconfig parses them, as client-go's TLSConfigFor does).
 */
const PEMS = { ca: '', cert: '', key: '' };
/** Files beside the kubeconfig that its paths may name, and what they hold. */
const FILES: Record<string, string> = {};

beforeAll(() => {
  const pki = createPki();
  const ca = pki.ca('ca');
  const client = pki.client(ca, 'jane', '/CN=jane');
  Object.assign(PEMS, { ca: ca.cert, cert: client.cert, key: client.key });
  pki.remove();
  Object.assign(FILES, {
    'ca.crt': PEMS.ca,
    'client.crt': PEMS.cert,
    'client.key': PEMS.key,
    token: '  token-from-file \n',
    'empty-token': '\n',
  });
  dir = mkdtempSync(join(tmpdir(), 'beacon-kubeconfig-prop-'));
  file = join(dir, 'kubeconfig');
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Obj = Record<string, unknown>;

/**
 * Where a PEM comes from: inline base64 data (its field's PEM, or "" for none), a file
 * (relative or absolute), or nowhere.
 */
type Source =
  | { kind: 'data'; text: '' | 'pem' }
  | { kind: 'file'; name: string; absolute: boolean }
  | { kind: 'none' };

const source = (...names: string[]): fc.Arbitrary<Source> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('data' as const),
      text: fc.constantFrom('' as const, 'pem' as const),
    }),
    fc.record({
      kind: fc.constant('file' as const),
      name: fc.constantFrom(...names),
      absolute: fc.boolean(),
    }),
    fc.constant({ kind: 'none' as const }),
  );

const name = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.constantFrom('null', 'true', '123', '~', 'a: b', '- x', '__proto__', 'toString'),
);

/** A kubeconfig's meaning: what the generator put where. */
interface Model {
  readonly context: string;
  readonly cluster: string;
  readonly user?: string;
  readonly decoys: readonly string[];
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port?: number;
  readonly path: string;
  readonly slashes: number;
  readonly tlsServerName?: string;
  readonly insecure?: boolean | null;
  readonly ca: Source;
  readonly cert: Source;
  readonly key: Source;
  readonly token?: string;
  readonly tokenFile?: { name: string; absolute: boolean };
  readonly json: boolean;
}

/** A PEM field that is set: a file, or data that is not empty (empty data is unset). */
const given = (s: Source) => s.kind === 'file' || (s.kind === 'data' && s.text !== '');

const model: fc.Arbitrary<Model> = fc
  .uniqueArray(name, { minLength: 3, maxLength: 6 })
  .chain(([context, cluster, user, ...decoys]) =>
    fc.record({
      context: fc.constant(context as string),
      cluster: fc.constant(cluster as string),
      user: fc.option(fc.constant(user as string), { nil: undefined }),
      decoys: fc.constant(decoys),
      scheme: fc.constantFrom('http' as const, 'https' as const),
      host: fc.oneof(
        fc.domain(),
        fc.ipV4(),
        fc.ipV6().map((ip) => `[${ip}]`),
        fc.constantFrom('localhost', 'kubernetes.default.svc'),
      ),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.constantFrom('', '/k8s/clusters/c-1', '/prefix'),
      slashes: fc.nat({ max: 2 }),
      tlsServerName: fc.option(fc.oneof(fc.domain(), fc.constant('')), { nil: undefined }),
      insecure: fc.constantFrom(undefined, true, false, null),
      ca: source('ca.crt'),
      cert: source('client.crt'),
      key: source('client.key'),
      token: fc.option(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constant('')), {
        nil: undefined,
      }),
      tokenFile: fc.option(
        fc.record({
          name: fc.constantFrom('token', 'empty-token', 'missing-token'),
          absolute: fc.boolean(),
        }),
        { nil: undefined },
      ),
      json: fc.boolean(),
    }),
  )
  // A token file that cannot be read, with no token to fall back to, is an error: not valid;
  // so is a client certificate without its key, or a key without its certificate.
  .filter((m) => !(m.tokenFile?.name === 'missing-token' && !m.token))
  .filter((m) => given(m.cert) === given(m.key))
  // A CA together with insecure-skip-tls-verify: true is refused, as client-go's TLSConfigFor.
  .filter((m) => !(m.insecure === true && given(m.ca)))
  // Over plain http client-go uses no TLS setting or credential, and this adapter refuses
  // them: an http server comes without.
  .map((m): Model =>
    m.scheme === 'https'
      ? m
      : {
          ...m,
          ...{ tlsServerName: undefined, token: undefined, tokenFile: undefined },
          ...{ ca: { kind: 'none' }, cert: { kind: 'none' }, key: { kind: 'none' } },
          insecure: m.insecure === true ? false : m.insecure,
        },
  );

const pathOf = (f: { name: string; absolute: boolean }) =>
  f.absolute ? join(dir, f.name) : f.name;

/** A source's PEM, of the CA, the client certificate or its key. */
const pemOf = (s: Source, which: keyof typeof PEMS) =>
  s.kind === 'data' ? s.text && PEMS[which] : s.kind === 'file' ? FILES[s.name] : undefined;

function pemFields(s: Source, which: keyof typeof PEMS, dataField: string, fileField: string): Obj {
  if (s.kind === 'data') return { [dataField]: Buffer.from(pemOf(s, which)!).toString('base64') };
  if (s.kind === 'file') return { [fileField]: pathOf(s) };
  return {};
}

const serverOf = (m: Model) =>
  `${m.scheme}://${m.host}${m.port === undefined ? '' : `:${m.port}`}${m.path}`;

/** The kubeconfig document, as kubectl would write it (plus decoys and fields nobody reads). */
function documentOf(m: Model): Obj {
  const cluster: Obj = {
    server: serverOf(m) + '/'.repeat(m.slashes),
    ...(m.tlsServerName === undefined ? {} : { 'tls-server-name': m.tlsServerName }),
    ...(m.insecure === undefined ? {} : { 'insecure-skip-tls-verify': m.insecure }),
    ...pemFields(m.ca, 'ca', 'certificate-authority-data', 'certificate-authority'),
    extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'x' } }],
  };
  const user: Obj = {
    ...pemFields(m.cert, 'cert', 'client-certificate-data', 'client-certificate'),
    ...pemFields(m.key, 'key', 'client-key-data', 'client-key'),
    ...(m.token === undefined ? {} : { token: m.token }),
    ...(m.tokenFile === undefined ? {} : { tokenFile: pathOf(m.tokenFile) }),
  };
  const decoyCluster = { server: 'https://decoy.invalid', 'insecure-skip-tls-verify': true };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      ...m.decoys.map((d) => ({ name: d, cluster: decoyCluster })),
      { name: m.cluster, cluster },
    ],
    users: [
      ...m.decoys.map((d) => ({ name: d, user: { token: 'decoy-token' } })),
      ...(m.user === undefined ? [] : [{ name: m.user, user }]),
    ],
    contexts: [
      ...m.decoys.map((d) => ({ name: d, context: { cluster: d, user: d } })),
      {
        name: m.context,
        context: {
          cluster: m.cluster,
          ...(m.user === undefined ? {} : { user: m.user }),
          namespace: 'default',
        },
      },
    ],
    'current-context': m.context,
  };
}

// YAML 1.1, as parseKubeconfig reads it (a string `yes` is quoted).
const text = (m: Model, doc: Obj) =>
  m.json ? JSON.stringify(doc) : stringify(doc, { version: '1.1' });

/** What the generator means: the connection, written out from the model alone. */
function expectedOf(m: Model): KubeConnection {
  const pem = (s: Source, which: keyof typeof PEMS) => pemOf(s, which) || undefined;
  const withUser = m.user !== undefined;
  const token = withUser && m.token ? m.token : undefined;
  const tokenFile = withUser ? m.tokenFile : undefined;
  const fromFile = tokenFile && FILES[tokenFile.name]?.trim();
  return {
    server: serverOf(m),
    ...(m.tlsServerName ? { tlsServerName: m.tlsServerName } : {}),
    ca: pem(m.ca, 'ca'),
    cert: withUser ? pem(m.cert, 'cert') : undefined,
    key: withUser ? pem(m.key, 'key') : undefined,
    ...(tokenFile
      ? { token: fromFile || token, tokenFile: join(dir, tokenFile.name) }
      : token
        ? { token }
        : {}),
    insecureSkipTlsVerify: m.insecure === true,
  };
}

/** undefined-valued keys dropped, so that `{ca: undefined}` and `{}` compare equal. */
const defined = (o: object) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** parseKubeconfig's answer: the connection, or the KubeconfigError's message; anything else fails. */
function outcome(t: string): KubeConnection | string {
  try {
    return parseKubeconfig(t, file);
  } catch (err) {
    ok(err instanceof KubeconfigError, `threw ${String(err)}, not a KubeconfigError`);
    ok(err.message.startsWith(`kubeconfig ${file}: `), err.message);
    return err.message;
  }
}

const wrongType = fc.constantFrom<unknown>(42, true, ['a'], { a: 1 }, { toString: 1 }, 0.5);
const badBase64 = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.nat(),
    fc.constantFrom('!', '-', '_', ' ', '*', '%', '.'),
  )
  .map(([s, at, bad]) => {
    const b = Buffer.from(s).toString('base64');
    const i = at % (b.length + 1);
    return b.slice(0, i) + bad + b.slice(i);
  });
const unpadded = fc
  .string({ minLength: 1, maxLength: 20 })
  .map((s) => Buffer.from(s).toString('base64'))
  .filter((b) => b.endsWith('='))
  .map((b) => b.replace(/=+$/, ''));
const badServer = fc.constantFrom(
  'ftp://x',
  'https://',
  'http://',
  'https://exa mple.com',
  // A bare host:port is a URL to client-go's DefaultServerURL, but not one with a path.
  'h:6443/api',
  'kubernetes.default.svc/prefix',
  'https://h:6443?x=1',
  'https://h/#frag',
  'https://h:99999',
  'http//h',
  '',
);

interface Mutation {
  readonly apply: (doc: Obj) => void;
  /** A part of the error message: the field the error must name. */
  readonly error: string;
}

const clusterOf = (doc: Obj) => (doc.clusters as Obj[]).at(-1)?.cluster as Obj;
const contextOf = (doc: Obj) => (doc.contexts as Obj[]).at(-1)?.context as Obj;
const userOf = (doc: Obj) => (doc.users as Obj[]).at(-1)?.user as Obj;

const CLUSTER_STRINGS = [
  'server',
  'tls-server-name',
  'certificate-authority-data',
  'certificate-authority',
];
const USER_STRINGS = [
  'token',
  'tokenFile',
  'client-certificate-data',
  'client-certificate',
  'client-key-data',
  'client-key',
];

/** One thing broken in a valid kubeconfig, and what the error must name. */
const mutation = (m: Model): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...CLUSTER_STRINGS), wrongType).map(([field, v]) => ({
      apply: (doc: Obj) => void (clusterOf(doc)[field] = v),
      error: `cluster.${field} must be`,
    })),
    ...(m.user === undefined
      ? []
      : [
          fc.tuple(fc.constantFrom(...USER_STRINGS), wrongType).map(([field, v]) => ({
            apply: (doc: Obj) => void (userOf(doc)[field] = v),
            error: `user.${field} must be`,
          })),
          fc
            .tuple(
              fc.constantFrom('client-certificate-data', 'client-key-data'),
              fc.oneof(badBase64, unpadded),
            )
            .map(([field, v]) => ({
              apply: (doc: Obj) => void (userOf(doc)[field] = v),
              error: `user.${field} must be base64`,
            })),
          fc.constant({
            apply: (doc: Obj) => void (contextOf(doc).user = 'no-such-user'),
            error: 'no user named "no-such-user"',
          }),
        ]),
    fc.oneof(badBase64, unpadded).map((v) => ({
      apply: (doc: Obj) => void (clusterOf(doc)['certificate-authority-data'] = v),
      error: 'cluster.certificate-authority-data must be base64',
    })),
    badServer.map((v) => ({
      apply: (doc: Obj) => void (clusterOf(doc).server = v),
      error: 'cluster.server must be',
    })),
    fc.constant({
      apply: (doc: Obj) => void delete clusterOf(doc).server,
      error: 'cluster.server must be',
    }),
    fc.constantFrom('certificate-authority-data', 'certificate-authority').map((field) => ({
      apply: (doc: Obj) => {
        const cluster = clusterOf(doc);
        delete cluster['certificate-authority-data'];
        delete cluster['certificate-authority'];
        cluster[field] =
          field === 'certificate-authority' ? 'ca.crt' : Buffer.from('CA').toString('base64');
        cluster['insecure-skip-tls-verify'] = true;
      },
      // Over plain http, neither is used: refused as that.
      error:
        m.scheme === 'https'
          ? 'cluster has both a certificate-authority(-data) and insecure-skip-tls-verify: true'
          : 'is reached over plain http',
    })),
    fc.constantFrom<unknown>('true', 'yes', 1, [true]).map((v) => ({
      apply: (doc: Obj) => void (clusterOf(doc)['insecure-skip-tls-verify'] = v),
      error: 'cluster.insecure-skip-tls-verify must be true or false',
    })),
    fc.constant({
      apply: (doc: Obj) => void (doc['current-context'] = 'no-such-context'),
      error: 'no context named "no-such-context"',
    }),
    fc.constant({
      apply: (doc: Obj) => void delete doc['current-context'],
      error: 'current-context is not set',
    }),
    fc.constant({
      apply: (doc: Obj) => void (contextOf(doc).cluster = 'no-such-cluster'),
      error: 'no cluster named "no-such-cluster"',
    }),
    fc.constant({
      apply: (doc: Obj) => void delete contextOf(doc).cluster,
      error: 'names no cluster',
    }),
    fc.tuple(fc.constantFrom('cluster', 'user'), wrongType).map(([field, v]) => ({
      apply: (doc: Obj) => void (contextOf(doc)[field] = v),
      error: `context.${field} must be a string`,
    })),
    fc.constantFrom('clusters', 'contexts').map((list) => ({
      apply: (doc: Obj) => void delete doc[list],
      error: `no ${list.slice(0, -1)} named`,
    })),
    fc.constant({
      apply: (doc: Obj) => {
        contextOf(doc).user ??= 'added';
        if (contextOf(doc).user === 'added') (doc.users as Obj[]).push({ name: 'added', user: {} });
        const users = doc.users as Obj[];
        const target = users.find((u) => u.name === contextOf(doc).user)?.user as Obj;
        for (const other of ['username', 'token', 'tokenFile']) delete target[other];
        target.password = 's3cret';
      },
      error: 'a password but no username',
    }),
    fc.constantFrom('exec', 'auth-provider').map((field) => ({
      apply: (doc: Obj) => {
        // On the context's user, made if the context names none.
        contextOf(doc).user ??= 'added';
        if (contextOf(doc).user === 'added') (doc.users as Obj[]).push({ name: 'added', user: {} });
        const users = doc.users as Obj[];
        const target = users.find((u) => u.name === contextOf(doc).user)?.user as Obj;
        target[field] = { command: 'x', name: 'x' };
      },
      error: `${field} is not supported here`,
    })),
    fc.constant({
      apply: (doc: Obj) => void (clusterOf(doc)['proxy-url'] = 'http://proxy:3128'),
      error: 'proxy-url is not supported here',
    }),
  );

describe('parseKubeconfig (properties)', () => {
  it('reads a generated kubeconfig as the connection the generator means (1k cases)', () => {
    fc.assert(
      fc.property(model, (m) => {
        const got = outcome(text(m, documentOf(m)));
        ok(typeof got !== 'string', got as string);
        deepStrictEqual(defined(got), defined(expectedOf(m)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('rejects a generated kubeconfig with one field broken, naming the file and the field (1k cases)', () => {
    fc.assert(
      fc.property(
        model.chain((m) => fc.tuple(fc.constant(m), mutation(m))),
        ([m, mut]) => {
          const doc = structuredClone(documentOf(m));
          mut.apply(doc);
          const got = outcome(text(m, doc));
          strictEqual(typeof got, 'string', `accepted: ${JSON.stringify(got)}`);
          ok((got as string).includes(mut.error), `${got as string} does not name ${mut.error}`);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('treats null and empty optional fields as unset, as client-go does (1k cases)', () => {
    const optional = [
      ['cluster', 'tls-server-name'],
      ['cluster', 'certificate-authority-data'],
      ['cluster', 'certificate-authority'],
      ['cluster', 'insecure-skip-tls-verify'],
      ['cluster', 'proxy-url'],
      ['user', 'token'],
      ['user', 'tokenFile'],
      ['user', 'client-certificate-data'],
      ['user', 'client-key'],
      ['user', 'exec'],
      ['context', 'user'],
    ] as const;
    fc.assert(
      fc.property(
        model
          .filter((m) => m.user !== undefined)
          .map((m) => ({ ...m, token: undefined, tokenFile: undefined })),
        fc.constantFrom(...optional),
        fc.constantFrom(null, ''),
        (m, [where, field], empty) => {
          fc.pre(!(field === 'insecure-skip-tls-verify' && empty === ''));
          const doc = structuredClone(documentOf(m));
          const target =
            where === 'cluster' ? clusterOf(doc) : where === 'user' ? userOf(doc) : contextOf(doc);
          target[field] = empty;
          const unset: Model = {
            ...m,
            ...(field === 'tls-server-name' ? { tlsServerName: undefined } : {}),
            ...(field.startsWith('certificate-authority') && m.ca.kind !== 'none'
              ? {
                  ca:
                    field ===
                    (m.ca.kind === 'data' ? 'certificate-authority-data' : 'certificate-authority')
                      ? { kind: 'none' }
                      : m.ca,
                }
              : {}),
            ...(field === 'insecure-skip-tls-verify' ? { insecure: undefined } : {}),
            ...(field === 'client-certificate-data' && m.cert.kind === 'data'
              ? { cert: { kind: 'none' } }
              : {}),
            ...(field === 'client-key' && m.key.kind === 'file' ? { key: { kind: 'none' } } : {}),
            ...(field === 'user' ? { user: undefined } : {}),
          };
          const got = outcome(text(m, doc));
          // One of a certificate and its key cleared leaves the other alone: refused.
          if (unset.user !== undefined && given(unset.cert) !== given(unset.key)) {
            ok(
              typeof got === 'string' && /user has a client (certificate|key) but no/.test(got),
              String(got),
            );
            return;
          }
          ok(typeof got !== 'string', got as string);
          deepStrictEqual(defined(got), defined(expectedOf(unset)));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  const vocabulary = fc.constantFrom(
    'current-context',
    'contexts',
    'clusters',
    'users',
    'name',
    'context',
    'cluster',
    'user',
    'server',
    'token',
    'insecure-skip-tls-verify',
    'certificate-authority-data',
    'client-key-data',
    'exec',
    '__proto__',
    'toString',
    'c',
  );
  const shaped: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<unknown>(
        'c',
        'https://x',
        'aGk=',
        null,
        true,
        1,
        '',
        [],
        {},
        { toString: 1 },
      ),
      fc.jsonValue({ maxDepth: 1 }),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(vocabulary, tie('value'), { maxKeys: 5 }),
    ),
  })).value;

  it('answers any kubeconfig-shaped YAML with a connection or a KubeconfigError (5k cases)', () => {
    fc.assert(
      fc.property(shaped, fc.boolean(), (doc, json) => {
        const got = outcome(json ? (JSON.stringify(doc) ?? '') : stringify(doc));
        if (typeof got !== 'string') ok(/^https?:\/\/[^/]/.test(got.server), got.server);
      }),
      { numRuns: 5_000 },
    );
  });

  it('answers any text with a connection or a KubeconfigError (5k cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({
            unit: fc.constantFrom(
              ':',
              '-',
              ' ',
              '\n',
              '{',
              '}',
              '[',
              ']',
              'a',
              '&',
              '*',
              '!',
              '"',
              "'",
              '#',
              '|',
              '>',
              '%',
            ),
          }),
        ),
        (t) => void outcome(t),
      ),
      { numRuns: 5_000 },
    );
  });
});
