// Rules that prometheus-adapter resolves one way and this adapter once resolved another, end to
// end: a real Prometheus, the adapter with the presets on and a user's --config, over HTTPS.
// Expected answers are prometheus-adapter's, worked out by hand from its code; and the paths the
// presets do not reach: any resource a rule maps (deployments.apps, services), fieldSelector, and
// the window of a rate.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog, createGauge } from '@beacon/metric-catalog';
import { Counter, Gauge, Registry } from 'prom-client';
import { parseFlags } from '../../flags';
import { startAdapter, type RunningAdapter } from '../../main';
import { memoryLogger } from '../../telemetry/logger';
import { httpsGet, type Reply } from '../../testing/https';
import {
  FAST_DISCOVERY_FLAGS,
  serveMetrics,
  startPrometheus,
  waitFor,
  type RunningPrometheus,
  type ScrapeTarget,
} from '../../testing/prometheus';

// The user's rules, after the presets: job_queue_length is also a preset external rule
// (`max(…) by (queue)`); this one sums every queue into one item.
const USER_CONFIG = `
rules:
- seriesQuery: '{__name__=~"node_pressure|pv_used_bytes",namespace!=""}'
  resources: {template: "<<.Resource>>"}
- seriesQuery: 'checkout_requests_total{namespace!="",deployment!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      deployment: {group: apps, resource: deployment}
  name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
- seriesQuery: 'inflight_requests{namespace!="",service!=""}'
  resources: {overrides: {namespace: {resource: namespace}, service: {resource: service}}}
  # PromQL comments, as Prometheus reads them: to the end of the line.
  metricsQuery: |
    # a gauge, not a rate over [5m]
    sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) # one value a service
- seriesQuery: 'gpu_busy{namespace!="",service!=""}'
  resources: {overrides: {namespace: {resource: namespace}, service: {resource: service}}}
  metricsQuery: 'avg by (namespace, service) (<<.Series>>)'
externalRules:
- seriesQuery: 'job_queue_length{namespace!="",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  name: {matches: "^job_queue_length$", as: "job_queue_length"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})'
- seriesQuery: 'orders_open{shop!=""}'
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (shop)'
- seriesQuery: 'orders_open{shop!=""}'
  resources: {namespaced: false}
  name: {matches: "^orders_open$", as: "orders_open_raw"}
  metricsQuery: '<<.Series>>{<<.LabelMatchers>>}'
`;

let prom: RunningPrometheus;
let adapter: RunningAdapter;
let dir: string;
let serving: string;
const logger = memoryLogger();
const servers: Server[] = [];

async function target(
  fill: (r: Registry) => void,
  labels: Record<string, string>,
): Promise<ScrapeTarget> {
  const registry = new Registry();
  fill(registry);
  const { server, address } = await serveMetrics(registry);
  servers.push(server);
  return { address, labels };
}

const gauge = (name: string, value: number, labelNames: string[] = [], labels = {}) =>
  function fill(r: Registry) {
    new Gauge({ name, help: name, labelNames, registers: [r] }).set(labels, value);
  };

/** A counter that grows by `step` at each scrape, so its rate is never 0. */
const rising = (name: string, step: number) =>
  function fill(r: Registry) {
    new Counter({
      name,
      help: name,
      registers: [r],
      collect() {
        this.inc(step);
      },
    });
  };

