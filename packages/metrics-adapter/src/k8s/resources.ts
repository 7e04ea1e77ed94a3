// Kubernetes' built-in resources, for what prometheus-adapter asks a RESTMapper (API discovery)
// and this adapter reads from a table: the plural a Prometheus label's singular names
// (`deployment` → `deployments.apps`, `ingress` → `ingresses.networking.k8s.io`), a request's
// resource in its canonical form, and the kind, apiVersion and scope of `describedObject`. A
// resource the table does not hold is a custom resource: with API access (--lister-kubeconfig)
// its kind, scope and version are what the API server's discovery says (resource-discovery.ts;
// kindOf and isRootScoped take what it found in place of the key); without it, they are guessed
// from its name.

/** One API resource: `deployments.apps` is { group: 'apps', resource: 'deployments', … }. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The plural, as API paths name it. */
  readonly resource: string;
  /** The lower-case kind, as Prometheus labels (and RESTMapper's singularizer) name it. */
  readonly singular: string;
  readonly namespaced: boolean;
  /** `plural.group`, or the plural alone in the core group: how paths and rules name it. */
  readonly key: string;
}

// group/version, kind, plural, scope (N namespaced, C cluster). Core first, then the order in
// which kube-apiserver lists its groups, so a name two groups share (events) resolves as a
// RESTMapper resolves it.
const TABLE = `
v1 Pod pods N
v1 Service services N
v1 Endpoints endpoints N
v1 Namespace namespaces C
v1 Node nodes C
v1 PersistentVolumeClaim persistentvolumeclaims N
v1 PersistentVolume persistentvolumes C
v1 ConfigMap configmaps N
v1 Secret secrets N
v1 ServiceAccount serviceaccounts N
v1 ReplicationController replicationcontrollers N
v1 Event events N
v1 LimitRange limitranges N
v1 ResourceQuota resourcequotas N
v1 PodTemplate podtemplates N
apps/v1 Deployment deployments N
apps/v1 StatefulSet statefulsets N
apps/v1 DaemonSet daemonsets N
apps/v1 ReplicaSet replicasets N
apps/v1 ControllerRevision controllerrevisions N
events.k8s.io/v1 Event events N
autoscaling/v2 HorizontalPodAutoscaler horizontalpodautoscalers N
batch/v1 Job jobs N
batch/v1 CronJob cronjobs N
certificates.k8s.io/v1 CertificateSigningRequest certificatesigningrequests C
networking.k8s.io/v1 Ingress ingresses N
networking.k8s.io/v1 IngressClass ingressclasses C
networking.k8s.io/v1 NetworkPolicy networkpolicies N
policy/v1 PodDisruptionBudget poddisruptionbudgets N
rbac.authorization.k8s.io/v1 Role roles N
rbac.authorization.k8s.io/v1 RoleBinding rolebindings N
rbac.authorization.k8s.io/v1 ClusterRole clusterroles C
rbac.authorization.k8s.io/v1 ClusterRoleBinding clusterrolebindings C
storage.k8s.io/v1 StorageClass storageclasses C
storage.k8s.io/v1 VolumeAttachment volumeattachments C
storage.k8s.io/v1 CSIDriver csidrivers C
storage.k8s.io/v1 CSINode csinodes C
apiextensions.k8s.io/v1 CustomResourceDefinition customresourcedefinitions C
scheduling.k8s.io/v1 PriorityClass priorityclasses C
coordination.k8s.io/v1 Lease leases N
node.k8s.io/v1 RuntimeClass runtimeclasses C
discovery.k8s.io/v1 EndpointSlice endpointslices N
`;

export const BUILT_IN: readonly ApiResource[] = TABLE.trim()
  .split('\n')
  .map((line) => {
    const [groupVersion = '', kind = '', resource = '', scope] = line.split(' ');
    const slash = groupVersion.indexOf('/');
    const group = slash < 0 ? '' : groupVersion.slice(0, slash);
    return {
      group,
      version: groupVersion.slice(slash + 1),
      kind,
      resource,
      singular: kind.toLowerCase(),
      namespaced: scope === 'N',
      key: group ? `${resource}.${group}` : resource,
    };
  });

