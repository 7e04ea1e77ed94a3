import { parseLabelSelector } from '../../k8s/label-selector';
import type { ObjectLister } from '../../k8s/objects';
import { BadSelectorError, MetricNotFoundError } from '../provider';
import type { PrometheusClient, Sample, SampleSource } from './client';
import { parseAdapterConfig } from './config';
import { kubeStateObjectLister } from './objects';
import {
  configWarnings,
  createPrometheusProvider,
  queryWindowSeconds,
  RuleError,
  ruleName,
} from './provider';

const config = parseAdapterConfig(
  `
rules:
- seriesQuery: '{__name__="websocket_connections",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
- seriesQuery: '{__name__="DCGM_FI_DEV_GPU_UTIL",pod!="",exported_pod=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: "gpu_utilization"}
  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>,exported_pod=""}) by (<<.GroupBy>>)'
- seriesQuery: '{__name__="DCGM_FI_DEV_GPU_UTIL",exported_pod!=""}'
  resources: {overrides: {exported_namespace: {resource: namespace}, exported_pod: {resource: pod}}}
  name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: "gpu_utilization"}
  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
- seriesQuery: '{__name__="node_load1",node!=""}'
  resources: {overrides: {node: {resource: node}}}
externalRules:
- seriesQuery: '{__name__="job_queue_length",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
- seriesQuery: '{__name__="jobs_waiting",tier!=""}'
  resources: {namespaced: false}
  labelValueReplacements: [{find: "-", replace: "_"}]
  metricsQuery: 'sum(<<.Series>>{tier_name="<<.LabelValuesByName.tier>>"}) by (<<index .LabelValuesByName "tier">>)'
`,
  'rules.yaml',
);

// Discovery answers, per seriesQuery.
const series: Record<string, Record<string, string>[]> = {
  '{__name__="websocket_connections",namespace!="",pod!=""}': [
    { __name__: 'websocket_connections', namespace: 'platform', pod: 'collab-a' },
  ],
  '{__name__="DCGM_FI_DEV_GPU_UTIL",pod!="",exported_pod=""}': [
    { __name__: 'DCGM_FI_DEV_GPU_UTIL', namespace: 'platform', pod: 'ai-0' },
  ],
  '{__name__="DCGM_FI_DEV_GPU_UTIL",exported_pod!=""}': [
    {
      __name__: 'DCGM_FI_DEV_GPU_UTIL',
      namespace: 'gpu-operator',
      pod: 'dcgm-exporter-x',
      exported_namespace: 'platform',
      exported_pod: 'ai-1',
    },
  ],
  '{__name__="http_requests_total",namespace!="",pod!=""}': [
    { __name__: 'http_requests_total', namespace: 'platform', pod: 'gw-0' },
  ],
  '{__name__="node_load1",node!=""}': [{ __name__: 'node_load1', node: 'n1' }],
  '{__name__="job_queue_length",queue!=""}': [
    { __name__: 'job_queue_length', namespace: 'platform', queue: 'render' },
  ],
  '{__name__="jobs_waiting",tier!=""}': [{ __name__: 'jobs_waiting', tier: 'gpu-a' }],
};

const sample = (
  labels: Record<string, string>,
  value: string,
  timestamp = 1700000000.5,
): Sample => ({
  labels,
  value,
  timestamp,
});

/** A data-driven fake: instant query expression → result; any other expression is an error. */
function fakeClient(answers: Record<string, Sample[]>) {
  const queries: string[] = [];
  // The series each query's values are dated by (the real client's part: client.test.ts).
  const sampleTimes: (SampleSource | undefined)[] = [];
  const client: PrometheusClient = {
    async query(expr, _time, times) {
      queries.push(expr);
      sampleTimes.push(times);
      const answer = answers[expr];
      if (!answer) throw new Error(`unexpected query ${expr}`);
      return answer;
    },
    async series(matchers) {
      return series[matchers[0] as string] ?? [];
    },
  };
  return { client, queries, sampleTimes };
}

async function providerWith(answers: Record<string, Sample[]>) {
  const fake = fakeClient(answers);
  const provider = createPrometheusProvider({
    client: fake.client,
    config,
    lister: kubeStateObjectLister(fake.client),
    relistIntervalMs: 60_000,
    maxAgeMs: 600_000,
    cacheTtlMs: 5_000,
  });
  await provider.relist();
  return { provider, queries: fake.queries, sampleTimes: fake.sampleTimes };
}

const sel = parseLabelSelector;

