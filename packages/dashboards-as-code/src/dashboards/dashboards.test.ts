import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { buildAll } from '../build';
import { createLinter } from '../lint';

// The contract schema, relative to the package: ../../../shared (beside the repository).
const SCHEMA_PATH = resolve(
  __dirname,
  '../../../../../shared/contracts/grafana/dashboard.schema.json',
);

function contractValidator() {
  if (!existsSync(SCHEMA_PATH)) throw new Error(`contract schema missing: ${SCHEMA_PATH}`);
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, logger: false });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
}

type Obj = Record<string, unknown>;
const built = buildAll() as Obj[];
const byUid = new Map(built.map((d) => [d.uid as string, d]));
const panelsOf = (d: Obj) => (d.panels as Obj[]).filter((p) => p.type !== 'row');
const exprsOf = (d: Obj) =>
  panelsOf(d).flatMap((p) => ((p.targets as Obj[] | undefined) ?? []).map((t) => t.expr as string));

describe('the built dashboards', () => {
  it('are the ones the issue asks for, with stable uids', () => {
    expect(built.map((d) => d.uid)).toEqual([
      'beacon-system-overview',
      'beacon-ai-models',
      'beacon-infrastructure',
      'beacon-error-tracking',
      'beacon-debugging',
      'beacon-database',
      'beacon-business',
      'beacon-autoscaling',
    ]);
  });

  it('each validate against the Grafana dashboard schema', () => {
    const validate = contractValidator();
    for (const d of built) {
      expect({ uid: d.uid, valid: validate(d), errors: validate.errors ?? null }).toEqual({
        uid: d.uid,
        valid: true,
        errors: null,
      });
    }
  });

  it('each have zero findings from our lint', () => {
    const lint = createLinter();
    expect(built.flatMap((d) => lint(d))).toEqual([]);
  });

  it('are all tagged beacon and carry the datasource, namespace and service variables', () => {
    for (const d of built) {
      expect(d.tags).toContain('beacon');
      const list = (d.templating as { list: Obj[] }).list;
      expect(list.slice(0, 3).map((v) => v.name)).toEqual(['datasource', 'namespace', 'service']);
      expect(list[0]).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
        current: { value: 'prometheus' },
      });
    }
  });

  it('number their panels 1, 2, 3 and so on', () => {
    for (const d of built) {
      const ids = (d.panels as Obj[]).map((p) => p.id);
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    }
  });

  it('give every data panel a unit and a description', () => {
    for (const d of built) {
      for (const p of panelsOf(d)) {
        if (p.type === 'beacon-issues-panel' || p.type === 'beacon-session-panel') continue;
        expect((p.fieldConfig as { defaults: Obj }).defaults.unit).toEqual(expect.any(String));
        expect(p.description).toEqual(expect.stringMatching(/\w/));
      }
    }
  });
});