/** `deployments.apps` → { group: 'apps', resource: 'deployments' }; `pods` → the core group. */
export function splitResource(resource: string): { group: string; resource: string } {
  const dot = resource.indexOf('.');
  return dot < 0
    ? { group: '', resource }
    : { group: resource.slice(dot + 1), resource: resource.slice(0, dot) };
}

/**
 * The built-in resource `name` names, plural or singular as a RESTMapper takes it: in `group`
 * when one is given ('' is the core group), else in the first group that has it.
 */
export function builtInResource(group: string | undefined, name: string): ApiResource | undefined {
  const n = name.toLowerCase();
  return BUILT_IN.find(
    (r) => (group === undefined || r.group === group) && (r.resource === n || r.singular === n),
  );
}

/** A request path's resource (`deployments`, `deployment.apps`) in its canonical form. */
export function canonicalResource(resource: string): string {
  const { group, resource: name } = splitResource(resource);
  return builtInResource(group || undefined, name)?.key ?? resource;
}

/**
 * The plural of a custom resource's name, singular or plural, as the API server would have it
 * from its CRD: a name ending in `s` is taken as the plural already.
 */
export function guessPlural(name: string): string {
  const n = name.toLowerCase();
  if (n.endsWith('s')) return n;
  if (/[^aeiou]y$/.test(n)) return n.slice(0, -1) + 'ies';
  if (/(x|ch|sh|z)$/.test(n)) return n + 'es';
  return n + 's';
}

/** The singular of a custom resource's plural (the reverse of guessPlural). */
export function guessSingular(plural: string): string {
  if (plural.endsWith('ies')) return plural.slice(0, -3) + 'y';
  if (/(x|ch|sh|z)es$/.test(plural)) return plural.slice(0, -2);
  if (plural.endsWith('s')) return plural.slice(0, -1);
  return plural;
}

/**
 * The table's entry for a canonical key, else a guess for a custom resource: kind from the
 * plural, namespaced, version v1. The guess is only for an adapter without API access (the
 * kube-state-metrics lister), or for the one answer whose discovery failed (asked again on the
 * next): with API access a custom resource is what discovery says (resource-discovery.ts), as
 * upstream's RESTMapper has it from the API server's APIResourceList.
 */
function describeResource(key: string): ApiResource {
  const { group, resource } = splitResource(key);
  const known = builtInResource(group, resource);
  if (known) return known;
  const singular = guessSingular(resource);
  return {
    group,
    version: 'v1',
    // Wrong for a kind in CamelCase (`scaledobjects` → `Scaledobject`, not `ScaledObject`) and
    // for irregular plurals (`prometheuses`); only discovery knows.
    kind: singular.charAt(0).toUpperCase() + singular.slice(1),
    resource,
    singular,
    // Wrong for a cluster-scoped custom resource (`clusterissuers.cert-manager.io`).
    namespaced: true,
    key,
  };
}

/** The lower-case singular of a resource, as Prometheus labels name it. */
export const singularOf = (resource: string) => describeResource(resource).singular;

/** A resource's key (`scaledobjects.keda.sh`), or what discovery found for it. */
const resolved = (resource: string | ApiResource) =>
  typeof resource === 'string' ? describeResource(resource) : resource;

/**
 * Kind and apiVersion of the objects of a resource, as `describedObject` carries them:
 * custom-metrics-apiserver's helpers.ReferenceFor writes `group + "/" + version` of the kind its
 * RESTMapper finds, even for the core group, so a pod is `/v1` in prometheus-adapter's answers,
 * and so here. Given by its key, a custom resource's kind and version are guessed; given as
 * discovery found it, they are the API server's.
 */
export function kindOf(resource: string | ApiResource): { kind: string; apiVersion: string } {
  const r = resolved(resource);
  return { kind: r.kind, apiVersion: `${r.group}/${r.version}` };
}

/**
 * Root-scoped resources (nodes, namespaces, persistentvolumes, a cluster-scoped custom resource
 * as discovery found it): their objects have no namespace.
 */
export const isRootScoped = (resource: string | ApiResource) => !resolved(resource).namespaced;