beforeAll(async () => {
  const queue = (r: Registry) =>
    createGauge(catalog.platform.jobQueueLength, r).set({ queue: 'render' }, 10);
  const targets = [
    await target(queue, { namespace: 'platform', pod: 'video-0' }),
    await target(queue, { namespace: 'platform', pod: 'video-1' }),
    // Root-scoped objects whose series also carry a namespace label.
    await target(gauge('node_pressure', 2), { namespace: 'platform', node: 'n1' }),
    await target(gauge('pv_used_bytes', 1024), { namespace: 'platform', persistentvolume: 'pv1' }),
    await target(gauge('orders_open', 5, ['shop'], { shop: 'x' }), {}),
    await target(rising('checkout_requests_total', 10), {
      namespace: 'platform',
      deployment: 'checkout',
    }),
    await target(rising('checkout_requests_total', 10), {
      namespace: 'platform',
      deployment: 'billing',
    }),
    await target(gauge('inflight_requests', 7), { namespace: 'platform', service: 'web' }),
    // A rule whose query drops the matchers, answering for every service of every namespace.
    await target(gauge('gpu_busy', 40), { namespace: 'platform', service: 'vision' }),
    await target(gauge('gpu_busy', 90), { namespace: 'platform', service: 'gpu-api' }),
    await target(gauge('gpu_busy', 70), { namespace: 'other', service: 'vision' }),
  ];
  prom = await startPrometheus(targets);
  dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-rules-'));
  writeFileSync(join(dir, 'config.yaml'), USER_CONFIG);
  adapter = await startAdapter(
    parseFlags([
      `--prometheus-url=${prom.url}`,
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${dir}`,
      `--config=${join(dir, 'config.yaml')}`,
      '--insecure-serve-anonymous',
      ...FAST_DISCOVERY_FLAGS,
    ]),
    { logger, authorize: async () => ({ allowed: true }), inCluster: null, env: {} },
  );
  serving = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
  // Every target scraped and relisted: each answers on its own schedule, and a busy machine
  // can leave one unscraped for seconds after another.
  const discovered = async (path: string, want: string[]) => {
    const { body } = await get(path);
    const names = new Set(body.resources?.map((x: { name: string }) => x.name));
    return want.every((m) => names.has(m));
  };
  await waitFor(
    async () =>
      (await discovered('/apis/custom.metrics.k8s.io/v1beta2', [
        'nodes/node_pressure',
        'persistentvolumes/pv_used_bytes',
        'deployments.apps/checkout_requests_per_second',
        'services/inflight_requests',
        'services/gpu_busy',
      ])) &&
      (await discovered('/apis/external.metrics.k8s.io/v1beta1', [
        'job_queue_length',
        'orders_open',
        'orders_open_raw',
      ])),
    60_000,
    () => 'the adapter did not discover the metrics',
  );
});

afterAll(async () => {
  await adapter?.close();
  await prom?.stop();
  for (const s of servers) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (path: string): Promise<Reply> => httpsGet(adapter.url + path, { ca: serving });

describe('rules resolved as prometheus-adapter resolves them, against a real Prometheus', () => {
  it('serves an external metric from the last rule only: the user’s over the preset', async () => {
    let last: Reply | undefined;
    // Both pods scraped: the sum is 20 (the preset's max would be an extra item of 10).
    await waitFor(
      async () =>
        (last = await get(
          '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length',
        )).body.items?.[0]?.value === '20',
      15_000,
      () => `expected the user's sum, got ${JSON.stringify(last?.body)}`,
    );
    expect(last?.body.items).toHaveLength(1);
    expect(last?.body.items[0]).toMatchObject({
      metricName: 'job_queue_length',
      metricLabels: {},
      value: '20',
    });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'external metric yielded by more than one rule; the last one is served',
        metric: 'job_queue_length',
        served: `${join(dir, 'config.yaml')} externalRules[0]`,
        notServed: ['<built-in presets> externalRules[0]'],
      }),
    );
  });

  it('lists and serves nodes and persistentvolumes as root-scoped, whatever their labels', async () => {
    const { body } = await get('/apis/custom.metrics.k8s.io/v1beta2');
    const scope = (name: string) =>
      body.resources.find((x: { name: string }) => x.name === name)?.namespaced;
    expect(scope('nodes/node_pressure')).toBe(false);
    expect(scope('persistentvolumes/pv_used_bytes')).toBe(false);
    const node = await get('/apis/custom.metrics.k8s.io/v1beta2/nodes/n1/node_pressure');
    expect(node.status).toBe(200);
    expect(node.body.items).toEqual([
      expect.objectContaining({
        describedObject: { kind: 'Node', name: 'n1', apiVersion: '/v1' },
        value: '2',
      }),
    ]);
    const pv = await get('/apis/custom.metrics.k8s.io/v1beta2/persistentvolumes/pv1/pv_used_bytes');
    expect(pv.status).toBe(200);
    expect(pv.body.items[0]).toMatchObject({
      describedObject: { kind: 'PersistentVolume', name: 'pv1', apiVersion: '/v1' },
      value: '1024',
    });
  });

  it('fails a namespaced external rule with no namespace label with a 500 naming the fix', async () => {
    const r = await get('/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/orders_open');
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    expect(r.body.message).toContain(
      'is namespaced but maps no label to namespaces (prometheus-adapter: unable to convert resource namespaces into label: no generic resource label form specified for this metric); map the namespace label in resources.overrides',
    );
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringContaining(
          `external rule ${join(dir, 'config.yaml')} externalRules[1] is namespaced but maps no label to namespaces`,
        ),
      }),
    );
  });

  it('answers a named object alone and in its namespace when the rule’s query answers for more', async () => {
    // Upstream's getSingle takes the named object's value alone; a list of more than one item
    // is refused by the HPA's client. Every target scraped first: the average is per service.
    const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/services';
    let all: Reply | undefined;
    await waitFor(
      async () => (all = await get(`${path}/*/gpu_busy`)).body.items?.length === 2,
      15_000,
      () => `expected both platform services, got ${JSON.stringify(all?.body)}`,
    );
    const values = (r: Reply) =>
      r.body.items.map((i: { describedObject: { name: string }; value: string }) => [
        i.describedObject.name,
        i.value,
      ]);
    expect(values(all as Reply)).toEqual([
      ['gpu-api', '90'],
      ['vision', '40'],
    ]);
    expect(values(await get(`${path}/vision/gpu_busy`))).toEqual([['vision', '40']]);
  });

  it('keeps __name__ among an external item’s metricLabels', async () => {
    const r = await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/orders_open_raw',
    );
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0].metricLabels).toEqual({
      __name__: 'orders_open',
      instance: expect.any(String),
      job: 'app',
      shop: 'x',
    });
  });

  describe('any resource a rule maps, by name, by *, and by fieldSelector', () => {
    const V1BETA2 = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform';
    const deployment = (name: string) => ({
      kind: 'Deployment',
      namespace: 'platform',
      name,
      apiVersion: 'apps/v1',
    });
    /** GET `path` again until every item has a rate above 0 (two scrapes inside the window). */
    const rated = async (path: string, n: number): Promise<Reply> => {
      let last: Reply | undefined;
      await waitFor(
        async () => {
          last = await get(path);
          const items: { value: string }[] = last.body.items ?? [];
          return items.length === n && items.every((i) => !/^0$|^-/.test(i.value));
        },
        20_000,
        () => `${path}: expected ${n} items with a rate, got ${JSON.stringify(last?.body)}`,
      );
      return last as Reply;
    };

    it('lists deployments.apps and services, namespaced', async () => {
      const { body } = await get('/apis/custom.metrics.k8s.io/v1beta2');
      const listed = (name: string) =>
        body.resources.find((x: { name: string }) => x.name === name);
      for (const name of [
        'deployments.apps/checkout_requests_per_second',
        'services/inflight_requests',
      ])
        expect(listed(name)).toMatchObject({
          name,
          namespaced: true,
          kind: 'MetricValueList',
          verbs: ['get'],
        });
    });

    it('serves a deployment by name with the rate’s window, in v1beta2 and v1beta1', async () => {
      const v2 = await rated(
        `${V1BETA2}/deployments.apps/checkout/checkout_requests_per_second`,
        1,
      );
      expect(v2.body.items[0]).toEqual({
        describedObject: deployment('checkout'),
        metric: { name: 'checkout_requests_per_second' },
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        windowSeconds: 120,
        value: expect.stringMatching(/^[1-9]\d*m?$/),
      });
      const v1 = await rated(
        '/apis/custom.metrics.k8s.io/v1beta1/namespaces/platform/deployments.apps/checkout/checkout_requests_per_second',
        1,
      );
      expect(v1.body.items[0]).toEqual({
        describedObject: deployment('checkout'),
        metricName: 'checkout_requests_per_second',
        // v1beta1's selector has no omitempty (k8s.io/metrics): null when the request gave none.
        selector: null,
        timestamp: expect.stringMatching(/Z$/),
        window: 120,
        value: expect.stringMatching(/^[1-9]\d*m?$/),
      });
    });

    it('serves every deployment for *, the one a fieldSelector names, 404 for one with no value', async () => {
      const all = await rated(`${V1BETA2}/deployments.apps/*/checkout_requests_per_second`, 2);
      expect(all.body.items.map((i: { describedObject: unknown }) => i.describedObject)).toEqual([
        deployment('billing'),
        deployment('checkout'),
      ]);
      const one = await rated(
        `${V1BETA2}/deployments.apps/*/checkout_requests_per_second?fieldSelector=metadata.name%3Dcheckout`,
        1,
      );
      expect(one.body.items[0].describedObject).toEqual(deployment('checkout'));
      // As custom-metrics-apiserver's List: the field selector's name is the object's, so an
      // object with no value is a 404 as on its own path.
      const none = await get(
        `${V1BETA2}/deployments.apps/*/checkout_requests_per_second?fieldSelector=metadata.name%3Dgone`,
      );
      expect(none.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
      const unknown = await get(`${V1BETA2}/deployments.apps/gone/checkout_requests_per_second`);
      expect(unknown.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    });

    it('serves a service, with no window for a plain gauge whose query has comments', async () => {
      // Queries Prometheus refused: a comment at the query's end once took the parenthesis
      // closing it and the sample time's `or`, so each miss was refused, then asked again alone.
      const refused = async () =>
        Number(
          /^beacon_adapter_backend_query_duration_seconds_count\{kind="instant",outcome="error"\} (\d+)$/m.exec(
            (await get('/metrics')).text,
          )?.[1] ?? 0,
        );
      const before = await refused();
      const r = await get(`${V1BETA2}/services/web/inflight_requests`);
      expect(await refused()).toBe(before);
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([
        {
          describedObject: {
            kind: 'Service',
            namespace: 'platform',
            name: 'web',
            apiVersion: '/v1',
          },
          metric: { name: 'inflight_requests' },
          timestamp: expect.stringMatching(/Z$/),
          value: '7',
        },
      ]);
    });
  });
});
