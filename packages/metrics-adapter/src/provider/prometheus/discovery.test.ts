import { parseAdapterConfig } from './config';
import type { PrometheusClient } from './client';
import { buildMetricTable, listSeries, tableKey } from './discovery';

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
      table.custom
        .get(tableKey('pods', 'websocket_connections'))
        ?.sources.map((s) => s.seriesNames),
    ).toEqual([['websocket_connections']]);
    expect(
      [...table.external.values()].map((e) => [
        e.metric,
        e.namespaced,
        e.sources.map((s) => s.seriesNames),
      ]),
    ).toEqual([['jobs_queue_length', false, [['job_queue_length']]]]);
  });
});
