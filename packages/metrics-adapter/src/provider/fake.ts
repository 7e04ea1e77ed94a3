// A data-driven MetricsProvider for tests of the server alone: maps of request → answer.
import type { ExternalSample, ObjectSample, ServedMetric } from '../api/wire';
import {
  MetricNotFoundError,
  type ExternalQuery,
  type MetricsProvider,
  type ObjectQuery,
} from './provider';

export interface FakeData {
  readonly custom?: readonly ServedMetric[];
  readonly external?: readonly ServedMetric[];
  /** Keyed `resource/namespace/name/metric` (namespace empty when root-scoped). */
  readonly objects?: Readonly<Record<string, readonly ObjectSample[]>>;
  /** Keyed `namespace/metric`. */
  readonly externals?: Readonly<Record<string, readonly ExternalSample[]>>;
  /** Thrown by every value call, to test error mapping. */
  readonly fail?: Error;
  readonly ready?: boolean;
}

export const objectKey = (q: Pick<ObjectQuery, 'resource' | 'namespace' | 'name' | 'metric'>) =>
  `${q.resource}/${q.namespace ?? ''}/${q.name}/${q.metric}`;

export function fakeProvider(data: FakeData): MetricsProvider & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    customMetrics: () => data.custom ?? [],
    externalMetrics: () => data.external ?? [],
    ready: () => data.ready ?? true,
    async objectValues(q: ObjectQuery) {
      calls.push(q);
      if (data.fail) throw data.fail;
      const found = data.objects?.[objectKey(q)];
      if (!found)
        throw new MetricNotFoundError(q.metric, q.resource, q.name === '*' ? undefined : q.name);
      return [...found];
    },
    async externalValues(q: ExternalQuery) {
      calls.push(q);
      if (data.fail) throw data.fail;
      const found = data.externals?.[`${q.namespace}/${q.metric}`];
      if (!found) throw new MetricNotFoundError(q.metric, '');
      return [...found];
    },
  };
}
