// /version and /openapi/v2: what the aggregator and kubectl ask an API server before anything
// else. The OpenAPI document describes the list kinds this server returns.
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

export function openApiDocument(version: string): object {
  const list = (ref: string) => ({
    get: {
      produces: ['application/json'],
      responses: { '200': { description: 'OK', schema: { $ref: `#/definitions/${ref}` } } },
    },
  });
  return {
    swagger: '2.0',
    info: { title: 'Beacon metrics adapter', version },
    paths: {
      [`/apis/${CUSTOM_GROUP}/v1beta2/namespaces/{namespace}/{resource}/{name}/{metric}`]: list(
        'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricValueList',
      ),
      [`/apis/${CUSTOM_GROUP}/v1beta1/namespaces/{namespace}/{resource}/{name}/{metric}`]: list(
        'io.k8s.metrics.pkg.apis.custom_metrics.v1beta1.MetricValueList',
      ),
      [`/apis/${EXTERNAL_GROUP}/v1beta1/namespaces/{namespace}/{metric}`]: list(
        'io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList',
      ),
    },
    definitions: {
      'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricValueList': {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                describedObject: objectReference,
                metric: {
                  type: 'object',
                  properties: { name: { type: 'string' }, selector: labelSelector },
                },
                timestamp: { type: 'string', format: 'date-time' },
                windowSeconds: { type: 'integer', format: 'int64' },
                value: quantity,
              },
            },
          },
        },
      },
      'io.k8s.metrics.pkg.apis.custom_metrics.v1beta1.MetricValueList': {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                describedObject: objectReference,
                metricName: { type: 'string' },
                timestamp: { type: 'string', format: 'date-time' },
                window: { type: 'integer', format: 'int64' },
                value: quantity,
                selector: labelSelector,
              },
            },
          },
        },
      },
      'io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList': {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                metricName: { type: 'string' },
                metricLabels: { type: 'object', additionalProperties: { type: 'string' } },
                timestamp: { type: 'string', format: 'date-time' },
                window: { type: 'integer', format: 'int64' },
                value: quantity,
              },
            },
          },
        },
      },
    },
  };
}
