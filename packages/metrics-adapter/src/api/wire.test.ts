import { parseLabelSelector } from '../k8s/label-selector';
import { compareGoStrings } from './go-strings';
import { externalMetricValueListBytes } from './value-list-bytes';
import {
  apiGroupList,
  apiResourceList,
  customMetricValueList,
  externalMetricValueList,
  formatTime,
  toLabelSelector,
} from './wire';

const pod = { kind: 'Pod', namespace: 'platform', name: 'collab-7d9f', apiVersion: '/v1' };
const t = Date.UTC(2026, 10, 22, 15, 4, 5) / 1000 + 0.789; // 2026-11-22T15:04:05.789Z

describe('custom metrics bodies', () => {
  it('writes v1beta2 items with metric {name, selector}, the sample time and a Quantity', () => {
    const { body, dropped } = customMetricValueList(
      'v1beta2',
      'websocket_connections',
      [{ describedObject: pod, value: 1.5, timestamp: t }],
      parseLabelSelector('app=collaboration'),
    );
    expect(dropped).toBe(0);
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      kind: 'MetricValueList',
      apiVersion: 'custom.metrics.k8s.io/v1beta2',
      metadata: {},
      items: [
        {
          describedObject: {
            kind: 'Pod',
            namespace: 'platform',
            name: 'collab-7d9f',
            apiVersion: '/v1',
          },
          metric: {
            name: 'websocket_connections',
            selector: { matchLabels: { app: 'collaboration' } },
          },
          timestamp: '2026-11-22T15:04:05Z',
          value: '1500m',
        },
      ],
    });
  });

  it('writes v1beta1 items with metricName, window and a selector that is null when none was given', () => {
    const { body } = customMetricValueList(
      'v1beta1',
      'job_queue_length',
      [{ describedObject: pod, value: 12000, timestamp: t, windowSeconds: 60 }],
      [],
    );
    expect(JSON.parse(JSON.stringify(body)).items).toEqual([
      {
        describedObject: pod,
        metricName: 'job_queue_length',
        timestamp: '2026-11-22T15:04:05Z',
        window: 60,
        value: '12k',
        selector: null,
      },
    ]);
  });

  it('leaves out NaN and infinite values and counts them', () => {
    const { body, dropped } = customMetricValueList(
      'v1beta2',
      'm',
      [
        { describedObject: pod, value: 'NaN', timestamp: t },
        { describedObject: pod, value: '+Inf', timestamp: t },
        { describedObject: pod, value: -Infinity, timestamp: t },
        { describedObject: { ...pod, name: 'ok' }, value: '0', timestamp: t },
      ],
      [],
    );
    expect(dropped).toBe(3);
    expect(
      (body as { items: { describedObject: { name: string }; value: string }[] }).items,
    ).toEqual([
      expect.objectContaining({
        describedObject: expect.objectContaining({ name: 'ok' }),
        value: '0',
      }),
    ]);
  });
});

describe('external metrics bodies', () => {
  it('writes metricName, metricLabels, timestamp and value', () => {
    const { body } = externalMetricValueList('job_queue_length', [
      { labels: { queue: 'render', namespace: 'platform' }, value: '42', timestamp: t },
    ]);
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metricName: 'job_queue_length',
          metricLabels: { queue: 'render', namespace: 'platform' },
          timestamp: '2026-11-22T15:04:05Z',
          value: '42',
        },
      ],
    });
  });
});

describe('external metrics bodies: a scalar', () => {
  // json.Marshal of external_metrics/v1beta1.ExternalMetricValue: `metricLabels` has no
  // omitempty, so convertScalar's nil map is `null` and convertVector's empty one `{}`.
  it.each([
    ['a scalar (no labels)', null, 'null'],
    ['a series without labels', {}, '{}'],
  ])('writes metricLabels of %s as %s, both writers alike', (_what, labels, json) => {
    const samples = [{ labels, value: '3', timestamp: 1 }];
    const want = `{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[{"metricName":"m","metricLabels":${json},"timestamp":"1970-01-01T00:00:01Z","value":"3"}]}`;
    expect(JSON.stringify(externalMetricValueList('m', samples).body)).toBe(want);
    expect(externalMetricValueListBytes('m', samples).body.toString()).toBe(want);
  });
});

describe('Go key order', () => {
  it('compares strings by UTF-8 bytes, as Go does, not by UTF-16 units', () => {
    // U+FF61 is EF BD A1 in UTF-8 and sorts before U+1F600 (F0 9F 98 80); in UTF-16 it is after.
    expect(['\u{1F600}', '\uFF61', 'b', 'a', '10', '9', 'ab', ''].sort(compareGoStrings)).toEqual([
      '',
      '10',
      '9',
      'a',
      'ab',
      'b',
      '\uFF61',
      '\u{1F600}',
    ]);
  });

  it('writes external metricLabels as a Go map: keys by byte order, integer-like ones too', () => {
    const samples = [
      { labels: { b: '1', a: '2', '1x': 'y', '10': 'z', '9': 'w' }, value: '1', timestamp: 1 },
    ];
    const want =
      '{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[{"metricName":"m","metricLabels":{"10":"z","1x":"y","9":"w","a":"2","b":"1"},"timestamp":"1970-01-01T00:00:01Z","value":"1"}]}';
    expect(JSON.stringify(externalMetricValueList('m', samples).body)).toBe(want);
    expect(externalMetricValueListBytes('m', samples).body.toString()).toBe(want);
  });
});