describe('Prometheus provider', () => {
  it('lists what discovery found, merging rules that yield one metric', async () => {
    const { provider } = await providerWith({});
    expect(provider.customMetrics()).toEqual([
      { resource: 'namespaces', metric: 'gpu_utilization', namespaced: false },
      { resource: 'namespaces', metric: 'http_requests_per_second', namespaced: false },
      { resource: 'namespaces', metric: 'websocket_connections', namespaced: false },
      { resource: 'nodes', metric: 'node_load1', namespaced: false },
      { resource: 'pods', metric: 'gpu_utilization', namespaced: true },
      { resource: 'pods', metric: 'http_requests_per_second', namespaced: true },
      { resource: 'pods', metric: 'websocket_connections', namespaced: true },
    ]);
    expect(provider.externalMetrics()).toEqual([
      { resource: '', metric: 'job_queue_length', namespaced: true },
      { resource: '', metric: 'jobs_waiting', namespaced: false },
    ]);
  });

  it('answers pods/* with one grouped query and filters by the pods the selector picks', async () => {
    const { provider, queries } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': [
        sample({ pod: 'collab-b' }, '12'),
        sample({ pod: 'collab-a' }, '1.5'),
        sample({ pod: 'other' }, '7'),
      ],
      'group by (pod) (kube_pod_labels{namespace="platform",label_app_kubernetes_io_name=~"collab|collab\\\\.v2"})':
        [sample({ pod: 'collab-a' }, '1'), sample({ pod: 'collab-b' }, '1')],
    });
    const items = await provider.objectValues({
      resource: 'pods',
      namespace: 'platform',
      name: '*',
      metric: 'websocket_connections',
      labelSelector: sel('app.kubernetes.io/name in (collab, collab.v2)'),
      metricLabelSelector: [],
    });
    expect(items).toEqual([
      {
        describedObject: {
          kind: 'Pod',
          namespace: 'platform',
          name: 'collab-a',
          apiVersion: '/v1',
        },
        value: '1.5',
        timestamp: 1700000000.5,
      },
      {
        describedObject: {
          kind: 'Pod',
          namespace: 'platform',
          name: 'collab-b',
          apiVersion: '/v1',
        },
        value: '12',
        timestamp: 1700000000.5,
      },
    ]);
    expect(queries).toHaveLength(2);
  });

  it('keeps the query small at 1,500 pods: no pod names are sent', async () => {
    const pods = Array.from({ length: 1500 }, (_, i) => `collab-${String(i).padStart(5, '0')}`);
    const { provider, queries } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': pods.map((pod) =>
        sample({ pod }, '3'),
      ),
      'group by (pod) (kube_pod_labels{namespace="platform",label_app="collab"})': pods.map((pod) =>
        sample({ pod }, '1'),
      ),
    });
    const items = await provider.objectValues({
      resource: 'pods',
      namespace: 'platform',
      name: '*',
      metric: 'websocket_connections',
      labelSelector: sel('app=collab'),
      metricLabelSelector: [],
    });
    expect(items).toHaveLength(1500);
    for (const q of queries) expect(q.length).toBeLessThan(200);
  });

  it('answers 404 for a * whose selector picks no pod, and an empty list where the pods it picks have no value', async () => {
    // prometheus-adapter: GetMetricBySelector lists no names, QueryForMetric builds no query
    // for none ("no resource names requested while producing a query"), NewMetricNotFoundError.
    const { provider } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': [
        sample({ pod: 'collab-a' }, '4'),
      ],
      'group by (pod) (kube_pod_labels{namespace="platform",label_app="none"})': [],
      'group by (pod) (kube_pod_labels{namespace="platform",label_app="idle"})': [
        sample({ pod: 'idle-0' }, '1'),
      ],
    });
    const all = (app: string) =>
      provider.objectValues({
        resource: 'pods',
        namespace: 'platform',
        name: '*',
        metric: 'websocket_connections',
        labelSelector: sel(`app=${app}`),
        metricLabelSelector: [],
      });
    await expect(all('none')).rejects.toThrow(
      new MetricNotFoundError('websocket_connections', 'pods'),
    );
    expect(await all('idle')).toEqual([]);
  });

  it('asks for one named pod and answers 404 when it has no value', async () => {
    const { provider } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod="collab-a"}) by (pod)': [
        sample({ pod: 'collab-a' }, '4'),
      ],
      'sum(websocket_connections{namespace="platform",pod="gone"}) by (pod)': [],
    });
    const one = await provider.objectValues({
      resource: 'pods',
      namespace: 'platform',
      name: 'collab-a',
      metric: 'websocket_connections',
      labelSelector: [],
      metricLabelSelector: [],
    });
    expect(one.map((i) => [i.describedObject.name, i.value])).toEqual([['collab-a', '4']]);
    await expect(
      provider.objectValues({
        resource: 'pods',
        namespace: 'platform',
        name: 'gone',
        metric: 'websocket_connections',
        labelSelector: [],
        metricLabelSelector: [],
      }),
    ).rejects.toThrow(MetricNotFoundError);
  });

  it('answers for the object asked for alone, in its namespace, whatever else the query answers for', async () => {
    // A rule's query that drops the matchers (`avg by (exported_namespace, exported_container)
    // (…<<.Series>>…)`, a DCGM example) answers for every object: a named request listed them
    // all (the HPA's client refuses a list of more than one), a `*` those of other namespaces.
    const { provider } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod="collab-a"}) by (pod)': [
        sample({ pod: 'collab-b' }, '9'),
        sample({ namespace: 'elsewhere', pod: 'collab-a' }, '7'),
        sample({ namespace: 'platform', pod: 'collab-a' }, '4'),
      ],
      'sum(websocket_connections{namespace="platform",pod="collab-c"}) by (pod)': [
        sample({ pod: 'collab-b' }, '9'),
      ],
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': [
        sample({ namespace: 'elsewhere', pod: 'collab-x' }, '7'),
        sample({ namespace: 'platform', pod: 'collab-a' }, '4'),
        sample({ pod: 'collab-b' }, '9'),
      ],
    });
    const asked = (name: string) =>
      provider.objectValues({
        resource: 'pods',
        namespace: 'platform',
        name,
        metric: 'websocket_connections',
        labelSelector: [],
        metricLabelSelector: [],
      });
    expect((await asked('collab-a')).map((i) => [i.describedObject.name, i.value])).toEqual([
      ['collab-a', '4'],
    ]);
    await expect(asked('collab-c')).rejects.toThrow(
      'the server could not find the metric websocket_connections for pods collab-c',
    );
    expect((await asked('*')).map((i) => [i.describedObject.name, i.value])).toEqual([
      ['collab-a', '4'],
      ['collab-b', '9'],
    ]);
  });

  it('answers 404 for a metric discovery did not find, and for the wrong scope', async () => {
    const { provider } = await providerWith({});
    const base = { name: '*', labelSelector: [], metricLabelSelector: [] } as const;
    await expect(
      provider.objectValues({ ...base, resource: 'pods', namespace: 'platform', metric: 'nope' }),
    ).rejects.toThrow('the server could not find the metric nope for pods');
    await expect(
      provider.objectValues({ ...base, resource: 'pods', metric: 'websocket_connections' }),
    ).rejects.toThrow(MetricNotFoundError);
    await expect(
      provider.externalValues({ namespace: 'platform', metric: 'nope', metricLabelSelector: [] }),
    ).rejects.toThrow(MetricNotFoundError);
    // Named, as prometheus-adapter's buildQuery answers before it asks for the object: the
    // metric is not found for the resource, the name not in the message.
    await expect(
      provider.objectValues({
        ...base,
        name: 'web-0',
        resource: 'pods',
        namespace: 'platform',
        metric: 'nope',
      }),
    ).rejects.toThrow(/^the server could not find the metric nope for pods$/);
  });

  it('serves DCGM utilisation from both pod and exported_pod labels, the last rule winning', async () => {
    const { provider } = await providerWith({
      'avg(DCGM_FI_DEV_GPU_UTIL{namespace="platform",pod!="",exported_pod=""}) by (pod)': [
        sample({ pod: 'ai-0' }, '80'),
      ],
      'avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="platform",exported_pod!=""}) by (exported_pod)':
        [sample({ exported_pod: 'ai-1' }, '40'), sample({ exported_pod: 'ai-0' }, '10')],
    });
    const items = await provider.objectValues({
      resource: 'pods',
      namespace: 'platform',
      name: '*',
      metric: 'gpu_utilization',
      labelSelector: [],
      metricLabelSelector: [],
    });
    // ai-0 has a value from both rules: the exported_pod rule comes last in the config.
    expect(items.map((i) => [i.describedObject.name, i.value])).toEqual([
      ['ai-0', '10'],
      ['ai-1', '40'],
    ]);
  });

  it('reports the window of a rate query and applies metric label matchers', async () => {
    const { provider } = await providerWith({
      'sum(rate(http_requests_total{namespace="platform",pod!="",code!~"4\\\\.x|500"}[2m])) by (pod)':
        [sample({ pod: 'gw-0' }, '0.25')],
    });
    const [item] = await provider.objectValues({
      resource: 'pods',
      namespace: 'platform',
      name: '*',
      metric: 'http_requests_per_second',
      labelSelector: [],
      metricLabelSelector: sel('code notin (500, 4.x)'),
    });
    expect(item?.windowSeconds).toBe(120);
  });

  it('refuses a metric label selector key that is no Prometheus label name', async () => {
    const { provider } = await providerWith({});
    await expect(
      provider.objectValues({
        resource: 'pods',
        namespace: 'platform',
        name: '*',
        metric: 'websocket_connections',
        labelSelector: [],
        metricLabelSelector: sel('example.com/tier=gold'),
      }),
    ).rejects.toThrow(BadSelectorError);
  });

  it('never renders empty LabelMatchers: nodes/* and namespaces/* match series naming an object', async () => {
    // The prometheus-community Helm chart's default rules, whose templates put more matchers
    // after <<.LabelMatchers>>: with no namespace and no names, `{,container!="POD"}` is no PromQL.
    const helm = parseAdapterConfig(
      `
rules:
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^container_(.*)_seconds_total$"}
  metricsQuery: sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m])) by (<<.GroupBy>>)
- seriesQuery: '{__name__="node_load1",node!=""}'
  resources: {template: "<<.Resource>>"}
  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>,job="node"}) by (<<.GroupBy>>)'
`,
      'helm.yaml',
    );
    const found: Record<string, Record<string, string>[]> = {
      '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}': [
        { __name__: 'container_cpu_usage_seconds_total', namespace: 'platform', pod: 'p' },
      ],
      '{__name__="node_load1",node!=""}': [{ __name__: 'node_load1', node: 'n1' }],
    };
    const queries: string[] = [];
    const provider = createPrometheusProvider({
      client: {
        async query(expr) {
          queries.push(expr);
          return [];
        },
        series: async (m) => found[m[0] as string] ?? [],
      },
      config: helm,
      lister: { names: async () => new Set() },
      relistIntervalMs: 60_000,
      maxAgeMs: 600_000,
      cacheTtlMs: 1,
    });
    await provider.relist();
    const all = { name: '*', labelSelector: [], metricLabelSelector: [] } as const;
    await provider.objectValues({ ...all, resource: 'namespaces', metric: 'cpu_usage' });
    await provider.objectValues({ ...all, resource: 'nodes', metric: 'node_load1' });
    expect(queries).toEqual([
      'sum(rate(container_cpu_usage_seconds_total{namespace!="",container!="POD"}[5m])) by (namespace)',
      'avg(node_load1{node!="",job="node"}) by (node)',
    ]);
  });

  it('answers pods/* with no selector for the pods a complete lister lists, not for deleted ones', async () => {
    // Prometheus still returns the last sample of a pod deleted within its lookback window.
    const answer = [
      sample({ pod: 'web-1' }, '3'),
      sample({ pod: 'web-0' }, '2'),
      sample({ pod: 'gone' }, '9'),
    ];
    const fake = fakeClient({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': answer,
    });
    const listed: string[] = [];
    const providerOf = (lister: ObjectLister) =>
      createPrometheusProvider({
        client: fake.client,
        config,
        lister,
        relistIntervalMs: 60_000,
        maxAgeMs: 600_000,
        cacheTtlMs: 0,
      });
    const ask = async (lister: ObjectLister) => {
      const provider = providerOf(lister);
      await provider.relist();
      const items = await provider.objectValues({
        resource: 'pods',
        namespace: 'platform',
        name: '*',
        metric: 'websocket_connections',
        labelSelector: [],
        metricLabelSelector: [],
      });
      return items.map((i) => i.describedObject.name);
    };
    const api: ObjectLister = {
      complete: true,
      async names(resource, namespace, selector) {
        listed.push(`${resource} ${namespace} ${selector.length}`);
        return new Set(['web-0', 'web-1']);
      },
    };
    expect(await ask(api)).toEqual(['web-0', 'web-1']);
    expect(listed).toEqual(['pods platform 0']);
    // Series of kube-state-metrics may be missing: without a selector they are not asked.
    const kubeState: ObjectLister = { names: async () => new Set() };
    expect(await ask(kubeState)).toEqual(['gone', 'web-0', 'web-1']);
  });

  it('reads a complete lister on every request, and keeps what kube-state-metrics picked', async () => {
    // The watch has a new pod at once; kube-state-metrics' series cost a query, so they are kept.
    const fake = fakeClient({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': [
        sample({ pod: 'web-0' }, '2'),
        sample({ pod: 'web-1' }, '3'),
      ],
    });
    const ask = async (complete: boolean) => {
      let pods = ['web-0'];
      const provider = createPrometheusProvider({
        client: fake.client,
        config,
        lister: { complete, names: async () => new Set(pods) },
        relistIntervalMs: 60_000,
        maxAgeMs: 600_000,
        cacheTtlMs: 0,
        objectCacheTtlMs: 15_000,
      });
      await provider.relist();
      const names = async () =>
        (
          await provider.objectValues({
            resource: 'pods',
            namespace: 'platform',
            name: '*',
            metric: 'websocket_connections',
            labelSelector: [{ key: 'app', operator: 'exists', values: [] }],
            metricLabelSelector: [],
          })
        ).map((i) => i.describedObject.name);
      const before = await names();
      pods = ['web-0', 'web-1'];
      return [before, await names()];
    };
    expect(await ask(true)).toEqual([['web-0'], ['web-0', 'web-1']]);
    expect(await ask(false)).toEqual([['web-0'], ['web-0']]);
  });

  it('gives a custom resource the apiVersion its lister found by discovery', async () => {
    const rollouts = parseAdapterConfig(
      `
rules:
- seriesQuery: 'rollout_requests{namespace!="",rollout!=""}'
  resources: {overrides: {namespace: {resource: namespace}, rollout: {group: argoproj.io, resource: rollouts}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`,
      'rollouts.yaml',
    );
    const providerOf = (lister: ObjectLister) =>
      createPrometheusProvider({
        client: {
          query: async () => [sample({ rollout: 'checkout' }, '5')],
          series: async () => [
            { __name__: 'rollout_requests', namespace: 'platform', rollout: 'checkout' },
          ],
        },
        config: rollouts,
        lister,
        relistIntervalMs: 60_000,
        maxAgeMs: 600_000,
        cacheTtlMs: 0,
      });
    const apiVersion = async (lister: ObjectLister) => {
      const provider = providerOf(lister);
      await provider.relist();
      const [item] = await provider.objectValues({
        resource: 'rollouts.argoproj.io',
        namespace: 'platform',
        name: 'checkout',
        metric: 'rollout_requests',
        labelSelector: [],
        metricLabelSelector: [],
      });
      return item?.describedObject.apiVersion;
    };
    const names = async () => new Set<string>();
    const rollout = {
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      resource: 'rollouts',
      singular: 'rollout',
      namespaced: true,
      key: 'rollouts.argoproj.io',
    };
    expect(await apiVersion({ names, discover: async () => rollout })).toBe('argoproj.io/v1alpha1');
    // A lister that cannot ask (kube-state-metrics) leaves the guess.
    expect(await apiVersion({ names })).toBe('argoproj.io/v1');
  });

  it('gives a rule that asks for LabelValuesByName of the object label the names, joined by |', async () => {
    // As upstream's Build: only such a rule gets the list of names in its query.
    const byName = parseAdapterConfig(
      `
rules:
- seriesQuery: '{__name__="queue_depth",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  metricsQuery: 'max(<<.Series>>{namespace="<<.LabelValuesByName.namespace>>",pod=~"<<.LabelValuesByName.pod>>"}) by (pod)'
`,
      'by-name.yaml',
    );
    const queries: string[] = [];
    const provider = createPrometheusProvider({
      client: {
        async query(expr) {
          queries.push(expr);
          return [sample({ pod: 'worker-b' }, '4'), sample({ pod: 'worker-a' }, '2')];
        },
        series: async () => [{ __name__: 'queue_depth', namespace: 'jobs', pod: 'worker-a' }],
      },
      config: byName,
      lister: { names: async () => new Set(['worker-b', 'worker-a']) },
      relistIntervalMs: 60_000,
      maxAgeMs: 600_000,
      cacheTtlMs: 0,
    });
    await provider.relist();
    const items = await provider.objectValues({
      resource: 'pods',
      namespace: 'jobs',
      name: '*',
      metric: 'queue_depth',
      labelSelector: sel('app=worker'),
      metricLabelSelector: [],
    });
    expect(queries).toEqual([
      'max(queue_depth{namespace="jobs",pod=~"worker-a|worker-b"}) by (pod)',
    ]);
    expect(items.map((i) => [i.describedObject.name, i.value])).toEqual([
      ['worker-a', '2'],
      ['worker-b', '4'],
    ]);
  });

  it('refuses > and < in a metric label selector with 400, as prometheus-adapter does', async () => {
    const { provider, queries } = await providerWith({});
    const base = {
      resource: 'pods',
      namespace: 'platform',
      metric: 'http_requests_per_second',
      labelSelector: [],
    };
    for (const name of ['*', 'gw-0']) {
      await expect(
        provider.objectValues({ ...base, name, metricLabelSelector: sel('code>499') }),
      ).rejects.toThrow(
        new BadSelectorError(
          'metricLabelSelector: operator ">" in "code>499" is not supported (Prometheus label matchers compare text, not numbers)',
        ),
      );
    }
    await expect(
      provider.externalValues({
        namespace: 'platform',
        metric: 'job_queue_length',
        metricLabelSelector: sel('queue=render,depth<10'),
      }),
    ).rejects.toThrow('metricLabelSelector: operator "<" in "depth<10" is not supported');
    expect(queries).toEqual([]);
  });

  it('serves root-scoped nodes and namespace metrics without a namespace on the object', async () => {
    const { provider } = await providerWith({
      'sum(node_load1{node="n1"}) by (node)': [sample({ node: 'n1' }, '2')],
      'sum(websocket_connections{namespace="platform"}) by (namespace)': [
        sample({ namespace: 'platform' }, '20'),
      ],
    });
    const [node] = await provider.objectValues({
      resource: 'nodes',
      name: 'n1',
      metric: 'node_load1',
      labelSelector: [],
      metricLabelSelector: [],
    });
    expect(node?.describedObject).toEqual({ kind: 'Node', name: 'n1', apiVersion: '/v1' });
    // As the router reads /namespaces/platform/metrics/websocket_connections: no namespace.
    const [ns] = await provider.objectValues({
      resource: 'namespaces',
      name: 'platform',
      metric: 'websocket_connections',
      labelSelector: [],
      metricLabelSelector: [],
    });
    expect(ns?.describedObject).toEqual({ kind: 'Namespace', name: 'platform', apiVersion: '/v1' });
    expect(ns?.value).toBe('20');
  });

  it('serves external metrics as prometheus-adapter queries them: the selector, then the namespace, nothing to group by', async () => {
    const { provider, queries } = await providerWith({
      'sum(job_queue_length{queue="render",namespace="platform"}) by ()': [
        sample({}, '42', 1700000001),
      ],
    });
    const items = await provider.externalValues({
      namespace: 'platform',
      metric: 'job_queue_length',
      metricLabelSelector: sel('queue=render'),
    });
    expect(items).toEqual([{ labels: {}, value: '42', timestamp: 1700000001 }]);
    expect(queries).toEqual(['sum(job_queue_length{queue="render",namespace="platform"}) by ()']);
  });

  it("asks for the values at their samples' time, from the rule's series and matchers", async () => {
    const { provider, queries, sampleTimes } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': [
        sample({ pod: 'a' }, '1'),
      ],
      'sum(job_queue_length{queue="render",namespace="platform"}) by ()': [sample({}, '42')],
    });
    await provider.objectValues({
      resource: 'pods',
      namespace: 'platform',
      name: '*',
      metric: 'websocket_connections',
      labelSelector: [],
      metricLabelSelector: [],
    });
    await provider.externalValues({
      namespace: 'platform',
      metric: 'job_queue_length',
      metricLabelSelector: sel('queue=render'),
    });
    expect(queries.map((q, i) => [q, sampleTimes[i]])).toEqual([
      [
        'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)',
        {
          series: 'websocket_connections',
          matchers: ['namespace="platform"', 'pod!=""'],
        },
      ],
      [
        'sum(job_queue_length{queue="render",namespace="platform"}) by ()',
        {
          series: 'job_queue_length',
          matchers: ['queue="render"', 'namespace="platform"'],
        },
      ],
    ]);
  });

  it('gives external templates the selector values by label, after labelValueReplacements', async () => {
    const { provider, queries } = await providerWith({
      'sum(jobs_waiting{tier_name="gpu_a|gpu_b"}) by (gpu_a|gpu_b)': [sample({}, '3')],
    });
    await provider.externalValues({
      namespace: 'platform',
      metric: 'jobs_waiting',
      metricLabelSelector: sel('tier in (gpu-a,gpu-b)'),
    });
    expect(queries).toEqual(['sum(jobs_waiting{tier_name="gpu_a|gpu_b"}) by (gpu_a|gpu_b)']);
  });

  it('collapses concurrent identical requests into one query and serves repeats from the cache', async () => {
    const { provider, queries } = await providerWith({
      'sum(websocket_connections{namespace="platform",pod!=""}) by (pod)': [
        sample({ pod: 'a' }, '1'),
      ],
    });
    const q = {
      resource: 'pods',
      namespace: 'platform',
      name: '*',
      metric: 'websocket_connections',
      labelSelector: [],
      metricLabelSelector: [],
    };
    await Promise.all([provider.objectValues(q), provider.objectValues(q)]);
    await provider.objectValues(q);
    expect(queries).toHaveLength(1);
  });

  /** A provider for relist tests: series listed as `listSeries` answers, values never asked. */
  const relisting = (listSeries: PrometheusClient['series']) =>
    createPrometheusProvider({
      client: { query: () => Promise.reject(new Error('not used')), series: listSeries },
      config,
      lister: { names: async () => new Set() },
      relistIntervalMs: 60_000,
      maxAgeMs: 1,
      cacheTtlMs: 1,
    });

  it('keeps the last table when a relist fails', async () => {
    let up = true;
    const provider = relisting(async (m) => {
      if (!up) throw new Error('prometheus down');
      return series[m[0] as string] ?? [];
    });
    await provider.relist();
    const before = provider.customMetrics();
    up = false;
    await provider.relist();
    expect(provider.ready()).toBe(true);
    expect(provider.customMetrics()).toEqual(before);
    expect(before).toHaveLength(7);
  });

  it('keeps a metric through one empty relist (Prometheus shutting down) and drops it after two', async () => {
    // Recorded from Debian's prometheus 2.x between SIGTERM and exit:
    // GET /api/v1/series?match[]=up → {"status":"success","data":[]}
    let empty = false;
    const provider = relisting(async (m) => (empty ? [] : (series[m[0] as string] ?? [])));
    await provider.relist();
    const before = provider.customMetrics();
    expect(before.map((m) => `${m.resource}/${m.metric}`)).toContain('pods/websocket_connections');
    empty = true;
    await provider.relist();
    expect(provider.customMetrics()).toEqual(before);
    await provider.relist();
    expect(provider.customMetrics()).toEqual([]);
    // Seen again, and the grace starts over.
    empty = false;
    await provider.relist();
    empty = true;
    await provider.relist();
    expect(provider.customMetrics()).toEqual(before);
  });

  // As upstream, whose custom and external metrics have a lister each (cmd/adapter/adapter.go's
  // makeProvider and makeExternalProvider): one half's refused series query leaves the other's.
  const CUSTOM_QUERY = '{__name__="websocket_connections",namespace!="",pod!=""}';
  const refusing = (
    refused: (m: string) => boolean,
    failures: unknown[],
    listed: Record<string, Record<string, string>[]> = series,
  ) =>
    createPrometheusProvider({
      client: {
        query: () => Promise.reject(new Error('not used')),
        series: async (m) => {
          if (refused(m[0] as string))
            throw new Error('bad_data: match[] must contain at least one non-empty matcher');
          return listed[m[0] as string] ?? [];
        },
      },
      config,
      lister: { names: async () => new Set() },
      relistIntervalMs: 60_000,
      maxAgeMs: 1,
      cacheTtlMs: 1,
      observer: { relistFailed: (err) => failures.push(err) },
    });
  const externalNames = (p: { externalMetrics(): readonly { metric: string }[] }) =>
    p.externalMetrics().map((m) => m.metric);

  it('serves the external metrics when a custom rule’s series query is refused from the start', async () => {
    const failures: unknown[] = [];
    const provider = refusing((m) => m === CUSTOM_QUERY, failures);
    await provider.relist();
    expect(provider.ready()).toBe(true);
    expect(externalNames(provider)).toEqual(['job_queue_length', 'jobs_waiting']);
    expect(provider.customMetrics()).toEqual([]);
    expect(String(failures[0])).toContain(`seriesQuery ${JSON.stringify(CUSTOM_QUERY)}`);
  });

  it('keeps the custom metrics and relists the external ones when only a custom query fails', async () => {
    let refuse = false;
    const failures: unknown[] = [];
    const listed = { ...series };
    const provider = refusing((m) => refuse && m === CUSTOM_QUERY, failures, listed);
    await provider.relist();
    const custom = provider.customMetrics();
    expect(custom).toHaveLength(7);
    refuse = true;
    // jobs_waiting gone from Prometheus for two relists (one of grace): the external half moves on.
    listed['{__name__="jobs_waiting",tier!=""}'] = [];
    await provider.relist();
    await provider.relist();
    expect(provider.customMetrics()).toEqual(custom);
    expect(externalNames(provider)).toEqual(['job_queue_length']);
    expect(failures).toHaveLength(2);
  });

  it('fails the first relist loudly when Prometheus is down', async () => {
    const provider = relisting(() => Promise.reject(new Error('down')));
    await expect(provider.relist()).rejects.toThrow('down');
    expect(provider.ready()).toBe(false);
  });
});

