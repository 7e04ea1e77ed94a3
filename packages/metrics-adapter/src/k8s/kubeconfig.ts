// Enough of a kubeconfig to reach one API server: the current context's cluster (server, CA,
// TLS server name) and user (client certificate, token or token file, or basic auth's username
// and password; none when the context names no user). Kubeconfigs carry many fields this
// adapter has no use for, so unknown fields are ignored, except those that say how to reach the
// server (an exec plugin, an auth provider, a proxy): those are refused. Missing, unreadable or
// mistyped fields (a number for a string, data that is not base64, a server that is not a URL)
// are errors naming the file and the field, as client-go's decoding makes them.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parse } from 'yaml';

export interface KubeConnection {
  readonly server: string;
  /** The name the server's certificate is checked against (and sent as SNI), when not the URL's host. */
  readonly tlsServerName?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
  /** A token file, read again as it rotates (k8s/api.ts); its token wins over a static one. */
  readonly tokenFile?: string;
  /** Basic auth (a Prometheus behind a proxy that asks for it); never with a token. */
  readonly basic?: { readonly username: string; readonly password: string };
  readonly insecureSkipTlsVerify: boolean;
}

export class KubeconfigError extends Error {
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`kubeconfig ${file}: ${detail}`, options);
    this.name = 'KubeconfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function named(list: unknown, name: string, what: string, file: string): Obj {
  if (!Array.isArray(list)) {
    throw new KubeconfigError(
      file,
      `no ${what} named ${JSON.stringify(name)}: ${what}s is missing or not a list`,
    );
  }
  const found = list.find((e) => isObj(e) && e.name === name) as Obj | undefined;
  const inner = found?.[what];
  if (!isObj(inner)) throw new KubeconfigError(file, `no ${what} named ${JSON.stringify(name)}`);
  return inner;
}

/**
 * The current context's user. A context that names none sends no credentials, as client-go's
 * does (its ConfirmUsable accepts an empty auth info).
 */
function contextUser(doc: Obj, context: Obj, file: string): Obj {
  const name = stringOf(context, 'user');
  if (name === undefined) return {};
  return Array.isArray(doc.users) ? named(doc.users, name, 'user', file) : {};
}

const describe = (v: unknown): string =>
  Array.isArray(v)
    ? 'a list'
    : typeof v === 'object' && v !== null
      ? 'a mapping'
      : typeof v === 'string'
        ? JSON.stringify(v)
        : String(v);

/**
 * A string field, absent when missing, null or empty (client-go's `len(x) == 0`). Its type was
 * checked with the whole file (checkShape).
 */
const stringOf = (from: Obj, field: string): string | undefined =>
  typeof from[field] === 'string' && from[field] !== '' ? (from[field] as string) : undefined;

const parseUrl = (s: string): URL | undefined => {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
};

/**
 * The server URL as client-go reads it: a scheme (in any case, as Go's url.Parse lower-cases
 * it) and a host are kept; a bare host or host:port (`10.0.0.1:6443`, `kubernetes.default.svc`)
 * is http, as its ClientConfig decides before it reads any TLS setting. A bare host with a path
 * is left as given, for the check that refuses it (client-go: "host must be a URL or a
 * host:port pair").
 */
