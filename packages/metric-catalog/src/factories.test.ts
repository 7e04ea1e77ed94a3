import { Registry } from 'prom-client';
import { catalog } from './catalog';
import type { MetricDefinition } from './definition';
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