describe('queryWindowSeconds', () => {
  it('takes the longest range selector, with compound durations and subqueries', () => {
    expect(queryWindowSeconds('rate(x[2m])')).toBe(120);
    expect(queryWindowSeconds('rate(x[1m30s]) / rate(y[5m:30s])')).toBe(300);
    expect(queryWindowSeconds('sum(x)')).toBeUndefined();
  });

  it('reads no range inside a string literal', () => {
    expect(queryWindowSeconds('sum(x{path="/a[5m]"})')).toBeUndefined();
    expect(queryWindowSeconds("sum(rate(x{path='/a[5m]'}[1m]))")).toBe(60);
    expect(queryWindowSeconds('sum(rate(x{path=`/a[5m]`}[1m]))')).toBe(60);
    // Escaped quotes do not end the literal; a raw string has no escapes.
    expect(queryWindowSeconds('rate(x{p="\\"[5m]\\""}[2m])')).toBe(120);
    expect(queryWindowSeconds("rate(x{p='\\'[5m]'}[2m])")).toBe(120);
    expect(queryWindowSeconds('rate(x{p=`\\`[5m]}[2m])')).toBe(300);
  });

  it('reads no range in a comment, and a # in a string as text', () => {
    expect(queryWindowSeconds('# not [10m]\nsum(rate(x[1m]))')).toBe(60);
    expect(queryWindowSeconds('sum(rate(x[1m])) # was [10m]')).toBe(60);
    expect(queryWindowSeconds('sum(x) # [10m]\n + sum(rate(y[2m]))')).toBe(120);
    expect(queryWindowSeconds('sum(rate(x{p="#"}[5m]))')).toBe(300);
    expect(queryWindowSeconds("sum(rate(x{p='# [9m]'}[5m])) # [10m]")).toBe(300);
  });
});

