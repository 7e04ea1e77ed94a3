import type { ObjectLister } from '../../k8s/objects';
import type { ApiResource } from '../../k8s/resources';
import { parseAdapterConfig } from './config';
import type { PrometheusClient } from './client';
import {
  buildMetricTable,
  discoverResourceNames,
  withDiscoveredScopes,
  externalOverlaps,
  listSeries,
  tableKey,
} from './discovery';

const config = parseAdapterConfig(
  `
rules:
- seriesQuery: '{__name__=~"websocket_connections|job_queue_length",namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      pod: {resource: pod}
  name: {matches: "^(.*)$"}
- seriesQuery: '{__name__="kube_node_cpu",node!=""}'
  resources:
    template: <<.Resource>>
externalRules:
- seriesQuery: '{__name__="job_queue_length",queue!=""}'
  resources: {namespaced: false}
  name: {matches: "^job_(.*)$", as: "jobs_$1"}
`,
  'rules.yaml',
);

// A data-driven fake: series per seriesQuery, as /api/v1/series returns them.
const seriesByQuery: Record<string, Record<string, string>[]> = {
  '{__name__=~"websocket_connections|job_queue_length",namespace!="",pod!=""}': [
    {
      __name__: 'websocket_connections',
      namespace: 'platform',
      pod: 'collab-a',
      job: 'collaboration',
    },
    {
      __name__: 'websocket_connections',
      namespace: 'platform',
      pod: 'collab-b',
      job: 'collaboration',
    },
    { __name__: 'job_queue_length', namespace: 'platform', pod: 'video-1', queue: 'render' },
  ],
  '{__name__="kube_node_cpu",node!=""}': [{ __name__: 'kube_node_cpu', node: 'n1' }],
  '{__name__="job_queue_length",queue!=""}': [
    { __name__: 'job_queue_length', queue: 'render', namespace: 'platform' },
  ],
};

const fakeClient = (calls: string[]): PrometheusClient => ({
  async query() {
    throw new Error('not used');
  },
  async series(matchers) {
    calls.push(...matchers);
    return seriesByQuery[matchers[0] as string] ?? [];
  },
});

