// The seam between serving the Kubernetes API and sourcing numbers, as in custom-metrics-apiserver:
// the server knows routes, wire bodies and Status objects; a provider knows where values come from.
import type { Requirement } from '../k8s/label-selector';
import type { ExternalSample, ObjectSample, ServedMetric } from '../api/wire';

export interface ObjectQuery {
  /** Plural resource with its group: `pods`, `deployments.apps`, `namespaces`, `nodes`. */
  readonly resource: string;
  /** Absent for root-scoped resources (nodes, namespaces). */
  readonly namespace?: string;
  /** An object name, or `*` for every object the label selector matches. */
  readonly name: string;
  readonly metric: string;
  readonly labelSelector: readonly Requirement[];
  readonly metricLabelSelector: readonly Requirement[];
}

export interface ExternalQuery {
  readonly namespace: string;
  readonly metric: string;
  readonly metricLabelSelector: readonly Requirement[];
  /** The query parameter the selector came in, as errors name it (default metricLabelSelector). */
  readonly selectorParameter?: 'labelSelector' | 'metricLabelSelector';
}

export interface MetricsProvider {
  /** What discovery lists; changes when the provider relists. */
  customMetrics(): readonly ServedMetric[];
  externalMetrics(): readonly ServedMetric[];
  /** Throws MetricNotFoundError, BadSelectorError or a backend error (PrometheusError). */
  /** The answer may be shared between requests (and so the same array): never mutate it. */
  objectValues(query: ObjectQuery): Promise<readonly ObjectSample[]>;
  externalValues(query: ExternalQuery): Promise<readonly ExternalSample[]>;
  /** True once the provider can answer (first relist done). */
  ready(): boolean;
}

/** The metric, or the named object, has no value: the API answers 404. */
export class MetricNotFoundError extends Error {
  constructor(
    readonly metric: string,
    readonly resource: string,
    readonly object?: string,
  ) {
    super(
      object === undefined
        ? `the server could not find the metric ${metric} for ${resource || 'external metrics'}`
        : `the server could not find the metric ${metric} for ${resource} ${object}`,
    );
    this.name = 'MetricNotFoundError';
  }
}

/** A selector the backend cannot express (a key that is no Prometheus label): the API answers 400. */
export class BadSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadSelectorError';
  }
}
