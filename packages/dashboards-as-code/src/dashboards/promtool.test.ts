// Panel queries evaluated by Prometheus itself (promtool test rules, promql_expr_test) on
// hand-written series, with the template variables replaced as Grafana would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from '../build';

type Obj = Record<string, unknown>;

/** Grafana's interval variables for one query: `$__interval` is the step between points. */
interface Intervals {
  interval?: string;
  rateInterval: string;
}

/** Each query of a panel, its variables replaced. */
function panelExprs(
  uid: string,
  title: string,
  intervals: Intervals = { rateInterval: '5m' },
): string[] {
  const d = (buildAll() as Obj[]).find((x) => x.uid === uid);
  if (!d) throw new Error(`no dashboard ${uid}`);
  const panel = (d.panels as Obj[]).find((p) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}" on ${uid}`);
  return (panel.targets as Obj[]).map((target) => {
    let expr = (target.expr as string)
      .replaceAll('$__rate_interval', intervals.rateInterval)
      .replaceAll('$namespace', 'platform')
      .replaceAll('$service', '.*')
      .replaceAll('$hpa', '.*');
    if (intervals.interval !== undefined) expr = expr.replaceAll('$__interval', intervals.interval);
    return expr;
  });
}

/** A panel's first query, its variables replaced. */
const panelExpr = (uid: string, title: string, intervals?: Intervals): string =>
  panelExprs(uid, title, intervals)[0] as string;

interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: Obj[];
}

/** Runs one promql_expr_test; returns promtool's exit status and output. */
function promtool(series: Obj[], expr: string, evalTime: string, expSamples: Obj[]) {
  return promtoolAll(series, [{ expr, eval_time: evalTime, exp_samples: expSamples }]);
}