describe('toLabelSelector', () => {
  it('maps each operator to matchLabels or matchExpressions', () => {
    expect(
      toLabelSelector(parseLabelSelector('app=web,tier in (a,b),env notin (dev),x!=y,gpu,!canary')),
    ).toEqual({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'gpu', operator: 'Exists' },
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'x', operator: 'NotIn', values: ['y'] },
      ],
    });
  });

  it('writes keys in the order Go does: requirements by key, matchLabels by byte order', () => {
    expect(
      JSON.stringify(toLabelSelector(parseLabelSelector('b=1,a=2,z in (x),c notin (y)'))),
    ).toBe(
      '{"matchLabels":{"a":"2","b":"1"},"matchExpressions":[{"key":"c","operator":"NotIn","values":["y"]},{"key":"z","operator":"In","values":["x"]}]}',
    );
    // Integer-like keys, which a plain object would write first and in numeric order.
    expect(JSON.stringify(toLabelSelector(parseLabelSelector('a=z,9=x,10=y')))).toBe(
      '{"matchLabels":{"10":"y","9":"x","a":"z"}}',
    );
  });

  it('has no form for > and <', () => {
    expect(toLabelSelector(parseLabelSelector('replicas>1'))).toBeNull();
  });

  // Past 12 requirements Go's sort.Sort reorders those of one key. Expected bodies are what
  // json.Marshal(metav1.ParseToLabelSelector(labels.Parse(text).String())) printed
  // (k8s.io/apimachinery v0.32.3, Go 1.26), as prometheus-adapter's metricFor builds the echo.
  it('keeps the last = of a key that Go keeps, past 12 requirements', () => {
    const text = Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'a' : 'b'}=${i + 1}`).join(',');
    expect(text).toBe(
      'b=1,a=2,b=3,a=4,b=5,a=6,b=7,a=8,b=9,a=10,b=11,a=12,b=13,a=14,b=15,a=16,b=17,a=18,b=19,a=20',
    );
    expect(JSON.stringify(toLabelSelector(parseLabelSelector(text)))).toBe(
      '{"matchLabels":{"a":"12","b":"3"}}',
    );
  });

  it('orders the matchExpressions of one key as Go does, past 12 requirements', () => {
    const text =
      'b in (1),a in (2),b in (3),a in (4),b in (5),a in (6),b in (7),a in (8),b in (9),a in (10),b in (11),a in (12),b in (13)';
    const expr = (key: string, value: string) => ({ key, operator: 'In', values: [value] });
    expect(toLabelSelector(parseLabelSelector(text))).toEqual({
      matchExpressions: [
        ...['10', '2', '4', '6', '8', '12'].map((v) => expr('a', v)),
        ...['3', '5', '7', '9', '1', '11', '13'].map((v) => expr('b', v)),
      ],
    });
  });

  it('echoes that selector in v1beta1 items as Go does', () => {
    const text = Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'a' : 'b'}=${i + 1}`).join(',');
    const { body } = customMetricValueList(
      'v1beta1',
      'job_queue_length',
      [{ describedObject: pod, value: 1, timestamp: t }],
      parseLabelSelector(text),
    );
    expect(JSON.parse(JSON.stringify(body)).items[0].selector).toEqual({
      matchLabels: { a: '12', b: '3' },
    });
  });
});

describe('discovery', () => {
  it('lists resource/metric pairs as MetricValueList resources with verb get', () => {
    expect(
      apiResourceList('custom.metrics.k8s.io', 'v1beta2', [
        { resource: 'pods', metric: 'websocket_connections', namespaced: true },
        { resource: 'namespaces', metric: 'job_queue_length', namespaced: false },
      ]),
    ).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'custom.metrics.k8s.io/v1beta2',
      resources: [
        {
          name: 'namespaces/job_queue_length',
          singularName: '',
          namespaced: false,
          kind: 'MetricValueList',
          verbs: ['get'],
        },
        {
          name: 'pods/websocket_connections',
          singularName: '',
          namespaced: true,
          kind: 'MetricValueList',
          verbs: ['get'],
        },
      ],
    });
  });

  // custom-metrics-apiserver's externalMetricsResourceLister.ListAPIResources writes every
  // external metric with Namespaced: true (it is asked for under namespaces/<ns>/), whatever the
  // rule's resources.namespaced says.
  it('lists every external metric as namespaced, a rule with namespaced: false too', () => {
    expect(
      apiResourceList('external.metrics.k8s.io', 'v1beta1', [
        { resource: 'namespaces', metric: 'job_queue_length', namespaced: false },
      ]),
    ).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'external.metrics.k8s.io/v1beta1',
      resources: [
        {
          name: 'job_queue_length',
          singularName: '',
          namespaced: true,
          kind: 'ExternalMetricValueList',
          verbs: ['get'],
        },
      ],
    });
  });

  it('prefers v1beta2 for custom metrics', () => {
    const list = apiGroupList() as {
      groups: { name: string; preferredVersion: { version: string } }[];
    };
    expect(list.groups.map((g) => [g.name, g.preferredVersion.version])).toEqual([
      ['custom.metrics.k8s.io', 'v1beta2'],
      ['external.metrics.k8s.io', 'v1beta1'],
    ]);
  });

  it('formats times as metav1.Time does', () => {
    expect(formatTime(0)).toBe('1970-01-01T00:00:00Z');
  });
});
