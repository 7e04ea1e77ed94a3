import { Registry } from 'prom-client';
import { catalog } from './catalog';
import { defineMetric, type MetricDefinition } from './definition';
import {
  createCounter,
  createGauge,
  createHistogram,
  createMetric,
  createMetrics,
} from './factories';

const { httpRequests, httpRequestDuration, jobQueueLength } = catalog.platform;

describe('prom-client factories', () => {
  it('creates a counter with the entry\u2019s name, help and labels', async () => {
    const registry = new Registry();
    createCounter(httpRequests, registry).inc(
      { method: 'GET', route: '/api/users', code: '200' },
      3,
    );
    const text = await registry.metrics();
    expect(text).toContain(
      '# HELP http_requests_total HTTP requests served, by method, route template and status code.',
    );
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_requests_total{method="GET",route="/api/users",code="200"} 3');
  });

  it('creates a histogram with the entry\u2019s buckets', async () => {
    const registry = new Registry();
    createHistogram(httpRequestDuration, registry).observe(
      { method: 'GET', route: '/', code: '200' },
      0.7,
    );
    const text = await registry.metrics();
    // 0.7 s lands in le="1" but not in le="0.5"; the bucket edges are the ones written in the catalog.
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.5",method="GET",route="/",code="200"} 0',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="1",method="GET",route="/",code="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="2",method="GET",route="/",code="200"} 1',
    );
    expect(text).not.toContain('le="2.5"');
  });

  it('creates a gauge', async () => {
    const registry = new Registry();
    createGauge(jobQueueLength, registry).set({ queue: 'render' }, 42);
    expect(await registry.metrics()).toContain('job_queue_length{queue="render"} 42');
  });

  it('refuses, at run time, a label the entry does not declare', () => {
    const counter = createCounter(httpRequests, new Registry());
    const untyped = counter as unknown as { inc(l: Record<string, string>): void };
    expect(() => untyped.inc({ tenant: 'acme' })).toThrow(/tenant/);
  });

  describe('a metric whose labels all have known values', () => {
    const refusals = defineMetric({
      name: 'widgets_refused_total',
      type: 'counter',
      help: 'Widgets refused.',
      unit: 'count',
      labels: ['reason', 'color'],
      values: { reason: ['bent', 'late'], color: ['red'] },
      exporter: 'platform-service',
    });

    it('is exported at 0 for each combination before anything is counted', async () => {
      const registry = new Registry();
      createCounter(refusals, registry).inc({ reason: 'late', color: 'red' }, 2);
      const samples = (await registry.metrics()).split('\n').filter((l) => /^widgets/.test(l));
      expect(samples).toEqual([
        'widgets_refused_total{reason="bent",color="red"} 0',
        'widgets_refused_total{reason="late",color="red"} 2',
      ]);
    });

    it('is not, when one of its labels has none (the set is open)', async () => {
      const registry = new Registry();
      createCounter({ ...refusals, values: { reason: ['bent', 'late'] } }, registry);
      expect(await registry.metrics()).not.toMatch(/^widgets_refused_total\{/m);
    });

    it('is a histogram at 0 in every bucket, its count and its sum', async () => {
      const registry = new Registry();
      const lag = defineMetric({
        name: 'widget_lag_seconds',
        type: 'histogram',
        help: 'Widget lag.',
        unit: 'seconds',
        labels: ['line'],
        values: { line: ['a'] },
        exporter: 'platform-service',
        buckets: [1],
      });
      createHistogram(lag, registry);
      const samples = (await registry.metrics()).split('\n').filter((l) => /^widget_lag/.test(l));
      expect(samples).toEqual([
        'widget_lag_seconds_bucket{le="1",line="a"} 0',
        'widget_lag_seconds_bucket{le="+Inf",line="a"} 0',
        'widget_lag_seconds_sum{line="a"} 0',
        'widget_lag_seconds_count{line="a"} 0',
      ]);
    });
  });

  it('refuses an entry of another type', () => {
    const untyped = createCounter as (d: MetricDefinition, r: Registry) => unknown;
    expect(() => untyped(jobQueueLength, new Registry())).toThrow(
      '"job_queue_length" is a gauge, not a counter',
    );
  });

  it('creates the right class for any entry, and a whole group at once', async () => {
    const registry = new Registry();
    expect(createMetric(jobQueueLength, registry).constructor.name).toBe('Gauge');
    const tracker = createMetrics(catalog.trackingServer, new Registry());
    tracker.openIssues.set({ project: 'web', severity: 'critical' }, 2);
    tracker.errorsTracked.inc({
      project: 'web',
      service: 'api-gateway',
      severity: 'error',
      type: 'database',
    });
    expect(Object.keys(tracker).sort()).toEqual(Object.keys(catalog.trackingServer).sort());
  });
});
