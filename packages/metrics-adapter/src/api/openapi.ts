// /version, and the OpenAPI documents kubectl and the aggregator ask an API server for: one
// Swagger 2.0 document for everything at /openapi/v2, and at /openapi/v3 one OpenAPI 3.0
// document per group version (k8s.io/kube-openapi's handler3). Both are built from one table of
// the paths served and the list kinds they answer with.
import { CUSTOM_GROUP, EXTERNAL_GROUP } from './routes';

export interface VersionInfo {
  readonly gitVersion: string;
  readonly gitCommit?: string;
  readonly buildDate?: string;
}

export function versionDocument(info: VersionInfo): object {
  const [major = '0', minor = '0'] = info.gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion: info.gitVersion,
    gitCommit: info.gitCommit ?? '',
    gitTreeState: 'clean',
    buildDate: info.buildDate ?? '1970-01-01T00:00:00Z',
    goVersion: '',
    compiler: 'node',
    platform: `${process.platform}/${process.arch}`,
  };
}

const TITLE = 'Beacon metrics adapter';
const quantity = { type: 'string', description: 'Kubernetes Quantity' };
const objectReference = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
    apiVersion: { type: 'string' },
  },
};
const labelSelector = { type: 'object', 'x-kubernetes-map-type': 'atomic' };
const timestamp = { type: 'string', format: 'date-time' };
const int64 = { type: 'integer', format: 'int64' };

/** A served group version: its value paths (after `/apis/<group>/<version>/`) and list kind. */
interface GroupVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The list kind's definition name, as k8s.io/metrics' generated OpenAPI names it. */
  readonly definition: string;
  readonly item: object;
  readonly paths: readonly string[];
  readonly query: readonly { readonly name: string; readonly description: string }[];
}

const CUSTOM_PATHS = [
  'namespaces/{namespace}/{resource}/{name}/{metric}',
  'namespaces/{namespace}/metrics/{metric}',
  '{resource}/{name}/{metric}',
];
const LABEL_SELECTOR = {
  name: 'labelSelector',
  description: 'the objects to answer for, in the Kubernetes label selector grammar',
};
const METRIC_LABEL_SELECTOR = {
  name: 'metricLabelSelector',
  description: "the series to read, by the metric's own labels",
};

const SERVED: readonly GroupVersion[] = [
  {
    group: CUSTOM_GROUP,
    version: 'v1beta2',
    kind: 'MetricValueList',
    definition: 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricValueList',
    item: {
      describedObject: objectReference,
      metric: { type: 'object', properties: { name: { type: 'string' }, selector: labelSelector } },
      timestamp,
      windowSeconds: int64,
      value: quantity,
    },
    paths: CUSTOM_PATHS,
    query: [LABEL_SELECTOR, METRIC_LABEL_SELECTOR],
  },
  {
    group: CUSTOM_GROUP,
    version: 'v1beta1',
    kind: 'MetricValueList',
    definition: 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta1.MetricValueList',
    item: {
      describedObject: objectReference,
      metricName: { type: 'string' },
      timestamp,
      window: int64,
      value: quantity,
      selector: labelSelector,
    },
    paths: CUSTOM_PATHS,
    query: [LABEL_SELECTOR, METRIC_LABEL_SELECTOR],
  },
  {
    group: EXTERNAL_GROUP,
    version: 'v1beta1',
    kind: 'ExternalMetricValueList',
    definition: 'io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList',
    item: {
      metricName: { type: 'string' },
      metricLabels: { type: 'object', additionalProperties: { type: 'string' } },
      timestamp,
      window: int64,
      value: quantity,
    },
    paths: ['namespaces/{namespace}/{metric}'],
    query: [{ name: 'labelSelector', description: "the series to read, by the metric's labels" }],
  },
];

const listSchema = (gv: GroupVersion) => ({
  type: 'object',
  properties: {
    kind: { type: 'string' },
    apiVersion: { type: 'string' },
    metadata: { type: 'object' },
    items: { type: 'array', items: { type: 'object', properties: gv.item } },
  },
  'x-kubernetes-group-version-kind': [{ group: gv.group, version: gv.version, kind: gv.kind }],
});

/** Each served path of `gv` with its GET operation, written by `operation` for one spec version. */
function paths(
  gv: GroupVersion,
  operation: (pathParams: readonly string[]) => object,
): Record<string, object> {
  return Object.fromEntries(
    gv.paths.map((p) => {
      const path = `/apis/${gv.group}/${gv.version}/${p}`;
      const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      return [path, { get: operation(params) }];
    }),
  );
}

export function openApiDocument(version: string): object {
  return {
    swagger: '2.0',
    info: { title: TITLE, version },
    paths: Object.assign(
      {},
      ...SERVED.map((gv) =>
        paths(gv, (pathParams) => ({
          produces: ['application/json'],
          parameters: [
            ...pathParams.map((name) => ({ name, in: 'path', required: true, type: 'string' })),
            ...gv.query.map((q) => ({ ...q, in: 'query', type: 'string' })),
          ],
          responses: {
            '200': { description: 'OK', schema: { $ref: `#/definitions/${gv.definition}` } },
          },
        })),
      ),
    ),
    definitions: Object.fromEntries(SERVED.map((gv) => [gv.definition, listSchema(gv)])),
  };
}

/** Each group version's OpenAPI 3.0 document, by its path under /openapi/v3/ (`apis/<group>/<version>`). */
export function openApiV3Documents(version: string): ReadonlyMap<string, object> {
  return new Map(
    SERVED.map((gv) => [`apis/${gv.group}/${gv.version}`, openApiV3Document(gv, version)]),
  );
}

function openApiV3Document(gv: GroupVersion, version: string): object {
  return {
    openapi: '3.0.0',
    info: { title: TITLE, version },
    paths: paths(gv, (pathParams) => ({
      parameters: [
        ...pathParams.map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...gv.query.map((q) => ({ ...q, in: 'query', schema: { type: 'string' } })),
      ],
      responses: {
        '200': {
          description: 'OK',
          content: {
            'application/json': { schema: { $ref: `#/components/schemas/${gv.definition}` } },
          },
        },
      },
    })),
    components: { schemas: { [gv.definition]: listSchema(gv) } },
  };
}