describe('per-object panels at a large cluster', () => {
  // The namespace variable is multi-value with All, and a pod, HPA or GPU-using pod is named
  // per namespace (StatefulSet pods such as redis-0 repeat in every namespace). `sum by (pod)`
  // keeps only pod (PromQL's `by` drops every other label), so same-named objects of different
  // namespaces were summed into one line with one legend.
  const NAMESPACE_OF: Record<string, string> = {
    pod: 'namespace',
    horizontalpodautoscaler: 'namespace',
    exported_pod: 'exported_namespace',
  };
  const targets = built.flatMap((d) =>
    panelsOf(d).flatMap((p) =>
      ((p.targets as Obj[] | undefined) ?? []).map((t) => ({
        where: `${d.uid as string} / ${p.title as string}`,
        expr: t.expr as string,
        legend: t.legendFormat as string,
      })),
    ),
  );

  it('group by the namespace as well as the pod, HPA or GPU-using pod, and show it in the legend', () => {
    const wrong: string[] = [];
    for (const t of targets) {
      for (const [by, list = ''] of t.expr.matchAll(/\bby \(([^)]*)\)/g)) {
        const labels = list.split(',').map((l) => l.trim());
        for (const [object, ns] of Object.entries(NAMESPACE_OF)) {
          if (labels.includes(object) && !labels.includes(ns)) wrong.push(`${t.where}: ${by}`);
          if (labels.includes(object) && !t.legend.includes(`{{${ns}}}`)) {
            wrong.push(`${t.where}: legend ${t.legend}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('draw the 20 heaviest pods in the container panels, not every pod of the namespaces', () => {
    const d = byUid.get('beacon-infrastructure') as Obj;
    const exprOf = (title: string) =>
      ((panelsOf(d).find((p) => p.title === title) as Obj).targets as Obj[]).map((t) => t.expr);
    expect(exprOf('Container CPU vs limit')).toEqual([
      'topk(20, sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace=~"$namespace", container!=""}[$__rate_interval]) and on (namespace, pod, container) kube_pod_container_resource_limits{namespace=~"$namespace", resource="cpu"}) / sum by (namespace, pod) (kube_pod_container_resource_limits{namespace=~"$namespace", resource="cpu"}))',
    ]);
    // Only containers with a limit count in the numerator: the denominator has no others.
    expect(exprOf('Container memory vs limit')).toEqual([
      'topk(20, sum by (namespace, pod) (container_memory_working_set_bytes{namespace=~"$namespace", container!=""} and on (namespace, pod, container) kube_pod_container_resource_limits{namespace=~"$namespace", resource="memory"}) / sum by (namespace, pod) (kube_pod_container_resource_limits{namespace=~"$namespace", resource="memory"}))',
    ]);
    expect(exprOf('Container memory working set')).toEqual([
      'topk(20, sum by (namespace, pod) (container_memory_working_set_bytes{namespace=~"$namespace", container!=""}))',
    ]);
    for (const title of ['Container memory vs limit', 'Container CPU usage']) {
      expect(exprOf(title)).toEqual([
        expect.stringMatching(/^topk\(20, sum by \(namespace, pod\) /),
      ]);
    }
  });
});

describe('System Overview', () => {
  const d = byUid.get('beacon-system-overview') as Obj;

  it('refreshes every 30 seconds', () => {
    expect(d.refresh).toBe('30s');
  });

  it('shows p50, p95 and p99 latency per service from the request-duration histogram', () => {
    const exprs = exprsOf(d);
    for (const q of ['0.5', '0.95', '0.99']) {
      expect(exprs).toContain(
        `histogram_quantile(${q}, sum by (service, le) (rate(http_request_duration_seconds_bucket{namespace=~"$namespace", service=~"$service"}[$__rate_interval])))`,
      );
    }
  });

  it('marks p95 latency red above 500 ms and p99 above 2 s', () => {
    const steps = (title: string) =>
      (
        (panelsOf(d).find((p) => p.title === title)?.fieldConfig as { defaults: Obj }).defaults
          .thresholds as { steps: Obj[] }
      ).steps;
    expect(steps('p95 latency by service')).toEqual([
      { color: 'green', value: null },
      { color: 'red', value: 0.5 },
    ]);
    expect(steps('p99 latency by service')).toEqual([
      { color: 'green', value: null },
      { color: 'red', value: 2 },
    ]);
  });

  it('has panels for error ratio, availability, active users and WebSocket connections', () => {
    const titles = panelsOf(d).map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Error ratio by service',
        'Availability',
        'Active users',
        'WebSocket connections',
      ]),
    );
  });
});

describe('AI Models', () => {
  const d = byUid.get('beacon-ai-models') as Obj;

  // The GPU panels are evaluated by Prometheus: promtool.test.ts.

  it('shows inference rate, latency and errors per model, confidence and queue depth', () => {
    const exprs = exprsOf(d).join('\n');
    expect(exprs).toContain('sum by (model) (rate(ai_inference_requests_total{');
    expect(exprs).toContain('ai_inference_duration_seconds_bucket');
    expect(exprs).toContain('ai_inference_errors_total');
    expect(exprs).toContain('ai_model_confidence_ratio_bucket');
    expect(exprs).toContain('job_queue_length');
  });

  // The 5 s of alert-rules' AiInferenceLatencyHigh (p95 > 5) and SLO ai-service-latency, not the
  // HTTP p95 threshold (0.5 s), which drew normal GPU inference of 1-4 s red.
  it('draws inference latency red above 5 s, where the AI latency alert fires', () => {
    const p = panelsOf(d).find((x) => x.title === 'Inference latency by model') as Obj;
    expect((p.fieldConfig as { defaults: Obj }).defaults).toMatchObject({
      unit: 's',
      thresholds: {
        steps: [
          { color: 'green', value: null },
          { color: 'red', value: 5 },
        ],
      },
    });
    expect(p.description).toContain('Red above 5 s');
  });
});

describe('Infrastructure', () => {
  const d = byUid.get('beacon-infrastructure') as Obj;

  it('shows current, desired, min and max replicas of each HPA', () => {
    const hpa = panelsOf(d).find((p) => p.title === 'HPA replicas') as Obj;
    expect((hpa.targets as Obj[]).map((t) => t.expr)).toEqual([
      'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{namespace=~"$namespace"})',
      'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas{namespace=~"$namespace"})',
      'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_min_replicas{namespace=~"$namespace"})',
      'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{namespace=~"$namespace"})',
    ]);
  });

  it('counts pod restarts per interval, each restart in one point', () => {
    const p = panelsOf(d).find((x) => x.title === 'Pod restarts') as Obj;
    expect(p.interval).toBe('2m');
    expect((p.targets as Obj[]).map((t) => t.expr)).toEqual([
      'sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{namespace=~"$namespace"}[$__interval])) > 0',
    ]);
  });

  it('marks container memory orange above 512 MiB and red above 1 GiB', () => {
    const p = panelsOf(d).find((x) => x.title === 'Container memory working set') as Obj;
    expect((p.fieldConfig as { defaults: Obj }).defaults).toMatchObject({
      unit: 'bytes',
      thresholds: {
        steps: [
          { color: 'green', value: null },
          { color: 'orange', value: 536870912 },
          { color: 'red', value: 1073741824 },
        ],
      },
    });
  });
});

describe('Error Tracking', () => {
  const d = byUid.get('beacon-error-tracking') as Obj;

  it('includes the app plugin issues panel, of the selected projects and services', () => {
    const issues = panelsOf(d).find((p) => p.type === 'beacon-issues-panel') as Obj;
    expect(issues.options).toEqual({ project: '$project', service: '$service' });
  });

  it('picks projects by the name the tracker labels its metrics with, all by default', () => {
    const list = (d.templating as { list: Obj[] }).list;
    expect(list.map((v) => v.name)).toEqual(['datasource', 'namespace', 'service', 'project']);
    expect(list.find((v) => v.name === 'project')).toMatchObject({
      type: 'query',
      query: 'label_values(beacon_tracker_events_ingested_total, project)',
      multi: true,
      includeAll: true,
      allValue: '.*',
      current: { text: ['All'], value: ['$__all'] },
    });
  });

  it('breaks tracked errors down by severity, service and type', () => {
    const exprs = exprsOf(d).join('\n');
    for (const label of ['severity', 'service', 'type']) {
      expect(exprs).toContain(
        `sum by (${label}) (rate(beacon_tracker_events_ingested_total{project=~"$project", service=~"$service"}[$__rate_interval]))`,
      );
    }
  });

  it('counts open issues and user feedback of the selected projects alone', () => {
    expect(exprsOf(d)).toEqual(
      expect.arrayContaining([
        'sum(beacon_tracker_open_issues{project=~"$project"})',
        'sum(beacon_tracker_open_issues{project=~"$project", severity="critical"})',
        'sum by (project) (increase(beacon_tracker_feedback_ingested_total{project=~"$project"}[$__interval]))',
      ]),
    );
    // Every query of the tracker's error metrics is of the selected projects.
    const tracker = exprsOf(d).filter((e) =>
      /beacon_tracker_(events|new_issues|open_issues|feedback)/.test(e),
    );
    expect(tracker).toHaveLength(8);
    for (const e of tracker) expect(e).toContain('project=~"$project"');
  });
});

describe('Debugging', () => {
  const d = byUid.get('beacon-debugging') as Obj;

  it('drives the app plugin session panel from a correlation-id text box', () => {
    const list = (d.templating as { list: Obj[] }).list;
    expect(list.find((v) => v.name === 'correlation_id')).toMatchObject({ type: 'textbox' });
    const session = panelsOf(d).find((p) => p.type === 'beacon-session-panel') as Obj;
    expect(session.options).toEqual({ correlationId: '${correlation_id}' });
  });
});

describe('Database', () => {
  const d = byUid.get('beacon-database') as Obj;

  it('reads PostgreSQL buffer cache hits and reads from postgres_exporter', () => {
    const exprs = exprsOf(d).join('\n');
    expect(exprs).toContain('rate(pg_stat_database_blks_hit[$__rate_interval])');
    expect(exprs).toContain('rate(pg_stat_database_blks_read[$__rate_interval])');
    expect(exprs).toContain('pg_settings_max_connections');
  });

  it('shows the connections of the fullest server against its own max_connections', () => {
    const p = panelsOf(d).find((x) => x.title === 'Connections used') as Obj;
    expect((p.targets as Obj[]).map((t) => t.expr)).toEqual([
      'max(sum by (job, instance) (pg_stat_database_numbackends) / max by (job, instance) (pg_settings_max_connections))',
    ]);
  });
});

describe('Business', () => {
  const d = byUid.get('beacon-business') as Obj;

  it('counts OAuth sign-ins by provider', () => {
    expect(exprsOf(d)).toContain(
      'sum by (provider, outcome) (increase(auth_attempts_total{namespace=~"$namespace", service=~"$service", method="oauth"}[$__interval]))',
    );
  });

  // A count per point must cover the step and no more ($__interval, not $__rate_interval, whose
  // windows overlap), and a window of at least 2m keeps two scrapes in it at a 1m scrape
  // interval. promtool.test.ts shows the points then add up to the total at two zooms.
  it('counts events per interval: window $__interval, panel min interval 2m', () => {
    const counts = panelsOf(d).filter((p) => p.title !== 'Storage used by tool');
    expect(counts.map((p) => p.title)).toEqual([
      'Registrations by method',
      'Sign-ins by method and outcome',
      'OAuth sign-ins by provider',
      'Tool operations by tool',
      'Editing sessions by tool',
      'Artifacts created by tool and kind',
    ]);
    for (const p of counts) {
      expect({ title: p.title, interval: p.interval }).toEqual({ title: p.title, interval: '2m' });
      for (const t of p.targets as Obj[]) {
        expect(t.expr).toMatch(
          /^sum by \([a-z, ]+\) \(increase\([a-z_]+\{[^}]*\}\[\$__interval\]\)\)$/,
        );
      }
      expect(p.description).toContain('in each interval between two points (at least 2m)');
    }
  });
});

describe('Autoscaling', () => {
  const d = byUid.get('beacon-autoscaling') as Obj;

  it('has an hpa variable listing the autoscalers of the selected namespaces', () => {
    const list = (d.templating as { list: Obj[] }).list;
    expect(list.find((v) => v.name === 'hpa')).toMatchObject({
      type: 'query',
      query:
        'label_values(kube_horizontalpodautoscaler_spec_max_replicas{namespace=~"$namespace"}, horizontalpodautoscaler)',
    });
  });

  it("compares each HPA's scaling metric with its target", () => {
    const p = panelsOf(d).find((x) => x.title === 'Scaling metric vs target') as Obj;
    expect((p.targets as Obj[]).map((t) => t.expr)).toEqual([
      // Paired by metric_target_type, a current value drawn where its spec has a target of its
      // type (promtool.test.ts evaluates both on kube-state-metrics' series).
      'max by (namespace, horizontalpodautoscaler, metric_name, metric_target_type) (kube_horizontalpodautoscaler_status_target_metric{namespace=~"$namespace", horizontalpodautoscaler=~"$hpa"}) and max by (namespace, horizontalpodautoscaler, metric_name, metric_target_type) (kube_horizontalpodautoscaler_spec_target_metric{namespace=~"$namespace", horizontalpodautoscaler=~"$hpa"})',
      'max by (namespace, horizontalpodautoscaler, metric_name, metric_target_type) (kube_horizontalpodautoscaler_spec_target_metric{namespace=~"$namespace", horizontalpodautoscaler=~"$hpa"})',
    ]);
  });

  // A count per point, as the Business counts: over $__rate_interval the windows overlapped and
  // one change was counted in several points (promtool.test.ts adds the points up).
  it('counts scaling events per interval: window $__interval, panel min interval 2m', () => {
    const p = panelsOf(d).find((x) => x.title === 'Scaling events') as Obj;
    expect(p.interval).toBe('2m');
    expect((p.targets as Obj[]).map((t) => t.expr)).toEqual([
      'sum by (namespace, horizontalpodautoscaler) (changes(kube_horizontalpodautoscaler_status_desired_replicas{namespace=~"$namespace", horizontalpodautoscaler=~"$hpa"}[$__interval]))',
    ]);
    expect(p.description).toContain('in each interval between two points (at least 2m)');
  });
});
