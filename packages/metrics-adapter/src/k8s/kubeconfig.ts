// Enough of a kubeconfig to reach one API server: the current context's cluster (server, CA,
// TLS server name) and user (client certificate, token or token file; none when the context
// names no user). Kubeconfigs carry many fields this
// adapter has no use for, so unknown fields are ignored, except those that say how to reach the
// server (an exec plugin, an auth provider, a proxy): those are refused. Missing or unreadable
// required fields are errors naming the file and the field.
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
  const name = context.user;
  if (name === undefined || name === null || name === '') return {};
  return isObj(doc.users) || Array.isArray(doc.users)
    ? named(doc.users, String(name), 'user', file)
    : {};
}

const nonEmptyString = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

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
  if (typeof contextName !== 'string' || !contextName) {
    throw new KubeconfigError(file, 'current-context is not set');
  }
  const context = named(doc.contexts, contextName, 'context', file);
  const cluster = named(doc.clusters, String(context.cluster), 'cluster', file);
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
    if (typeof from[dataField] === 'string')
      return Buffer.from(from[dataField] as string, 'base64').toString('utf8');
    if (typeof from[fileField] === 'string') return read(fileField, from[fileField]);
    return undefined;
  };
  // Ways of reaching the server this adapter does not take: ignored, its requests would go out
  // without credentials or past the proxy, and fail later as something else.
  for (const [field, from] of [
    ['exec', user],
    ['auth-provider', user],
    ['username', user],
    ['proxy-url', cluster],
  ] as const) {
    if (from[field] !== undefined)
      throw new KubeconfigError(
        file,
        `${field} is not supported here: give the user a token, tokenFile or client certificate, and the cluster a server this adapter reaches directly`,
      );
  }
  const server = cluster.server;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server)) {
    throw new KubeconfigError(
      file,
      `cluster.server must be an http(s) URL, got ${JSON.stringify(server)}`,
    );
  }
  /**
   * The bearer token. A tokenFile wins over a static token and is read again as it rotates:
   * client-go keeps both, and its refreshing round tripper sends the file's token, falling back
   * to the static one only while the file cannot be read.
   */
  const bearer = (): Pick<KubeConnection, 'token' | 'tokenFile'> => {
    const token = nonEmptyString(user.token);
    const tokenFile = nonEmptyString(user.tokenFile);
    if (tokenFile === undefined) return token === undefined ? {} : { token };
    const fromFile =
      token === undefined ? read('tokenFile', tokenFile).trim() : readTrimmed(fullPath(tokenFile));
    return { token: fromFile || token, tokenFile: fullPath(tokenFile) };
  };
  const tlsServerName = nonEmptyString(cluster['tls-server-name']);
  return {
    server: server.replace(/\/+$/, ''),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
    ca: pem('certificate-authority-data', 'certificate-authority', cluster),
    cert: pem('client-certificate-data', 'client-certificate', user),
    key: pem('client-key-data', 'client-key', user),
    ...bearer(),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
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
