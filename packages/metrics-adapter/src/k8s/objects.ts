// Which objects a label selector picks. Two implementations: kube-state-metrics series in
// Prometheus (the default), and the Kubernetes API through a kept-warm watch (--lister-kubeconfig).
import type { Requirement } from './label-selector';

export interface ObjectLister {
  /** Names of the `resource` objects in `namespace` (absent: root-scoped) the selector matches. */
  names(
    resource: string,
    namespace: string | undefined,
    selector: readonly Requirement[],
  ): Promise<ReadonlySet<string>>;
}
