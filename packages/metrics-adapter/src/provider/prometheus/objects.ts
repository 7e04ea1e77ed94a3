// Object lister on kube-state-metrics: `kube_<kind>_labels` carries every object's Kubernetes
// labels as `label_<key>`, so one small query answers "which pods match app=collab" whatever the
// number of pods — instead of listing pods and sending a regex of all their names, which is what
// grows past backend limits in prometheus-adapter at ~1,500 pods.
// kube-state-metrics 2 exports only the labels allowed by --metric-labels-allowlist: a key left
// out of it reads as missing everywhere (`app=x` picks nothing, `app!=x` every object).
// What the series can and cannot say:
// - A pod exported twice (two kube-state-metrics replicas, or shards while resharding) is one
//   name: the query groups by the object label, and names are a set.
// - A deleted pod: kube-state-metrics stops exporting its series and Prometheus writes a
//   staleness marker at the next scrape, so an instant query drops it within a scrape interval
//   (the 5-minute lookback serves a series only when no marker was written, e.g. across a
//   Prometheus restart); a failed scrape marks every series stale, and the selector then picks
//   nothing rather than old pods. The object cache adds up to two --object-cache-ttl.
// - Keys that kube-state-metrics writes under one name (kubeStateLabel) are told apart only by a
//   `_conflictN` suffix on objects that carry both, which no selector asks for.
// - Prometheus must scrape kube-state-metrics with honor_labels, or its `namespace` and `pod`
//   become `exported_namespace` and `exported_pod` and nothing matches.
import type { Requirement } from '../../k8s/label-selector';
import type { ObjectLister } from '../../k8s/objects';
import type { PrometheusClient } from './client';
import { kubeStateMatchers, promString } from './matchers';
import { singularOf } from '../../k8s/resources';

/**
 * The `kube_<kind>_labels` series of a resource and the label naming its object. kube-state-metrics
 * names them by the singular but for two: a Job is `job_name` (the scrape's `job` is taken), and
 * Endpoints are `kube_endpoint_labels{endpoint=…}` (internal/store/job.go, endpoint.go).
 */
function kubeStateSeries(resource: string): { metric: string; label: string } {
  const kind = singularOf(resource);
  if (kind === 'job' && (resource === 'jobs' || resource === 'jobs.batch'))
    return { metric: 'kube_job_labels', label: 'job_name' };
  if (kind === 'endpoints' && resource === 'endpoints')
    return { metric: 'kube_endpoint_labels', label: 'endpoint' };
  return { metric: `kube_${kind}_labels`, label: kind };
}

export function kubeStateObjectLister(client: PrometheusClient): ObjectLister {
  return {
    async names(resource, namespace, selector: readonly Requirement[]) {
      const { metric, label } = kubeStateSeries(resource);
      const { matchers, accepts } = kubeStateMatchers(selector);
      const all = [
        ...(namespace === undefined || resource === 'namespaces'
          ? []
          : [`namespace=${promString(namespace)}`]),
        ...matchers,
      ];
      const series = `${metric}{${all.join(',')}}`;
      // Numeric (`>`, `<`) requirements need the label values, so only then fetch whole series.
      const numeric = selector.some((r) => r.operator === 'gt' || r.operator === 'lt');
      const samples = await client.query(numeric ? series : `group by (${label}) (${series})`);
      return new Set(
        samples
          .filter((s) => accepts(s.labels))
          .map((s) => s.labels[label])
          .filter((n): n is string => n !== undefined),
      );
    },
  };
}