function withScheme(server: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?=[^/?#])/.exec(server)?.[1];
  if (scheme) return scheme.toLowerCase() + server.slice(scheme.length);
  const bare = `http://${server}`;
  const url = parseUrl(bare);
  return url && (url.pathname === '' || url.pathname === '/') ? bare : server;
}

/** Standard base64 with padding, as Go's encoding/json decodes a []byte (it skips \r and \n). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether a PEM bundle holds a certificate that parses, as Go's AppendCertsFromPEM asks. */
function parsesAsCertificate(bundle: string): boolean {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).some(
    (block) => {
      try {
        new X509Certificate(block);
        return true;
      } catch {
        return false;
      }
    },
  );
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The fields of client-go's v1 Cluster, AuthInfo and Context whose type decoding checks. */
const FIELD_TYPES: Readonly<Record<string, Readonly<Record<string, 'string' | 'bool' | 'bytes'>>>> =
  {
    cluster: {
      server: 'string',
      'tls-server-name': 'string',
      'insecure-skip-tls-verify': 'bool',
      'certificate-authority': 'string',
      'certificate-authority-data': 'bytes',
      'proxy-url': 'string',
      'disable-compression': 'bool',
    },
    user: {
      'client-certificate': 'string',
      'client-certificate-data': 'bytes',
      'client-key': 'string',
      'client-key-data': 'bytes',
      token: 'string',
      tokenFile: 'string',
      as: 'string',
      'as-uid': 'string',
      username: 'string',
      password: 'string',
    },
    context: { cluster: 'string', user: 'string', namespace: 'string' },
  };

/**
 * As client-go decodes the whole file before it picks the current context, an entry it would
 * not use is checked too: its name, and the type of each field above (a number or a mapping
 * where a string belongs, a quoted "true" where a boolean does, data that is not base64).
 */
function checkEntry(entry: unknown, list: string, i: number, file: string): void {
  const where = `${list}[${i}]`;
  if (!isObj(entry)) throw new KubeconfigError(file, `${where} must be a mapping`);
  if (entry.name !== undefined && entry.name !== null && typeof entry.name !== 'string')
    throw new KubeconfigError(file, `${where}.name must be a string, got ${describe(entry.name)}`);
  const kind = list.slice(0, -1);
  const inner = entry[kind];
  if (inner === undefined || inner === null) return;
  if (!isObj(inner)) throw new KubeconfigError(file, `${where}.${kind} must be a mapping`);
  for (const [field, type] of Object.entries(FIELD_TYPES[kind]!)) {
    const v = inner[field];
    if (v === undefined || v === null) continue;
    const wrong =
      type === 'bool'
        ? typeof v !== 'boolean'
        : typeof v !== 'string' || (type === 'bytes' && !BASE64.test(v.replace(/[\r\n]/g, '')));
    if (wrong)
      throw new KubeconfigError(
        file,
        `${where}.${kind}.${field} must be ${type === 'bool' ? 'true or false' : type === 'bytes' ? 'base64' : 'a string'}, got ${describe(v)}`,
      );
  }
}

/**
 * client-go's decoding refuses a version or kind other than its own ("no kind "Config" is
 * registered for version "v2""), a list naming two entries alike ("duplicate name"), and a
 * field of the wrong type in any entry.
 */
function checkShape(doc: Obj, file: string): void {
  for (const [field, want] of [
    ['apiVersion', 'v1'],
    ['kind', 'Config'],
  ] as const) {
    const v = doc[field];
    if (v !== undefined && v !== null && v !== '' && v !== want)
      throw new KubeconfigError(file, `${field} must be ${want}, got ${describe(v)}`);
  }
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    const entries = doc[list];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries))
      throw new KubeconfigError(file, `${list} must be a list, got ${describe(entries)}`);
    entries.forEach((entry, i) => checkEntry(entry, list, i, file));
    const names = entries.map((e: unknown) => (isObj(e) ? e.name : undefined));
    const twice = names.find((n, i) => typeof n === 'string' && names.indexOf(n) !== i);
    if (twice !== undefined)
      throw new KubeconfigError(file, `${list} has two entries named ${JSON.stringify(twice)}`);
  }
}

