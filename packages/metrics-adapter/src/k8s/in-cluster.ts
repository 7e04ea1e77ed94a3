// Running in a pod: the API server from KUBERNETES_SERVICE_HOST/PORT, the service account's
// token and CA — what prometheus-adapter (and every client-go program) uses when no kubeconfig
// is given. And the cluster's authentication settings, which kube-apiserver publishes in
// kube-system/extension-apiserver-authentication for aggregated API servers to read.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApi } from './api';
import type { KubeConnection } from './kubeconfig';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inClusterConnection(
  env: NodeJS.ProcessEnv = process.env,
  dir: string = SERVICE_ACCOUNT_DIR,
): KubeConnection | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(dir, 'token'))) return undefined;
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: readFileSync(join(dir, 'token'), 'utf8').trim(),
    // The kubelet rotates the projected token (about hourly): read again, as client-go does.
    tokenFile: join(dir, 'token'),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    insecureSkipTlsVerify: false,
  };
}

export interface ClusterAuthentication {
  readonly clientCA?: string;
  readonly requestHeader?: {
    readonly ca: string;
    readonly allowedNames: string[];
    readonly usernameHeaders: string[];
    readonly uidHeaders: string[];
    readonly groupHeaders: string[];
    readonly extraHeaderPrefixes: string[];
  };
}

const WHERE = 'extension-apiserver-authentication';
type Data = Record<string, unknown>;

/** A CA bundle's text, when the key is there. */
const text = (d: Data, key: string): string | undefined => {
  const v = d[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`${WHERE}: ${key} is not a string`);
  return v;
};

/**
 * A JSON list of strings, as kube-apiserver publishes them and k8s.io/apiserver's
 * deserializeStrings reads them: missing, empty or `null` is none (no default: the flags'
 * X-Remote-* defaults are not the ConfigMap's, so a ConfigMap without username headers lets no
 * front-proxy request name its user, and the proxy's certificate falls through to x509 as it does
 * upstream); anything else is an error naming the key (JSON.parse's own SyntaxError named neither
 * it nor the ConfigMap).
 */
const list = (d: Data, key: string): string[] => {
  const raw = text(d, key);
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`${WHERE}: ${key} ${JSON.stringify(raw)} is not a JSON list of strings`, {
      cause: err,
    });
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
    throw new Error(`${WHERE}: ${key} ${JSON.stringify(raw)} is not a JSON list of strings`);
  }
  return parsed;
};

export async function clusterAuthentication(api: KubeApi): Promise<ClusterAuthentication> {
  const cm = await api.json<{ data?: unknown } | null>(
    'GET',
    '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication',
  );
  const data = cm?.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error(`${WHERE}: data is not a mapping`);
  const d = data as Data;
  const clientCA = text(d, 'client-ca-file');
  const rhCa = text(d, 'requestheader-client-ca-file');
  return {
    ...(clientCA ? { clientCA } : {}),
    ...(rhCa
      ? {
          requestHeader: {
            ca: rhCa,
            allowedNames: list(d, 'requestheader-allowed-names'),
            usernameHeaders: list(d, 'requestheader-username-headers'),
            // Published by kube-apiserver 1.32 on.
            uidHeaders: list(d, 'requestheader-uid-headers'),
            groupHeaders: list(d, 'requestheader-group-headers'),
            extraHeaderPrefixes: list(d, 'requestheader-extra-headers-prefix'),
          },
        }
      : {}),
  };
}
