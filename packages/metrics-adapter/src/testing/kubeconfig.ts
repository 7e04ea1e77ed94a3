// A kubeconfig file that reaches a (fake) API server with a bearer token, for the tests that
// start the adapter with --lister-, --authentication- or --authorization-kubeconfig.
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
