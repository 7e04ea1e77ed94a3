// Kind and apiVersion of the objects the API describes (`describedObject`). The adapter runs
// without a discovery client, so the common resources are listed here; any other resource gets
// its kind from its singular name, as a RESTMapper would guess it.
import { singular, splitResource } from '../provider/prometheus/naming';

const KNOWN: Readonly<Record<string, { kind: string; apiVersion: string }>> = {
  pods: { kind: 'Pod', apiVersion: 'v1' },
  services: { kind: 'Service', apiVersion: 'v1' },
  nodes: { kind: 'Node', apiVersion: 'v1' },
  namespaces: { kind: 'Namespace', apiVersion: 'v1' },
  persistentvolumeclaims: { kind: 'PersistentVolumeClaim', apiVersion: 'v1' },
  'deployments.apps': { kind: 'Deployment', apiVersion: 'apps/v1' },
  'statefulsets.apps': { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  'daemonsets.apps': { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  'replicasets.apps': { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  'jobs.batch': { kind: 'Job', apiVersion: 'batch/v1' },
  'cronjobs.batch': { kind: 'CronJob', apiVersion: 'batch/v1' },
  'ingresses.networking.k8s.io': { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
};

export function kindOf(resource: string): { kind: string; apiVersion: string } {
  // An own key only: a path may name `constructor` or `__proto__` as its resource.
  if (Object.hasOwn(KNOWN, resource))
    return KNOWN[resource] as { kind: string; apiVersion: string };
  const { group, resource: plural } = splitResource(resource);
  const name = singular(plural);
  return {
    kind: name.charAt(0).toUpperCase() + name.slice(1),
    apiVersion: group ? `${group}/v1` : 'v1',
  };
}

/** Root-scoped resources: their objects have no namespace. */
export const isRootScoped = (resource: string) => resource === 'nodes' || resource === 'namespaces';