export function parseKubeconfig(text: string, file: string): KubeConnection {
  let doc: unknown;
  try {
    // YAML 1.1, as client-go's decoder (sigs.k8s.io/yaml, a fork of gopkg.in/yaml.v2) reads it:
    // `insecure-skip-tls-verify: yes` is true there.
    doc = parse(text, { version: '1.1' });
  } catch (err) {
    throw new KubeconfigError(file, `not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!isObj(doc)) throw new KubeconfigError(file, 'must be a mapping');
  checkShape(doc, file);
  const contextName = doc['current-context'];
  if (contextName === undefined || contextName === null || contextName === '') {
    throw new KubeconfigError(file, 'current-context is not set');
  }
  if (typeof contextName !== 'string')
    throw new KubeconfigError(file, `current-context must be a name, got ${describe(contextName)}`);
  const context = named(doc.contexts, contextName, 'context', file);
  const clusterName = stringOf(context, 'cluster');
  if (clusterName === undefined)
    throw new KubeconfigError(file, `context ${JSON.stringify(contextName)} names no cluster`);
  const cluster = named(doc.clusters, clusterName, 'cluster', file);
  const user = contextUser(doc, context, file);
  const base = dirname(file);
  const fullPath = (path: unknown) =>
    isAbsolute(String(path)) ? String(path) : resolve(base, String(path));
  const read = (field: string, path: unknown): string => {
    const full = fullPath(path);
    try {
      return readFileSync(full, 'utf8');
    } catch (err) {
      throw new KubeconfigError(file, `${field}: cannot read ${full}`, { cause: err });
    }
  };
  const pem = (dataField: string, fileField: string, from: Obj): string | undefined => {
    const data = stringOf(from, dataField);
    const path = stringOf(from, fileField);
    // Base64, checked with the whole file (checkShape).
    if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    return path === undefined ? undefined : read(fileField, path);
  };
  // Ways of reaching the server this adapter does not take: ignored, its requests would go out
  // without credentials or past the proxy, and fail later as something else.
  for (const [field, from] of [
    ['exec', user],
    ['auth-provider', user],
    ['proxy-url', cluster],
  ] as const) {
    if (from[field] !== undefined && from[field] !== null && from[field] !== '')
      throw new KubeconfigError(
        file,
        `${field} is not supported here: give the user a token, tokenFile, client certificate or username and password, and the cluster a server this adapter reaches directly`,
      );
  }
  // Impersonation: client-go's requests would act as the user named, this adapter's as the
  // kubeconfig's own, and be allowed or refused for someone else.
  for (const field of ['as', 'as-uid', 'as-groups', 'as-user-extra'] as const) {
    const v = user[field];
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
      throw new KubeconfigError(
        file,
        `user.${field} (impersonation) is not supported here: give the adapter a user of its own`,
      );
  }
  /**
   * The bearer token. A tokenFile wins over a static token and is read again as it rotates:
   * client-go keeps both, and its refreshing round tripper sends the file's token, falling back
   * to the static one only while the file cannot be read.
   */
  const bearer = (): Pick<KubeConnection, 'token' | 'tokenFile'> => {
    const token = stringOf(user, 'token');
    const tokenFile = stringOf(user, 'tokenFile');
    if (tokenFile === undefined) return token === undefined ? {} : { token };
    const fromFile =
      token === undefined ? read('tokenFile', tokenFile).trim() : readTrimmed(fullPath(tokenFile));
    return { token: fromFile || token, tokenFile: fullPath(tokenFile) };
  };
  /** A username or password: both are kept, as client-go's getUserIdentificationPartialConfig. */
  const basicAuth = (): KubeConnection['basic'] => {
    const username = stringOf(user, 'username');
    const password = stringOf(user, 'password');
    if (!username && !password) return undefined;
    return { username: username ?? '', password: password ?? '' };
  };
  const tlsServerName = stringOf(cluster, 'tls-server-name');
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  const ca = pem('certificate-authority-data', 'certificate-authority', cluster);
  const cert = pem('client-certificate-data', 'client-certificate', user);
  const key = pem('client-key-data', 'client-key', user);
  const given = stringOf(cluster, 'server');
  const server = given === undefined ? undefined : withScheme(given);
  // Every request's URL is the server's with the path appended: it must parse, with a host, and
  // carry no query or fragment that the path would land in.
  const url = server === undefined ? undefined : parseUrl(server);
  if (
    server === undefined ||
    !url ||
    !/^https?:\/\//.test(server) ||
    !url.host ||
    url.search ||
    url.hash ||
    server.includes('#')
  ) {
    throw new KubeconfigError(
      file,
      `cluster.server must be an http(s) URL with a host and no query, or a host:port, got ${JSON.stringify(given ?? cluster.server)}`,
    );
  }
  const credentials = bearer();
  const basic = basicAuth();
  // As client-go's config validation (clientcmd's validateAuthInfo), before any request.
  if (basic !== undefined && (stringOf(user, 'token') ?? stringOf(user, 'tokenFile')) !== undefined)
    throw new KubeconfigError(
      file,
      'user has both a token and a username or password, which client-go refuses (more than one authentication method found; only one is allowed): remove one',
    );
  // client-go sends basic auth only with a username (rest.Config.HasBasicAuth): a password alone
  // would go out as no credentials at all.
  if (basic !== undefined && basic.username === '')
    throw new KubeconfigError(
      file,
      'user has a password but no username, and client-go sends no basic auth without one: give the username',
    );
  // client-go reads the user and the cluster's TLS settings only for an https server: over
  // http (`http://…`, or a bare host:port) it sends no token or certificate and checks no CA.
  // Sending them here, or taking https for it, would reach the server otherwise than it does.
  const settings = [
    ca !== undefined && 'a certificate-authority(-data)',
    (cert ?? key) !== undefined && 'a client certificate or key',
    credentials.token !== undefined && 'a token',
    basic !== undefined && 'a username or password',
    insecure && 'insecure-skip-tls-verify: true',
    tlsServerName !== undefined && 'a tls-server-name',
  ].filter(Boolean);
  if (url.protocol === 'http:' && settings.length)
    throw new KubeconfigError(
      file,
      `cluster.server ${JSON.stringify(given)} is reached over plain http, where client-go uses none of ${settings.join(', ')}: give the server as https://… if TLS is meant, or remove them`,
    );
  // As client-go's config validation: one without the other fails every TLS handshake later.
  if ((cert === undefined) !== (key === undefined))
    throw new KubeconfigError(
      file,
      cert === undefined
        ? 'user has a client key but no client-certificate(-data)'
        : 'user has a client certificate but no client-key(-data)',
    );
  // As client-go's TLSConfigFor: a CA to check the server against and an order not to check it
  // cannot both be meant ("specifying a root certificates file with the insecure flag is not
  // allowed"); taking either would connect other than the kubeconfig says.
  if (ca !== undefined && insecure)
    throw new KubeconfigError(
      file,
      'cluster has both a certificate-authority(-data) and insecure-skip-tls-verify: true, which client-go refuses (specifying a root certificates file with the insecure flag is not allowed): remove one',
    );
  // As client-go's TLSConfigFor, which fails before the first request: a CA with no certificate
  // in it, or a certificate and key that are not PEM or not a pair, named here rather than as
  // a TLS error on the first request.
  if (ca !== undefined && !parsesAsCertificate(ca))
    throw new KubeconfigError(
      file,
      'cluster.certificate-authority(-data) holds no PEM certificate',
    );
  if (cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      throw new KubeconfigError(
        file,
        `user's client certificate and key are not a PEM pair: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return {
    server: server.replace(/\/+$/, ''),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
    ca,
    cert,
    key,
    ...credentials,
    ...(basic === undefined ? {} : { basic }),
    insecureSkipTlsVerify: insecure,
  };
}

/** The Authorization header value of `conn`'s basic auth (RFC 7617), as client-go sends it. */
export const basicAuthorization = ({ username, password }: NonNullable<KubeConnection['basic']>) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

export const loadKubeconfig = (file: string): KubeConnection => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfig(text, file);
};
