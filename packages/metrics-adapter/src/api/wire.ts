// Response bodies exactly as k8s.io/metrics serialises them (custom_metrics v1beta1 and v1beta2,
// external_metrics v1beta1), plus discovery documents. Field names and null-vs-omitted follow
// the Go json tags: v1beta1 `selector` is always present (null when none), v1beta2's
// `metric.selector` and every `window` are omitted when unset.
import { inSelectorOrder, type Requirement } from '../k8s/label-selector';
import { compareGoStrings } from './go-strings';
import { formatQuantity } from './quantity';
import { CUSTOM_GROUP, EXTERNAL_GROUP, GROUP_VERSIONS, versionsOf } from './routes';

export interface ObjectReference {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly apiVersion: string;
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** One sample as the provider returns it; `timestamp` is the sample's own time in unix seconds. */
export interface ObjectSample {
  readonly describedObject: ObjectReference;
  readonly value: number | string;
  readonly timestamp: number;
  readonly windowSeconds?: number;
}

export interface ExternalSample {
  /** null for a scalar's value: metricLabels is then written null, as Go writes a nil map. */
  readonly labels: Readonly<Record<string, string>> | null;
  readonly value: number | string;
  readonly timestamp: number;
  readonly windowSeconds?: number;
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function formatTime(unixSeconds: number): string {
  return new Date(Math.floor(unixSeconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * `format` remembering its last answer: the items of one answer mostly share a timestamp, so a
 * run of equal ones is formatted once.
 */
export function rememberingLast(format: (unixSeconds: number) => string) {
  let last: number | undefined;
  let text = '';
  return (t: number): string => {
    if (t !== last) {
      last = t;
      text = format(t);
    }
    return text;
  };
}

const isArrayIndex = (key: string) => /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * `record` with its keys in the order Go's encoding/json writes a map's: sorted by bytes.
 * JSON.stringify writes a plain object's keys in insertion order, except that integer-like keys
 * (`"10"`) always come first in numeric order; only a Proxy can list those where Go puts them.
 */
export function goMap<V>(record: Readonly<Record<string, V>>): Record<string, V> {
  const keys = Object.keys(record).sort(compareGoStrings);
  // fromEntries, not assignment: a `__proto__` label is an own key like any other.
  const sorted = Object.fromEntries(keys.map((key) => [key, record[key] as V]));
  return keys.some(isArrayIndex) ? new Proxy(sorted, { ownKeys: () => [...keys] }) : sorted;
}

/**
 * A parsed selector as a metav1.LabelSelector, as upstream's providers build it with
 * metav1.ParseToLabelSelector(metricSelector.String()): requirements in the order of the canonical
 * text (by key, with Go's sort.Sort, which past 12 requirements reorders those of one key, so the
 * last `=` of a key, the one matchLabels keeps, is Go's last), `matchLabels` a map (so written in
 * key order). `!=` becomes NotIn with one value (the same set; ParseToLabelSelector refuses it, and
 * prometheus-adapter's request fails with a 500); `>`/`<` have no LabelSelector form, so a selector
 * using them is echoed as null.
 */
export function toLabelSelector(reqs: readonly Requirement[]): LabelSelector | null {
  if (reqs.length === 0) return null;
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']>[number][] = [];
  for (const r of inSelectorOrder(reqs)) {
    switch (r.operator) {
      case '=':
      case '==':
        matchLabels[r.key] = r.values[0] as string;
        break;
      case 'in':
        matchExpressions.push({ key: r.key, operator: 'In', values: [...r.values] });
        break;
      case '!=':
      case 'notin':
        matchExpressions.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'exists':
        matchExpressions.push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        matchExpressions.push({ key: r.key, operator: 'DoesNotExist' });
        break;
      case 'gt':
      case 'lt':
        return null;
    }
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels: goMap(matchLabels) } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/** Whether a sample's value is kept: NaN and ±Inf (as numbers or Prometheus text) are not. */
export const isFiniteValue = (v: number | string) =>
  Number.isFinite(typeof v === 'number' ? v : Number(v));

export interface ListResult<T> {
  readonly body: T;
  /** Items left out because their value was NaN or ±Inf. */
  readonly dropped: number;
}

export function customMetricValueList(
  version: string,
  metric: string,
  samples: readonly ObjectSample[],
  selector: readonly Requirement[],
): ListResult<object> {
  const kept = samples.filter((s) => isFiniteValue(s.value));
  const labelSelector = toLabelSelector(selector);
  const time = rememberingLast(formatTime);
  const items = kept.map((s) => {
    const window = s.windowSeconds === undefined ? undefined : Math.round(s.windowSeconds);
    if (version === 'v1beta1') {
      return {
        describedObject: s.describedObject,
        metricName: metric,
        timestamp: time(s.timestamp),
        ...(window === undefined ? {} : { window }),
        value: formatQuantity(s.value),
        selector: labelSelector,
      };
    }
    return {
      describedObject: s.describedObject,
      metric: { name: metric, ...(labelSelector ? { selector: labelSelector } : {}) },
      timestamp: time(s.timestamp),
      ...(window === undefined ? {} : { windowSeconds: window }),
      value: formatQuantity(s.value),
    };
  });
  return {
    body: {
      kind: 'MetricValueList',
      apiVersion: `${CUSTOM_GROUP}/${version}`,
      metadata: {},
      items,
    },
    dropped: samples.length - kept.length,
  };
}

export function externalMetricValueList(
  metric: string,
  samples: readonly ExternalSample[],
): ListResult<object> {
  const kept = samples.filter((s) => isFiniteValue(s.value));
  const items = kept.map((s) => ({
    metricName: metric,
    metricLabels: s.labels === null ? null : goMap(s.labels),
    timestamp: formatTime(s.timestamp),
    ...(s.windowSeconds === undefined ? {} : { window: Math.round(s.windowSeconds) }),
    value: formatQuantity(s.value),
  }));
  return {
    body: {
      kind: 'ExternalMetricValueList',
      apiVersion: `${EXTERNAL_GROUP}/v1beta1`,
      metadata: {},
      items,
    },
    dropped: samples.length - kept.length,
  };
}

/** What discovery lists for one served metric: `pods/websocket_connections`, namespaced. */
export interface ServedMetric {
  readonly resource: string;
  readonly metric: string;
  readonly namespaced: boolean;
}

/** One entry of a metav1.APIResourceList, as the legacy discovery documents list it. */
export interface APIResource {
  readonly name: string;
  readonly singularName: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly verbs: readonly string[];
}

/**
 * What a group version serves, sorted by name: the one list both discovery forms are built
 * from (the APIResourceList here, the aggregated document in aggregated-discovery.ts).
 */
export function apiResources(group: string, metrics: readonly ServedMetric[]): APIResource[] {
  const kind = group === EXTERNAL_GROUP ? 'ExternalMetricValueList' : 'MetricValueList';
  return [...metrics]
    .map((m) => ({
      name: group === EXTERNAL_GROUP ? m.metric : `${m.resource}/${m.metric}`,
      singularName: '',
      // External metrics are always asked for in a namespace (custom-metrics-apiserver lists
      // them namespaced whatever the rule), so the flag there is the path's, not the rule's.
      namespaced: group === EXTERNAL_GROUP || m.namespaced,
      kind,
      verbs: ['get'],
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function apiResourceList(
  group: string,
  version: string,
  metrics: readonly ServedMetric[],
): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: apiResources(group, metrics),
  };
}

function apiGroup(group: string): object {
  const versions = (versionsOf(group) ?? []).map((v) => ({
    groupVersion: `${group}/${v}`,
    version: v,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: Object.keys(GROUP_VERSIONS).map(apiGroup),
  };
}

export function apiGroupDocument(group: string): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}