/** Runs several promql_expr_tests over the same series in one promtool call. */
function promtoolAll(series: Obj[], exprTests: ExprTest[]) {
  const dir = mkdtempSync(join(tmpdir(), 'dac-promtool-'));
  try {
    const test = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: series, promql_expr_test: exprTests }],
    };
    const file = join(dir, 'panel.test.yml');
    writeFileSync(file, JSON.stringify(test)); // JSON is YAML
    try {
      const out = execFileSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
      return { status: 0, out };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { status: err.status, out: `${err.stdout}${err.stderr}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('System overview panels, evaluated by promtool', () => {
  const availability = panelExpr('beacon-system-overview', 'Availability');

  it('shows 100 % availability when no request has ever failed (no 5xx series exists)', () => {
    const series = [
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="200"}',
        values: '0+60x10', // one request a second, never a 5xx
      },
    ];
    const r = promtool(series, availability, '10m', [{ labels: '{}', value: 1 }]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('shows 75 % availability when a quarter of the requests answer 5xx', () => {
    const series = [
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="200"}',
        values: '0+45x10',
      },
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="503"}',
        values: '0+15x10',
      },
    ];
    const r = promtool(series, availability, '10m', [{ labels: '{}', value: 0.75 }]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('HPA metric vs target panels, evaluated by promtool', () => {
  // What kube-state-metrics exports for api-gateway's HPA (internal/store/hpa.go): a memory
  // target of 80 % and a CPU one of 70 %, whose current values come as utilization and as
  // average (bytes, cores); and a queue length target of 30 a pod (average).
  const hpa = 'namespace="platform",horizontalpodautoscaler="api-gateway"';
  const ksm = 'job="kube-state-metrics",instance="ksm:8080"';
  const series = [
    ['spec', 'memory', 'utilization', '80'],
    ['spec', 'cpu', 'utilization', '70'],
    ['spec', 'job_queue_length', 'average', '30'],
    ['status', 'memory', 'utilization', '60'],
    ['status', 'memory', 'average', '322000000'],
    ['status', 'cpu', 'utilization', '45'],
    ['status', 'cpu', 'average', '0.3'],
    ['status', 'job_queue_length', 'average', '12'],
  ].map(([side, name, type, value]) => ({
    series: `kube_horizontalpodautoscaler_${side}_target_metric{${ksm},${hpa},metric_name="${name}",metric_target_type="${type}"}`,
    values: `${value}x10`,
  }));
  const labels = (name: string, type: string) =>
    `{horizontalpodautoscaler="api-gateway",metric_name="${name}",metric_target_type="${type}",namespace="platform"}`;

  it.each([
    ['beacon-infrastructure', 'HPA scaling metrics vs target'],
    ['beacon-autoscaling', 'Scaling metric vs target'],
  ])(
    '%s draws each current value against the target of its type, never bytes against a %%',
    (uid, title) => {
      const [current, target] = panelExprs(uid, title) as [string, string];
      // CPU and memory as utilization (the average series left out), the queue as average.
      const samples = (cpu: number, queue: number, memory: number) => [
        { labels: labels('cpu', 'utilization'), value: cpu },
        { labels: labels('job_queue_length', 'average'), value: queue },
        { labels: labels('memory', 'utilization'), value: memory },
      ];
      const r = promtoolAll(series, [
        { expr: current, eval_time: '5m', exp_samples: samples(45, 12, 60) },
        { expr: target, eval_time: '5m', exp_samples: samples(70, 30, 80) },
      ]);
      expect(r.out).toContain('SUCCESS');
      expect(r.status).toBe(0);
    },
  );
});

// Scaling events count the changes of the desired replicas per step, over $__interval like the
// Business counts. Over $__rate_interval (max(step + 1m, 4 × 1m) at a 1m scrape interval) the
// windows overlapped and one change was counted in several points, more the further one zoomed
// in. The changes here fall inside a window: one between the last sample of a window and the
// first of the next is in neither (changes() does not extrapolate as increase() does) once the
// scrapes do not fall on the step, and always in Prometheus 3, whose ranges are left-open.
describe('Scaling events, evaluated by promtool at three zoom levels', () => {
  // Desired replicas 2, then 4 from 5m, 6 from 25m, 3 from 47m: three changes in the hour.
  const series = [
    {
      series:
        'kube_horizontalpodautoscaler_status_desired_replicas{job="kube-state-metrics",instance="ksm:8080",namespace="platform",horizontalpodautoscaler="api-gateway"}',
      values: '2x4 4x19 6x21 3x13',
    },
  ];
  const labels = '{horizontalpodautoscaler="api-gateway",namespace="platform"}';
  const expr = (step: string, rateInterval: string) =>
    panelExpr('beacon-autoscaling', 'Scaling events', { interval: step, rateInterval });
  const points = (e: string, perStep: [string, number][]): ExprTest[] =>
    perStep.map(([at, value]) => ({
      expr: e,
      eval_time: at,
      exp_samples: [{ labels, value }],
    }));
  // The points of the last hour added up by Prometheus (a subquery at the step).
  const total = (e: string, step: string): ExprTest => ({
    expr: `sum_over_time((${e})[60m:${step}])`,
    eval_time: '60m',
    exp_samples: [{ labels, value: 3 }],
  });

  it('draws the changes per 10m, one point for each, adding up to the 3 of the hour', () => {
    const e = expr('10m', '11m');
    const r = promtoolAll(series, [
      ...points(e, [
        ['10m', 1],
        ['20m', 0],
        ['30m', 1],
        ['40m', 0],
        ['50m', 1],
        ['60m', 0],
      ]),
      total(e, '10m'),
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('adds up to the same 3 per 20m and at the 2m min interval (the old window said 6 there)', () => {
    const per20 = expr('20m', '21m');
    const per2 = expr('2m', '4m');
    const r = promtoolAll(series, [
      ...points(per20, [
        ['20m', 1],
        ['40m', 1],
        ['60m', 1],
      ]),
      total(per20, '20m'),
      total(per2, '2m'),
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('Error ratio panels, evaluated by promtool', () => {
  it('draws 0 for a service without any 5xx and the share for one with them', () => {
    const expr = panelExpr('beacon-system-overview', 'Error ratio by service');
    const series = [
      {
        series: 'http_requests_total{namespace="platform",service="collaboration",code="101"}',
        values: '0+60x10', // never a 5xx: no 5xx series exists for collaboration
      },
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="200"}',
        values: '0+48x10',
      },
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="500"}',
        values: '0+16x10', // 16 of 64: a quarter
      },
    ];
    const r = promtool(series, expr, '10m', [
      { labels: '{service="api-gateway"}', value: 0.25 },
      { labels: '{service="collaboration"}', value: 0 },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('draws 0 for a model whose inferences never failed', () => {
    const expr = panelExpr('beacon-ai-models', 'Inference error ratio by model');
    const series = [
      {
        series:
          'ai_inference_requests_total{namespace="platform",service="ai-service",model="segmenter",outcome="success"}',
        values: '0+60x10',
      },
      {
        series:
          'ai_inference_requests_total{namespace="platform",service="ai-service",model="captioner",outcome="success"}',
        values: '0+24x10',
      },
      {
        series:
          'ai_inference_requests_total{namespace="platform",service="ai-service",model="captioner",outcome="error"}',
        values: '0+8x10', // 8 of 32: a quarter
      },
    ];
    const r = promtool(series, expr, '10m', [
      { labels: '{model="captioner"}', value: 0.25 },
      { labels: '{model="segmenter"}', value: 0 },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

// A count per interval is drawn as one point per step, each the increase over the step before
// it. Here Grafana at two zoom levels: steps of 10m and of 20m, with a 1m scrape interval (the
// promtool series' interval), so Grafana would set $__interval to the step and
// $__rate_interval to max(step + 1m, 4 × 1m): 11m and 21m. With $__rate_interval the windows
// overlapped, and the points added up to more than happened, differently at each zoom.
describe('Business count panels, evaluated by promtool at two zoom levels', () => {
  const series = [
    {
      // 1 a minute for 20 minutes, 4 a minute for the next 20, then none: 100 in the hour.
      series: 'user_registrations_total{namespace="platform",service="auth",method="password"}',
      values: '0+1x20 24+4x19 100x19',
    },
    {
      // 2 a minute all hour: 120.
      series: 'user_registrations_total{namespace="platform",service="auth",method="oauth"}',
      values: '0+2x60',
    },
  ];
  const points = (expr: string, perStep: [string, number, number][]): ExprTest[] =>
    perStep.map(([at, password, oauth]) => ({
      expr,
      eval_time: at,
      exp_samples: [
        { labels: '{method="password"}', value: password },
        { labels: '{method="oauth"}', value: oauth },
      ],
    }));
  // The points of the last hour added up by Prometheus (a subquery at the step).
  const total = (expr: string, step: string): ExprTest => ({
    expr: `sum_over_time((${expr})[60m:${step}])`,
    eval_time: '60m',
    exp_samples: [
      { labels: '{method="password"}', value: 100 },
      { labels: '{method="oauth"}', value: 120 },
    ],
  });

  it('draws registrations per 10m whose points add up to the 100 and 120 of the hour', () => {
    const expr = panelExpr('beacon-business', 'Registrations by method', {
      interval: '10m',
      rateInterval: '11m',
    });
    const r = promtoolAll(series, [
      ...points(expr, [
        ['10m', 10, 20],
        ['20m', 10, 20],
        ['30m', 40, 20],
        ['40m', 40, 20],
        ['50m', 0, 20],
        ['60m', 0, 20],
      ]),
      total(expr, '10m'),
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('draws registrations per 20m whose points add up to the same 100 and 120', () => {
    const expr = panelExpr('beacon-business', 'Registrations by method', {
      interval: '20m',
      rateInterval: '21m',
    });
    const r = promtoolAll(series, [
      ...points(expr, [
        ['20m', 20, 40],
        ['40m', 80, 40],
        ['60m', 0, 40],
      ]),
      total(expr, '20m'),
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('Connections used, evaluated by promtool', () => {
  it("shows the fullest server's share of its own max_connections, not all backends over one limit", () => {
    const expr = panelExpr('beacon-database', 'Connections used');
    const pg = (instance: string, datname: string, backends: number) => ({
      series: `pg_stat_database_numbackends{job="postgres",instance="${instance}",datname="${datname}"}`,
      values: `${backends}x10`,
    });
    const max = (instance: string, limit: number) => ({
      series: `pg_settings_max_connections{job="postgres",instance="${instance}"}`,
      values: `${limit}x10`,
    });
    const series = [
      // pg-a: 60 + 30 of 100 (90 %); pg-b: 20 of 200 (10 %); pg-c: 100 of 400 (25 %).
      // All backends over the largest limit would read 210 / 400 = 52.5 %.
      pg('pg-a:9187', 'beacon', 60),
      pg('pg-a:9187', 'tracking', 30),
      max('pg-a:9187', 100),
      pg('pg-b:9187', 'beacon', 20),
      max('pg-b:9187', 200),
      pg('pg-c:9187', 'beacon', 100),
      max('pg-c:9187', 400),
    ];
    const r = promtool(series, expr, '10m', [{ labels: '{}', value: 0.9 }]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('reads 50 % for three servers at 50 % each (the sum over one limit read 150 %)', () => {
    const expr = panelExpr('beacon-database', 'Connections used');
    const series = ['pg-a:9187', 'pg-b:9187', 'pg-c:9187'].flatMap((instance) => [
      {
        series: `pg_stat_database_numbackends{job="postgres",instance="${instance}",datname="beacon"}`,
        values: '50x10',
      },
      {
        series: `pg_settings_max_connections{job="postgres",instance="${instance}"}`,
        values: '100x10',
      },
    ]);
    const r = promtool(series, expr, '10m', [{ labels: '{}', value: 0.5 }]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

// A labelled counter appears at its first increment: a cache that never found a key has no hits
// series, one that never missed no misses series.
describe('Cache hit ratio, evaluated by promtool', () => {
  const series = (name: string, cache: string, perMinute: number) => ({
    series: `${name}{namespace="platform",service="api-gateway",cache="${cache}"}`,
    values: `0+${perMinute}x10`,
  });
  const ratio = (cache: string, value: number) => ({
    labels: `{service="api-gateway",cache="${cache}"}`,
    value,
  });

  it('is 0 for a cache that never hit, 1 for one that never missed, 0.75 for 3 hits in 4', () => {
    const r = promtool(
      [
        series('cache_misses_total', 'sessions', 60), // no hits series at all
        series('cache_hits_total', 'tokens', 60), // no misses series at all
        series('cache_hits_total', 'pages', 45),
        series('cache_misses_total', 'pages', 15),
      ],
      panelExpr('beacon-database', 'Cache hit ratio'),
      '10m',
      [ratio('sessions', 0), ratio('tokens', 1), ratio('pages', 0.75)],
    );
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

// Two PostgreSQL servers (postgres_exporter targets), each with its own database `app`: the
// primary cluster's and the analytics one's. Same name, and often the same datid (16384, the first
// user database's OID), yet different databases: each panel draws one line per server and
// database, with that server's own value. Grouped by datname alone they were added into one.
describe('Per-database PostgreSQL panels with `app` on two servers, evaluated by promtool', () => {
  const PRIMARY = 'pg-primary:9187';
  const ANALYTICS = 'pg-analytics:9187';
  const labels = (instance: string, rest: string) =>
    `{job="postgres",instance="${instance}",${rest}}`;
  const check = (expr: string, series: Obj[], expSamples: Obj[]) => {
    const r = promtool(series, expr, '10m', expSamples);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  };

  it("Connections by database: 10 on the primary's app and 4 on the analytics app, not 14", () => {
    const backends = (instance: string, datname: string, n: number) => ({
      series: `pg_stat_database_numbackends${labels(instance, `datid="16384",datname="${datname}"`)}`,
      values: `${n}x10`,
    });
    check(
      panelExpr('beacon-database', 'Connections by database'),
      [
        backends(PRIMARY, 'app', 10),
        backends(PRIMARY, 'billing', 3),
        backends(ANALYTICS, 'app', 4),
      ],
      [
        { labels: labels(PRIMARY, 'datname="app"'), value: 10 },
        { labels: labels(PRIMARY, 'datname="billing"'), value: 3 },
        { labels: labels(ANALYTICS, 'datname="app"'), value: 4 },
      ],
    );
  });

  it("Buffer cache hit ratio: 75 % on the primary's app and 50 % on the analytics app, not 62.5 %", () => {
    const counter = (name: string, instance: string, perMinute: number) => ({
      series: `${name}${labels(instance, 'datid="16384",datname="app"')}`,
      values: `0+${perMinute}x10`,
    });
    check(
      panelExpr('beacon-database', 'Buffer cache hit ratio'),
      [
        counter('pg_stat_database_blks_hit', PRIMARY, 45), // 45 of 60 blocks from the cache
        counter('pg_stat_database_blks_read', PRIMARY, 15),
        counter('pg_stat_database_blks_hit', ANALYTICS, 30), // 30 of 60
        counter('pg_stat_database_blks_read', ANALYTICS, 30),
      ],
      [
        { labels: labels(PRIMARY, 'datname="app"'), value: 0.75 },
        { labels: labels(ANALYTICS, 'datname="app"'), value: 0.5 },
      ],
    );
  });

  it("Longest running transaction: 12 s on the primary's app and 30 s on the analytics app", () => {
    const tx = (instance: string, state: string, usename: string, seconds: number) => ({
      series: `pg_stat_activity_max_tx_duration${labels(
        instance,
        `datname="app",state="${state}",usename="${usename}",application_name="",backend_type="client backend"`,
      )}`,
      values: `${seconds}x10`,
    });
    check(
      panelExpr('beacon-database', 'Longest running transaction'),
      [
        tx(PRIMARY, 'active', 'app', 12),
        tx(PRIMARY, 'active', 'report', 3),
        tx(PRIMARY, 'idle in transaction', 'app', 100), // not active: not drawn
        tx(ANALYTICS, 'active', 'app', 30),
      ],
      [
        { labels: labels(PRIMARY, 'datname="app"'), value: 12 },
        { labels: labels(ANALYTICS, 'datname="app"'), value: 30 },
      ],
    );
  });

  it("Locks by mode: each server's own locks on its app, per mode", () => {
    const locks = (instance: string, mode: string, n: number) => ({
      series: `pg_locks_count${labels(instance, `datname="app",mode="${mode}"`)}`,
      values: `${n}x10`,
    });
    check(
      panelExpr('beacon-database', 'Locks by mode'),
      [
        locks(PRIMARY, 'accessexclusivelock', 2),
        locks(PRIMARY, 'accesssharelock', 7),
        locks(ANALYTICS, 'accessexclusivelock', 5),
        locks(ANALYTICS, 'accesssharelock', 1),
      ],
      [
        { labels: labels(PRIMARY, 'datname="app",mode="accessexclusivelock"'), value: 2 },
        { labels: labels(PRIMARY, 'datname="app",mode="accesssharelock"'), value: 7 },
        { labels: labels(ANALYTICS, 'datname="app",mode="accessexclusivelock"'), value: 5 },
        { labels: labels(ANALYTICS, 'datname="app",mode="accesssharelock"'), value: 1 },
      ],
    );
  });
});

describe('Container usage vs limit, evaluated by promtool', () => {
  // api-0: app limited to 1 core (or 512 MiB) using half of it, and a sidecar without limits
  // using 1 core (1 GiB). web-0: both containers limited, each at half its limit.
  const limit = (pod: string, container: string, resource: string, value: number) => ({
    series: `kube_pod_container_resource_limits{namespace="platform",pod="${pod}",container="${container}",resource="${resource}"}`,
    values: `${value}x10`,
  });

  it('leaves a container without a CPU limit out: 50 %, not 150 %', () => {
    const expr = panelExpr('beacon-infrastructure', 'Container CPU vs limit');
    const cpu = (pod: string, container: string, perMinute: number) => ({
      series: `container_cpu_usage_seconds_total{namespace="platform",pod="${pod}",container="${container}",cpu="total"}`,
      values: `0+${perMinute}x10`,
    });
    const series = [
      cpu('api-0', 'app', 30), // 0.5 core
      cpu('api-0', 'sidecar', 60), // 1 core, no limit
      limit('api-0', 'app', 'cpu', 1),
      cpu('web-0', 'app', 30), // 0.5 of 1 core
      cpu('web-0', 'proxy', 15), // 0.25 of 0.5 core
      limit('web-0', 'app', 'cpu', 1),
      limit('web-0', 'proxy', 'cpu', 0.5),
    ];
    const r = promtool(series, expr, '10m', [
      { labels: '{namespace="platform",pod="api-0"}', value: 0.5 },
      { labels: '{namespace="platform",pod="web-0"}', value: 0.5 },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('leaves a container without a memory limit out: 50 %, not 250 %', () => {
    const expr = panelExpr('beacon-infrastructure', 'Container memory vs limit');
    const MiB = 1024 * 1024;
    const mem = (pod: string, container: string, bytes: number) => ({
      series: `container_memory_working_set_bytes{namespace="platform",pod="${pod}",container="${container}"}`,
      values: `${bytes}x10`,
    });
    const series = [
      mem('api-0', 'app', 256 * MiB),
      mem('api-0', 'sidecar', 1024 * MiB), // no limit
      limit('api-0', 'app', 'memory', 512 * MiB),
    ];
    const r = promtool(series, expr, '10m', [
      { labels: '{namespace="platform",pod="api-0"}', value: 0.5 },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('GPU panels, evaluated by promtool', () => {
  // The DCGM exporter names the pod using each GPU in pod/namespace/container. Scraped without
  // honor_labels (ai-service-0's GPU), Prometheus renames those exported_* and sets pod and
  // namespace to the exporter's own; with honor_labels (ai-service-1's, and a GPU of another
  // namespace) they stay as sent.
  const gpu = (n: number, labels: string, util: number, used: number) => [
    {
      series: `DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",gpu="${n}",Hostname="gpu-node-1",${labels}}`,
      values: `${util}x10`,
    },
    {
      series: `DCGM_FI_DEV_FB_USED{job="dcgm-exporter",gpu="${n}",Hostname="gpu-node-1",${labels}}`,
      values: `${used}x10`,
    },
  ];
  const series = [
    ...gpu(
      0,
      'namespace="gpu-operator",pod="dcgm-exporter-x",exported_namespace="platform",exported_pod="ai-service-0",exported_container="ai-service"',
      90,
      60000,
    ),
    ...gpu(1, 'namespace="platform",pod="ai-service-1",container="ai-service"', 70, 20000),
    ...gpu(2, 'namespace="research",pod="trainer-0",container="trainer"', 10, 1000),
  ];
  const perPod = (a: number, b: number) => [
    { labels: '{exported_namespace="platform",exported_pod="ai-service-0"}', value: a },
    { labels: '{exported_namespace="platform",exported_pod="ai-service-1"}', value: b },
  ];

  it.each([
    ['beacon-ai-models', 'GPU utilisation by pod', perPod(90, 70)],
    ['beacon-ai-models', 'GPU memory used by pod', perPod(60000, 20000)],
    ['beacon-autoscaling', 'GPU utilisation', [{ labels: '{}', value: 80 }]],
  ])("%s's %s reads the namespace's pods however DCGM is scraped", (uid, title, expected) => {
    const r = promtool(series, panelExpr(uid, title), '5m', expected);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