describe('series discovery', () => {
  it('makes one series call per distinct seriesQuery', async () => {
    const calls: string[] = [];
    await listSeries(
      fakeClient(calls),
      [...config.rules, ...config.externalRules, ...config.rules],
      new Date(0),
    );
    expect(calls.sort()).toEqual(Object.keys(seriesByQuery).sort());
  });

  it('names the seriesQuery and its rules when Prometheus refuses to list its series', async () => {
    // Prometheus' answer names neither (upstream's lister says "unable to fetch metrics for
    // query …"); with many rules, the log line must say which one to fix.
    const refused = new Error(
      'prometheus rejected the query: match[] must contain at least one non-empty matcher',
    );
    const client: PrometheusClient = {
      async query() {
        throw new Error('not used');
      },
      async series(matchers) {
        if (matchers[0] === '{job=~".*"}') throw refused;
        return [];
      },
    };
    const bad = parseAdapterConfig(
      "rules:\n- seriesQuery: 'up'\n- seriesQuery: '{job=~\".*\"}'\n",
      'bad.yaml',
    ).rules;
    const failed = await listSeries(client, bad, new Date(0)).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failed?.message).toBe(
      'listing the series of seriesQuery "{job=~\\".*\\"}" (bad.yaml rules[1]): prometheus rejected the query: match[] must contain at least one non-empty matcher',
    );
    expect(failed?.cause).toBe(refused);
  });

  it('serves each metric for every resource its series name, namespaced where a namespace label maps', async () => {
    const series = await listSeries(
      fakeClient([]),
      [...config.rules, ...config.externalRules],
      new Date(0),
    );
    const table = buildMetricTable(config.rules, config.externalRules, series);
    const custom = [...table.custom.values()].map((e) => [e.resource, e.metric, e.namespaced]);
    expect(custom).toEqual([
      ['namespaces', 'job_queue_length', false],
      ['namespaces', 'websocket_connections', false],
      ['nodes', 'kube_node_cpu', false],
      ['pods', 'job_queue_length', true],
      ['pods', 'websocket_connections', true],
    ]);
    expect(
      table.custom.get(tableKey('pods', 'websocket_connections'))?.sources.map((s) => s.seriesName),
    ).toEqual(['websocket_connections']);
    expect(
      [...table.external.values()].map((e) => [
        e.metric,
        e.namespaced,
        e.sources.map((s) => s.seriesName),
      ]),
    ).toEqual([['jobs_queue_length', false, ['job_queue_length']]]);
  });

  it('never lists nodes or persistentvolumes as namespaced, whatever labels their series carry', () => {
    // Upstream's SetSeries sets Namespaced = false for namespaces, nodes and persistentvolumes.
    const rules = parseAdapterConfig(
      `rules:\n- seriesQuery: '{namespace!=""}'\n  resources: {template: "<<.Resource>>"}\n`,
      'template.yaml',
    ).rules;
    const listed = new Map<string, Record<string, string>[]>([
      [
        '{namespace!=""}',
        [
          { __name__: 'kube_pod_info', namespace: 'a', pod: 'p', node: 'n1' },
          { __name__: 'pv_used_bytes', namespace: 'a', persistentvolume: 'pv1' },
        ],
      ],
    ]);
    const table = buildMetricTable(rules, [], listed);
    expect([...table.custom.values()].map((e) => [e.resource, e.metric, e.namespaced])).toEqual([
      ['namespaces', 'kube_pod_info', false],
      ['namespaces', 'pv_used_bytes', false],
      ['nodes', 'kube_pod_info', false],
      ['persistentvolumes', 'pv_used_bytes', false],
      ['pods', 'kube_pod_info', true],
    ]);
  });

  it('serves a metric namespaced when any of its series carries the namespace, whatever their order', () => {
    // Upstream keys a metric by resource, name and whether it is namespaced (CustomMetricInfo),
    // so a series with the namespace label makes pods/<metric> namespaced whichever series, or
    // rule, came first; a namespaced request for it must not be a 404.
    const rules = parseAdapterConfig(
      [
        'rules:',
        "- seriesQuery: 'a'",
        '  resources: {overrides: {pod: {resource: pod}}}',
        "- seriesQuery: 'b'",
        '  resources: {template: "<<.Resource>>"}',
        '',
      ].join('\n'),
      'order.yaml',
    ).rules;
    const listed = new Map<string, Record<string, string>[]>([
      ['a', [{ __name__: 'foo', pod: 'p' }]],
      [
        'b',
        [
          { __name__: 'bar', pod: 'p' },
          { __name__: 'bar', pod: 'q', namespace: 'ns' },
          { __name__: 'foo', pod: 'q', namespace: 'ns' },
        ],
      ],
    ]);
    const table = buildMetricTable(rules, [], listed);
    expect(table.custom.get(tableKey('pods', 'bar'))?.namespaced).toBe(true);
    expect(table.custom.get(tableKey('pods', 'foo'))?.namespaced).toBe(true);
    // Only rule b can put the request's namespace in its query: rule a, which maps no label
    // to namespaces, would answer for a pod of that name in any namespace.
    const sources = (t: ReturnType<typeof buildMetricTable>) =>
      t.custom.get(tableKey('pods', 'foo'))?.sources.map((s) => s.rule.rule.origin);
    expect(sources(table)).toEqual(['order.yaml rules[1]']);
    expect(sources(buildMetricTable([...rules].reverse(), [], listed))).toEqual([
      'order.yaml rules[1]',
    ]);
  });

  it('queries the last series name a rule lists for a metric, as upstream overwrites it', () => {
    const { rules, externalRules } = parseAdapterConfig(
      `
rules:
- seriesQuery: '{__name__=~"[ab]_requests_total",namespace!="",pod!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^[ab]_requests_total$", as: requests}
externalRules:
- seriesQuery: '{__name__=~"[ab]_requests_total",namespace!="",pod!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^[ab]_requests_total$", as: requests}
`,
      'two-series.yaml',
    );
    // /api/v1/series lists series sorted by their labels, __name__ first.
    const listed = new Map<string, Record<string, string>[]>([
      [
        '{__name__=~"[ab]_requests_total",namespace!="",pod!=""}',
        [
          { __name__: 'a_requests_total', namespace: 'x', pod: 'p' },
          { __name__: 'b_requests_total', namespace: 'x', pod: 'p' },
        ],
      ],
    ]);
    const table = buildMetricTable(rules, externalRules, listed);
    const seriesOf = (map: typeof table.custom, key: string) =>
      map.get(key)?.sources.map((s) => s.seriesName);
    expect(seriesOf(table.custom, tableKey('pods', 'requests'))).toEqual(['b_requests_total']);
    expect(seriesOf(table.external, tableKey('', 'requests'))).toEqual(['b_requests_total']);
  });

  it('serves an external metric several rules yield from the last of them, naming the others', () => {
    const { externalRules } = parseAdapterConfig(
      `
externalRules:
- seriesQuery: 'job_queue_length{queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
- seriesQuery: 'jobs_waiting{queue!=""}'
  resources: {namespaced: false}
  name: {matches: "^jobs_waiting$", as: job_queue_length}
- seriesQuery: 'job_queue_length{queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  name: {matches: "^job_queue_length$", as: job_queue_length}
`,
      'user.yaml',
    );
    const listed = new Map<string, Record<string, string>[]>([
      ['job_queue_length{queue!=""}', [{ __name__: 'job_queue_length', queue: 'render' }]],
      ['jobs_waiting{queue!=""}', [{ __name__: 'jobs_waiting', queue: 'render' }]],
    ]);
    const table = buildMetricTable([], externalRules, listed);
    const entry = table.external.get(tableKey('', 'job_queue_length'));
    expect(entry?.sources.map((s) => s.rule.rule.origin)).toEqual(['user.yaml externalRules[2]']);
    expect(entry?.namespaced).toBe(true);
    expect(
      externalOverlaps(table).map((o) => [
        o.metric,
        o.served.rule.origin,
        o.shadowed.map((r) => r.rule.origin),
      ]),
    ).toEqual([
      [
        'job_queue_length',
        'user.yaml externalRules[2]',
        ['user.yaml externalRules[0]', 'user.yaml externalRules[1]'],
      ],
    ]);
  });
});

