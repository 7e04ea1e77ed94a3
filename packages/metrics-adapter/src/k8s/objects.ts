// Which objects a label selector picks. Two implementations: kube-state-metrics series in
// Prometheus (the default), and the Kubernetes API through a kept-warm watch (--lister-kubeconfig).
import type { Requirement } from './label-selector';
import type { ApiResource } from './resources';

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
   * What the API server's discovery says of the custom resource `resource`: its kind, whether
   * it is namespaced, the version it is served at (the Kubernetes API lister). The served answer
   * takes them from here: `describedObject`'s kind and apiVersion, and whether the resource's
   * metrics are namespaced or root-scoped. Undefined where the lister cannot ask (kube-state-
   * metrics: resources.ts guesses), for a built-in resource (resources.ts' table), or when
   * discovery failed (the guess for this answer; the next one asks again).
   */
  discover?(resource: string): Promise<ApiResource | undefined>;
}