describe('rules that yield one metric, as prometheus-adapter keeps the last', () => {
  // Presets come first in a merged config (withPresets), the user's rules last.
  const merged = parseAdapterConfig(
    `
rules:
- seriesQuery: '{__name__=~"[ab]_requests_total",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^[ab]_requests_total$", as: requests}
- seriesQuery: '{__name__="c_requests_total",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^c_requests_total$", as: requests}
externalRules:
- seriesQuery: '{__name__="job_queue_length",namespace!="",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
- seriesQuery: '{__name__="job_queue_length",namespace!="",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
- seriesQuery: '{__name__="orders_pending"}'
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})'
- seriesQuery: '{__name__="orders_open"}'
  resources: {namespaced: false}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (shop)'
`,
    'merged.yaml',
  );
  const found: Record<string, Record<string, string>[]> = {
    '{__name__=~"[ab]_requests_total",namespace!="",pod!=""}': [
      { __name__: 'a_requests_total', namespace: 'web', pod: 'w-0' },
      { __name__: 'b_requests_total', namespace: 'web', pod: 'w-0' },
    ],
    '{__name__="c_requests_total",namespace!="",pod!=""}': [
      { __name__: 'c_requests_total', namespace: 'web', pod: 'w-1' },
    ],
    '{__name__="job_queue_length",namespace!="",queue!=""}': [
      { __name__: 'job_queue_length', namespace: 'web', queue: 'render' },
    ],
    '{__name__="orders_pending"}': [{ __name__: 'orders_pending', shop: 'x' }],
    '{__name__="orders_open"}': [{ __name__: 'orders_open', shop: 'x' }],
  };
  async function providerFor(answers: Record<string, Sample[]>) {
    const queries: string[] = [];
    const overlaps: string[][] = [];
    const provider = createPrometheusProvider({
      client: {
        async query(expr) {
          queries.push(expr);
          const answer = answers[expr];
          if (!answer) throw new Error(`unexpected query ${expr}`);
          return answer;
        },
        series: async (m) => found[m[0] as string] ?? [],
      },
      config: merged,
      lister: { names: async () => new Set() },
      relistIntervalMs: 60_000,
      maxAgeMs: 600_000,
      cacheTtlMs: 0,
      observer: {
        externalOverlaps: (list) => {
          for (const o of list)
            overlaps.push([o.metric, ruleName(o.served), ...o.shadowed.map(ruleName)]);
        },
      },
    });
    await provider.relist();
    return { provider, queries, overlaps };
  }

  it('queries only the last external rule, and says which rules it left out', async () => {
    const { provider, queries, overlaps } = await providerFor({
      'sum(job_queue_length{namespace="web"}) by (queue)': [
        sample({ queue: 'render' }, '20', 1700000002),
      ],
    });
    const items = await provider.externalValues({
      namespace: 'web',
      metric: 'job_queue_length',
      metricLabelSelector: [],
    });
    // One item, from the last rule: an HPA sums every item, so a second one would add to it.
    expect(items).toEqual([{ labels: { queue: 'render' }, value: '20', timestamp: 1700000002 }]);
    expect(queries).toEqual(['sum(job_queue_length{namespace="web"}) by (queue)']);
    expect(overlaps).toEqual([
      ['job_queue_length', 'merged.yaml externalRules[1]', 'merged.yaml externalRules[0]'],
    ]);
  });

  it('answers an object from the last rule with a value for it, querying the last series name', async () => {
    const { provider, queries } = await providerFor({
      'sum(b_requests_total{namespace="web",pod!=""}) by (pod)': [
        sample({ pod: 'w-0' }, '1'),
        sample({ pod: 'w-1' }, '2'),
      ],
      'sum(c_requests_total{namespace="web",pod!=""}) by (pod)': [sample({ pod: 'w-1' }, '3')],
    });
    const items = await provider.objectValues({
      resource: 'pods',
      namespace: 'web',
      name: '*',
      metric: 'requests',
      labelSelector: [],
      metricLabelSelector: [],
    });
    expect(items.map((i) => [i.describedObject.name, i.value])).toEqual([
      ['w-0', '1'],
      ['w-1', '3'],
    ]);
    expect(queries.sort()).toEqual([
      'sum(b_requests_total{namespace="web",pod!=""}) by (pod)',
      'sum(c_requests_total{namespace="web",pod!=""}) by (pod)',
    ]);
  });

  it('fails a namespaced external rule that maps no namespace label, as upstream, naming the fix', async () => {
    const { provider, queries } = await providerFor({});
    const asked = provider.externalValues({
      namespace: 'web',
      metric: 'orders_pending',
      metricLabelSelector: [],
    });
    await expect(asked).rejects.toThrow(RuleError);
    await expect(asked).rejects.toThrow(
      'external metric orders_pending: external rule merged.yaml externalRules[2] is namespaced but maps no label to namespaces (prometheus-adapter: unable to convert resource namespaces into label: no generic resource label form specified for this metric); map the namespace label in resources.overrides (namespace: {resource: namespace}) or resources.template, or set resources.namespaced: false',
    );
    expect(queries).toEqual([]);
    expect(configWarnings(merged)).toEqual([
      'external rule merged.yaml externalRules[2] is namespaced but maps no label to namespaces (prometheus-adapter: unable to convert resource namespaces into label: no generic resource label form specified for this metric); map the namespace label in resources.overrides (namespace: {resource: namespace}) or resources.template, or set resources.namespaced: false',
    ]);
  });

  it('keeps every label of an external sample, __name__ included, as upstream convertLabels', async () => {
    const { provider } = await providerFor({
      'sum(orders_open{}) by (shop)': [
        sample({ __name__: 'orders_open', shop: 'x' }, '5', 1700000003),
      ],
    });
    const items = await provider.externalValues({
      namespace: 'web',
      metric: 'orders_open',
      metricLabelSelector: [],
    });
    expect(items).toEqual([
      { labels: { __name__: 'orders_open', shop: 'x' }, value: '5', timestamp: 1700000003 },
    ]);
  });

  // prometheus-adapter's convertScalar builds the ExternalMetricValue without MetricLabels (nil),
  // convertVector with convertLabels' map, empty for a series without labels.
  it.each([
    ['a scalar', null, { labels: {}, value: '5', timestamp: 1700000003, scalar: true as const }],
    ['a vector sample without labels', {}, sample({}, '5', 1700000003)],
  ])('gives the external value of %s the labels %j', async (_what, labels, answer) => {
    const { provider } = await providerFor({ 'sum(orders_open{}) by (shop)': [answer] });
    const items = await provider.externalValues({
      namespace: 'web',
      metric: 'orders_open',
      metricLabelSelector: [],
    });
    expect(items).toEqual([{ labels, value: '5', timestamp: 1700000003 }]);
  });
});