describe('custom resources by the names discovery gives them', () => {
  const { rules } = parseAdapterConfig(
    `
rules:
- seriesQuery: 'foo_items{namespace!="",foo!=""}'
  resources: {overrides: {namespace: {resource: namespace}, foo: {group: example.com, resource: foo}}}
- seriesQuery: 'prometheus_tsdb_head_series{namespace!="",prometheus!=""}'
  resources: {overrides: {namespace: {resource: namespace}, prometheus: {group: monitoring.coreos.com, resource: Prometheus}}}
- seriesQuery: 'prometheus_tsdb_head_series{namespace!="",instance_of!=""}'
  resources: {overrides: {namespace: {resource: namespace}, instance_of: {group: monitoring.coreos.com, resource: prometheuses}}}
- seriesQuery: 'bar_items{namespace!="",bar!=""}'
  resources: {overrides: {namespace: {resource: namespace}, bar: {group: example.com, resource: bar}}}
`,
    'crds.yaml',
  );
  const listed = new Map<string, Record<string, string>[]>([
    ['foo_items{namespace!="",foo!=""}', [{ __name__: 'foo_items', namespace: 'a', foo: 'f1' }]],
    [
      'prometheus_tsdb_head_series{namespace!="",prometheus!=""}',
      [{ __name__: 'prometheus_tsdb_head_series', namespace: 'a', prometheus: 'k8s' }],
    ],
    [
      'prometheus_tsdb_head_series{namespace!="",instance_of!=""}',
      [{ __name__: 'prometheus_tsdb_head_series', namespace: 'a', instance_of: 'k8s' }],
    ],
    ['bar_items{namespace!="",bar!=""}', [{ __name__: 'bar_items', namespace: 'a', bar: 'b1' }]],
  ]);
  const resource = (group: string, kind: string, singular: string, plural: string) => ({
    group,
    version: 'v1',
    kind,
    resource: plural,
    singular,
    namespaced: true,
    key: `${plural}.${group}`,
  });
  // A data-driven fake of the API server's discovery, matching singular or plural names as
  // ResourceDiscovery does. `bar.example.com` fails, as a lookup whose API server is away.
  const found: Record<string, ApiResource> = {};
  for (const r of [
    resource('example.com', 'Foo', 'foo', 'foosies'),
    resource('monitoring.coreos.com', 'Prometheus', 'prometheus', 'prometheuses'),
  ]) {
    found[`${r.singular}.${r.group}`] = r;
    found[r.key] = r;
  }
  const asked: string[] = [];
  const lister: ObjectLister = {
    names: async () => new Set(),
    async discover(name) {
      asked.push(name);
      if (name === 'bar.example.com') throw new Error('connect ECONNREFUSED');
      return found[name];
    },
  };
  const rows = (table: ReturnType<typeof buildMetricTable>) =>
    [...table.custom.values()]
      .filter((e) => e.resource !== 'namespaces')
      .map((e) => [e.resource, e.metric, e.sources.map((s) => s.rule.rule.origin)]);

  it('asks discovery once for each custom resource an override names, as written', async () => {
    asked.length = 0;
    const names = await discoverResourceNames(rules, lister);
    expect(asked.sort()).toEqual([
      'bar.example.com',
      'foo.example.com',
      'prometheus.monitoring.coreos.com',
      'prometheuses.monitoring.coreos.com',
    ]);
    expect([...names].sort()).toEqual([
      // Without the group too: no built-in resource and no other custom one has these names.
      ['foo', 'foosies.example.com'],
      ['foo.example.com', 'foosies.example.com'],
      ['foosies', 'foosies.example.com'],
      ['foosies.example.com', 'foosies.example.com'],
      ['prometheus', 'prometheuses.monitoring.coreos.com'],
      ['prometheus.monitoring.coreos.com', 'prometheuses.monitoring.coreos.com'],
      ['prometheuses', 'prometheuses.monitoring.coreos.com'],
      ['prometheuses.monitoring.coreos.com', 'prometheuses.monitoring.coreos.com'],
    ]);
  });

  it('names a custom resource without its group only when nothing else has that name', async () => {
    // Two groups' `Widget`, and a custom `Service` beside the built-in one.
    const twoGroups: ObjectLister = {
      names: async () => new Set(),
      discover: async (name) =>
        ({
          'widgets.a.example.com': resource('a.example.com', 'Widget', 'widget', 'widgets'),
          'widgets.b.example.com': resource('b.example.com', 'Widget', 'widget', 'widgets'),
          'gadgets.c.example.com': resource('c.example.com', 'Gadget', 'gadget', 'gadgets'),
          'services.serving.knative.dev': resource(
            'serving.knative.dev',
            'Service',
            'service',
            'services',
          ),
        })[name],
    };
    const override = (label: string, group: string, res: string) =>
      `- seriesQuery: '${label}_items{namespace!="",${label}!=""}'
  resources: {overrides: {namespace: {resource: namespace}, ${label}: {group: ${group}, resource: ${res}}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'`;
    const ambiguous = parseAdapterConfig(
      `rules:\n${[
        override('a', 'a.example.com', 'widgets'),
        override('b', 'b.example.com', 'widgets'),
        override('k', 'serving.knative.dev', 'services'),
        override('c', 'c.example.com', 'gadgets'),
      ].join('\n')}\n`,
      'ambiguous.yaml',
    );
    const names = await discoverResourceNames(ambiguous.rules, twoGroups);
    expect(['widgets', 'widget', 'services', 'service'].map((n) => names.get(n))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // The one name only one of them has, plural or singular, resolves.
    expect([names.get('gadgets'), names.get('gadget')]).toEqual([
      'gadgets.c.example.com',
      'gadgets.c.example.com',
    ]);
    expect(names.get('widgets.a.example.com')).toBe('widgets.a.example.com');
    expect(names.get('services.serving.knative.dev')).toBe('services.serving.knative.dev');
  });

  it('keys each custom resource by its plural, merging overrides that name it differently', async () => {
    const table = buildMetricTable(rules, [], listed, await discoverResourceNames(rules, lister));
    expect(rows(table)).toEqual([
      // Failed discovery: the guess from the name.
      ['bars.example.com', 'bar_items', ['crds.yaml rules[3]']],
      // Irregular: the guess would be `foos`.
      ['foosies.example.com', 'foo_items', ['crds.yaml rules[0]']],
      // `Prometheus` and `prometheuses` are one resource, as upstream's ResourceFor has them.
      [
        'prometheuses.monitoring.coreos.com',
        'prometheus_tsdb_head_series',
        ['crds.yaml rules[1]', 'crds.yaml rules[2]'],
      ],
    ]);
    // Which label names which resource is the override's, under the new key.
    const [prometheus, prometheuses, more] =
      table.custom.get(
        tableKey('prometheuses.monitoring.coreos.com', 'prometheus_tsdb_head_series'),
      )?.sources ?? [];
    expect(prometheus?.rule.labelFor('prometheuses.monitoring.coreos.com')).toBe('prometheus');
    expect(prometheuses?.rule.labelFor('prometheuses.monitoring.coreos.com')).toBe('instance_of');
    expect(prometheus?.rule.resourceFor('prometheus')).toBe('prometheuses.monitoring.coreos.com');
    expect(more).toBeUndefined();
  });

  it('keeps what an earlier relist found of a resource whose lookup now fails', async () => {
    const first = await discoverResourceNames(rules, lister);
    const away: ObjectLister = {
      names: async () => new Set(),
      discover: async (name) => {
        if (name.startsWith('prometheus')) throw new Error('connect ECONNREFUSED');
        return found[name];
      },
    };
    expect([...(await discoverResourceNames(rules, away, first))].sort()).toEqual([
      ['foo', 'foosies.example.com'],
      ['foo.example.com', 'foosies.example.com'],
      ['foosies', 'foosies.example.com'],
      ['foosies.example.com', 'foosies.example.com'],
      ['prometheus', 'prometheuses.monitoring.coreos.com'],
      ['prometheus.monitoring.coreos.com', 'prometheuses.monitoring.coreos.com'],
      ['prometheuses', 'prometheuses.monitoring.coreos.com'],
      ['prometheuses.monitoring.coreos.com', 'prometheuses.monitoring.coreos.com'],
    ]);
    // Without an earlier answer, the guesses.
    expect([...(await discoverResourceNames(rules, away))].sort()).toEqual([
      ['foo', 'foosies.example.com'],
      ['foo.example.com', 'foosies.example.com'],
      ['foosies', 'foosies.example.com'],
      ['foosies.example.com', 'foosies.example.com'],
    ]);
  });

  it('keeps a cluster-scoped resource root-scoped through a relist whose lookup fails', async () => {
    const scoped = (namespaced: boolean): ObjectLister => ({
      names: async () => new Set(),
      discover: async (name) =>
        name === 'bars.example.com'
          ? { ...resource('example.com', 'Bar', 'bar', 'bars'), namespaced }
          : undefined,
    });
    const away: ObjectLister = {
      names: async () => new Set(),
      discover: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    };
    const bars = (t: ReturnType<typeof buildMetricTable>) =>
      t.custom.get(tableKey('bars.example.com', 'bar_items'))?.namespaced;
    const built = () => buildMetricTable(rules, [], listed);
    const first = await withDiscoveredScopes(built(), scoped(false));
    expect(bars(first)).toBe(false);
    expect(bars(await withDiscoveredScopes(built(), away, first))).toBe(false);
    // Never found, or found namespaced: as the series say.
    expect(bars(await withDiscoveredScopes(built(), away))).toBe(true);
    expect(bars(await withDiscoveredScopes(built(), scoped(true), first))).toBe(true);
  });

  it('serves a cluster-scoped resource from the rules that map no namespace label too', async () => {
    // Upstream's SetSeries keys a metric by whether its series are namespaced, so the series of
    // the rule without a namespace label are served for root-scoped requests; ours were left
    // out of a metric another rule's series made namespaced, before discovery made it
    // root-scoped, and only the namespaced rule answered.
    const clusterScoped = parseAdapterConfig(
      [
        'rules:',
        '- seriesQuery: \'ready{namespace!=""}\'',
        '  resources: {overrides: {namespace: {resource: namespace}, issuer: {group: cert-manager.io, resource: clusterissuer}}}',
        '- seriesQuery: \'ready{namespace=""}\'',
        '  resources: {overrides: {issuer: {group: cert-manager.io, resource: clusterissuer}}}',
        '',
      ].join('\n'),
      'issuers.yaml',
    ).rules;
    const series = new Map<string, Record<string, string>[]>([
      ['ready{namespace!=""}', [{ __name__: 'ready', namespace: 'cert-manager', issuer: 'acme' }]],
      ['ready{namespace=""}', [{ __name__: 'ready', issuer: 'selfsigned' }]],
    ]);
    const issuers = {
      group: 'cert-manager.io',
      version: 'v1',
      kind: 'ClusterIssuer',
      resource: 'clusterissuers',
      singular: 'clusterissuer',
      namespaced: false,
      key: 'clusterissuers.cert-manager.io',
    };
    const discovering: ObjectLister = {
      names: async () => new Set(),
      discover: async (name) =>
        ['clusterissuer.cert-manager.io', issuers.key].includes(name) ? issuers : undefined,
    };
    const names = await discoverResourceNames(clusterScoped, discovering);
    const table = await withDiscoveredScopes(
      buildMetricTable(clusterScoped, [], series, names),
      discovering,
    );
    const entry = table.custom.get(tableKey('clusterissuers.cert-manager.io', 'ready'));
    expect(entry?.namespaced).toBe(false);
    expect(entry?.sources.map((s) => s.rule.rule.origin)).toEqual([
      'issuers.yaml rules[0]',
      'issuers.yaml rules[1]',
    ]);
    // Where discovery cannot say (kube-state-metrics), it stays namespaced, from rule 0 alone.
    const guessed = buildMetricTable(clusterScoped, [], series);
    const namespacedEntry = guessed.custom.get(tableKey('clusterissuers.cert-manager.io', 'ready'));
    expect(namespacedEntry?.namespaced).toBe(true);
    expect(namespacedEntry?.sources.map((s) => s.rule.rule.origin)).toEqual([
      'issuers.yaml rules[0]',
    ]);
  });

  it('keeps the guesses where the lister cannot ask discovery (kube-state-metrics)', async () => {
    const names = await discoverResourceNames(rules, { names: async () => new Set() });
    expect(names.size).toBe(0);
    expect(rows(buildMetricTable(rules, [], listed, names))).toEqual([
      ['bars.example.com', 'bar_items', ['crds.yaml rules[3]']],
      ['foos.example.com', 'foo_items', ['crds.yaml rules[0]']],
      ['prometheus.monitoring.coreos.com', 'prometheus_tsdb_head_series', ['crds.yaml rules[1]']],
      ['prometheuses.monitoring.coreos.com', 'prometheus_tsdb_head_series', ['crds.yaml rules[2]']],
    ]);
  });
});
