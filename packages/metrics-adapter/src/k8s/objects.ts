// Which objects a label selector picks. Two implementations: kube-state-metrics series in
// Prometheus (the default), and the Kubernetes API through a kept-warm watch (--lister-kubeconfig).
import type { Requirement } from './label-selector';

export interface ObjectLister {
  /**
   * It lists every object there is (the Kubernetes API): one it does not list does not exist,
   * so `pods/*` with no selector answers for the listed pods only, as prometheus-adapter does,
   * and not for a pod deleted a minute ago whose last sample Prometheus still returns.
   * kube-state-metrics' series are not asked then: without them a `*` would answer nothing.
   */
  readonly complete?: boolean;
  /** Names of the `resource` objects in `namespace` (absent: root-scoped) the selector matches. */
  names(
    resource: string,
    namespace: string | undefined,
    selector: readonly Requirement[],
  ): Promise<ReadonlySet<string>>;
  /**
   * The version `resource` is served at, as the API server's discovery says (the Kubernetes
   * API): `describedObject.apiVersion` carries it. Undefined where the lister cannot ask, or
   * for a built-in resource, whose version the table in resources.ts holds.
   */
  version?(resource: string): Promise<string | undefined>;
}
