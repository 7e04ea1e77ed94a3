// Kubeconfig files for the tests: one that reaches a (fake) API server with a bearer token, for
// the adapter's --lister-, --authentication- or --authorization-kubeconfig; one that reaches the
// adapter itself with a client certificate, for kubectl and Go's clients.
import { writeFileSync } from 'node:fs';

/** Writes to `path` a kubeconfig of one cluster (`server`, trusting `caPem`) and one token user. */
export function writeTokenKubeconfig(
  path: string,
  o: { readonly server: string; readonly caPem: string; readonly token: string },
): string {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'k',
          cluster: {
            server: o.server,
            'certificate-authority-data': Buffer.from(o.caPem).toString('base64'),
          },
        },
      ],
      users: [{ name: 'adapter', user: { token: o.token } }],
      contexts: [{ name: 'k', context: { cluster: 'k', user: 'adapter' } }],
      'current-context': 'k',
    }),
  );
  return path;
}

/**
 * Writes to `path` a kubeconfig of one cluster, `server` (the adapter), trusting the CA in `caFile`,
 * and one user, `user`, presenting the client certificate `certFile` / `keyFile`.
 */
export function writeClientCertKubeconfig(
  path: string,
  o: {
    readonly server: string;
    readonly caFile: string;
    readonly certFile: string;
    readonly keyFile: string;
    readonly user: string;
  },
): string {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'adapter', cluster: { server: o.server, 'certificate-authority': o.caFile } },
      ],
      users: [
        { name: o.user, user: { 'client-certificate': o.certFile, 'client-key': o.keyFile } },
      ],
      contexts: [{ name: 'adapter', context: { cluster: 'adapter', user: o.user } }],
      'current-context': 'adapter',
    }),
  );
  return path;
}
