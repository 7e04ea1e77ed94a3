// Enough of a kubeconfig to reach one API server: the current context's cluster (server, CA,
// TLS server name) and user (client certificate, token or token file; none when the context
// names no user). Kubeconfigs carry many fields this
// adapter has no use for, so unknown fields are ignored, except those that say how to reach the
// server (an exec plugin, an auth provider, a proxy): those are refused. Missing, unreadable or
// mistyped fields (a number for a string, data that is not base64, a server that is not a URL)
// are errors naming the file and the field, as client-go's decoding makes them.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
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
  const name = reference(context, 'user', file);
  if (name === undefined) return {};
  return isObj(doc.users) || Array.isArray(doc.users) ? named(doc.users, name, 'user', file) : {};
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
 * A context's cluster or user name: a string, as client-go's Context fields are (a mapping or a
 * list there is a decoding error, and once threw a TypeError here when turned into a name).
 */
function reference(context: Obj, field: 'cluster' | 'user', file: string): string | undefined {
  const v = context[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new KubeconfigError(file, `context.${field} must be a name, got ${describe(v)}`);
  return v;
}

/**
 * A string field, absent when missing, null or empty (client-go's `len(x) == 0`); any other type
 * is an error naming it, as client-go's decoding makes it.
 */
function stringField(from: Obj, where: string, field: string, file: string): string | undefined {
  const v = from[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new KubeconfigError(file, `${where}.${field} must be a string, got ${describe(v)}`);
  return v;
}

const parseUrl = (s: string): URL | undefined => {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
};

/**
 * The server URL as client-go's DefaultServerURL reads it: a scheme (in any case, as Go's
 * url.Parse lower-cases it) and a host are kept; a bare host or host:port (`10.0.0.1:6443`,
 * `kubernetes.default.svc`) is https when the connection has TLS settings (a CA, a client
 * certificate, insecure-skip-tls-verify), else http. A bare host with a path is left as given,
 * for the check that refuses it (client-go: "host must be a URL or a host:port pair").
 */
function withScheme(server: string, tls: boolean): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?=[^/?#])/.exec(server)?.[1];
  if (scheme) return scheme.toLowerCase() + server.slice(scheme.length);
  const bare = `${tls ? 'https' : 'http'}://${server}`;
  const url = parseUrl(bare);
  return url && (url.pathname === '' || url.pathname === '/') ? bare : server;
}

/** Standard base64 with padding, as Go's encoding/json decodes a []byte (it skips \r and \n). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function parseKubeconfig(text: string, file: string): KubeConnection {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeconfigError(file, `not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!isObj(doc)) throw new KubeconfigError(file, 'must be a mapping');
  const contextName = doc['current-context'];
  if (contextName === undefined || contextName === null || contextName === '') {
    throw new KubeconfigError(file, 'current-context is not set');
  }
  if (typeof contextName !== 'string')
    throw new KubeconfigError(file, `current-context must be a name, got ${describe(contextName)}`);
  const context = named(doc.contexts, contextName, 'context', file);
  const clusterName = reference(context, 'cluster', file);
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
  const pem = (
    where: 'cluster' | 'user',
    dataField: string,
    fileField: string,
    from: Obj,
  ): string | undefined => {
    const data = stringField(from, where, dataField, file);
    const path = stringField(from, where, fileField, file);
    // Buffer.from would decode anything, and a mangled CA would surface later as a TLS error
    // naming neither the file nor the field.
    if (data !== undefined) {
      if (!BASE64.test(data.replace(/[\r\n]/g, '')))
        throw new KubeconfigError(file, `${where}.${dataField} is not base64`);
      return Buffer.from(data, 'base64').toString('utf8');
    }
    return path === undefined ? undefined : read(fileField, path);
  };
  // Ways of reaching the server this adapter does not take: ignored, its requests would go out
  // without credentials or past the proxy, and fail later as something else.
  for (const [field, from] of [
    ['exec', user],
    ['auth-provider', user],
    ['username', user],
    ['proxy-url', cluster],
  ] as const) {
    if (from[field] !== undefined && from[field] !== null && from[field] !== '')
      throw new KubeconfigError(
        file,
        `${field} is not supported here: give the user a token, tokenFile or client certificate, and the cluster a server this adapter reaches directly`,
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
    const token = stringField(user, 'user', 'token', file);
    const tokenFile = stringField(user, 'user', 'tokenFile', file);
    if (tokenFile === undefined) return token === undefined ? {} : { token };
    const fromFile =
      token === undefined ? read('tokenFile', tokenFile).trim() : readTrimmed(fullPath(tokenFile));
    return { token: fromFile || token, tokenFile: fullPath(tokenFile) };
  };
  const tlsServerName = stringField(cluster, 'cluster', 'tls-server-name', file);
  const insecure = cluster['insecure-skip-tls-verify'];
  if (insecure !== undefined && insecure !== null && typeof insecure !== 'boolean')
    throw new KubeconfigError(
      file,
      `cluster.insecure-skip-tls-verify must be true or false, got ${describe(insecure)}`,
    );
  const ca = pem('cluster', 'certificate-authority-data', 'certificate-authority', cluster);
  const cert = pem('user', 'client-certificate-data', 'client-certificate', user);
  const key = pem('user', 'client-key-data', 'client-key', user);
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
  if (ca !== undefined && insecure === true)
    throw new KubeconfigError(
      file,
      'cluster has both a certificate-authority(-data) and insecure-skip-tls-verify: true, which client-go refuses (specifying a root certificates file with the insecure flag is not allowed): remove one',
    );
  const given = stringField(cluster, 'cluster', 'server', file);
  const server =
    given === undefined
      ? undefined
      : withScheme(given, ca !== undefined || cert !== undefined || insecure === true);
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
  return {
    server: server.replace(/\/+$/, ''),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
    ca,
    cert,
    key,
    ...bearer(),
    insecureSkipTlsVerify: insecure === true,
  };
}

export const loadKubeconfig = (file: string): KubeConnection => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfig(text, file);
};
