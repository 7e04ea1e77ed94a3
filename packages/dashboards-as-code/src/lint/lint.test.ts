import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_SCHEMA_PATH, createLinter, formatText, hasErrors, loadSchema } from '.';
import type { Finding } from '.';

type Obj = Record<string, unknown>;

const lint = createLinter();

/** A small dashboard written by hand, valid against the schema and every rule. */
function good(): Obj {
  return {
    uid: 'beacon-test',
    title: 'Test',
    schemaVersion: 42,
    annotations: {},
    templating: {
      list: [
        { type: 'datasource', name: 'datasource', query: 'prometheus' },
        {
          type: 'query',
          name: 'namespace',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: 'label_values(up, namespace)',
        },
      ],
    },
    panels: [
      { type: 'row', id: 1, title: 'Traffic', panels: [], collapsed: false },
      {
        type: 'timeseries',
        id: 2,
        title: 'Requests',
        description: 'HTTP requests per second.',
        datasource: { type: 'prometheus', uid: '${datasource}' },
        fieldConfig: { defaults: { unit: 'reqps' }, overrides: [] },
        targets: [
          {
            refId: 'A',
            datasource: { type: 'prometheus', uid: '${datasource}' },
            expr: 'sum(rate(http_requests_total{namespace=~"$namespace"}[$__rate_interval]))',
          },
        ],
      },
    ],
  };
}

function panel(d: Obj): Obj {
  return (d.panels as Obj[])[1] as Obj;
}
function setExpr(d: Obj, expr: string): Obj {
  ((panel(d).targets as Obj[])[0] as Obj).expr = expr;
  return d;
}
const rules = (fs: Finding[]) => fs.map((f) => f.rule);

describe('lint', () => {
  it('finds nothing in a correct hand-made dashboard', () => {
    expect(lint(good())).toEqual([]);
  });

  it('reports a schema violation with the JSON path and the panel', () => {
    const d = good();
    panel(d).colour = 'red';
    expect(lint(d)).toEqual([
      {
        rule: 'schema/valid',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message: '/panels/1 must NOT have additional properties ("colour")',
      },
    ]);
  });

  // Found by the audit of 2026-12-07: no test held these two rules, the only check of a
  // dashboard without a uid (the schema takes one).
  it('reports a dashboard without a uid or a title', () => {
    const d = good();
    delete d.uid;
    d.title = ' ';
    expect(rules(lint(d))).toEqual(['dashboard/uid', 'dashboard/title']);
  });

  it('reports a dashboard missing the required schemaVersion', () => {
    const d = good();
    delete d.schemaVersion;
    expect(lint(d)).toEqual([
      {
        rule: 'schema/valid',
        severity: 'error',
        dashboard: 'beacon-test',
        message: "/ must have required property 'schemaVersion'",
      },
    ]);
  });

  it('reports an expression that does not parse', () => {
    const f = lint(setExpr(good(), 'sum(rate(http_requests_total[$__rate_interval])'));
    expect(rules(f)).toEqual(['promql/parse']);
    expect(f[0]).toMatchObject({ severity: 'error', dashboard: 'beacon-test', panel: 'Requests' });
  });

  it('reports a metric that is not in the catalog', () => {
    const f = lint(setExpr(good(), 'sum(http_requests_totl)'));
    expect(f).toEqual([
      {
        rule: 'promql/metric-in-catalog',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message: 'target A: metric "http_requests_totl" is not in metric-catalog',
      },
    ]);
  });

  it('accepts histogram bucket series of a catalog histogram', () => {
    const expr =
      'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[$__rate_interval])))';
    expect(lint(setExpr(good(), expr))).toEqual([]);
  });

  it('reports rate() over a gauge', () => {
    const f = lint(setExpr(good(), 'sum(rate(websocket_connections[$__rate_interval]))'));
    expect(f).toEqual([
      {
        rule: 'promql/rate-counter',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message: 'target A: rate() over "websocket_connections", which is a gauge, not a counter',
      },
    ]);
  });

  it('reports increase() over the bare name of a histogram', () => {
    const f = lint(setExpr(good(), 'increase(http_request_duration_seconds[$__range])'));
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'promql/rate-counter',
        message:
          'target A: increase() over "http_request_duration_seconds", which is a histogram, not a counter',
      }),
    ]);
  });

  it('reports a rate window that is not $__rate_interval', () => {
    const f = lint(setExpr(good(), 'sum(rate(http_requests_total[5m]))'));
    expect(f).toEqual([
      {
        rule: 'promql/rate-interval',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message: 'target A: rate() window is "5m", should be $__rate_interval',
      },
    ]);
  });

  it('reports increase() over $__rate_interval, whose overlapping windows count events twice', () => {
    const f = lint(setExpr(good(), 'sum(increase(http_requests_total[$__rate_interval]))'));
    expect(f).toEqual([
      {
        rule: 'promql/rate-interval',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message:
          'target A: increase() window is "$__rate_interval", longer than the step, so consecutive points overlap and count each event several times; use $__interval with a panel min interval (a count per point) or rate() (per second)',
      },
    ]);
  });

  it('reports increase() over $__interval when the panel sets no min interval', () => {
    const f = lint(setExpr(good(), 'sum(increase(http_requests_total[$__interval]))'));
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'promql/rate-interval',
        message:
          'target A: increase() window is "$__interval" without a panel min interval (interval): a window of one scrape or less holds too few samples',
      }),
    ]);
  });

  it('accepts increase() over $__interval under a panel min interval, and over $__range', () => {
    const d = setExpr(good(), 'sum(increase(http_requests_total[$__interval]))');
    panel(d).interval = '2m';
    expect(lint(d)).toEqual([]);
    expect(lint(setExpr(good(), 'sum(increase(http_requests_total[$__range]))'))).toEqual([]);
  });

  it('reports rate() over $__interval, which may hold fewer than two samples', () => {
    const d = setExpr(good(), 'sum(rate(http_requests_total[$__interval]))');
    panel(d).interval = '2m';
    expect(lint(d)).toEqual([
      expect.objectContaining({
        rule: 'promql/rate-interval',
        message: 'target A: rate() window is "$__interval", should be $__rate_interval',
      }),
    ]);
  });

  it('reports an increase() window that is a fixed duration', () => {
    const f = lint(setExpr(good(), 'sum(increase(http_requests_total[1h]))'));
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'promql/rate-interval',
        message:
          'target A: increase() window is "1h", should be $__interval with a panel min interval (a count per point) or $__range (a total)',
      }),
    ]);
  });

  // changes() and resets() count events per window as increase() does, so the same windows:
  // over $__rate_interval an HPA's one change of desired replicas was drawn in several points.
  it.each(['changes', 'resets'])(
    'reports %s() over $__rate_interval, whose overlapping windows count events twice',
    (fn) => {
      const f = lint(
        setExpr(
          good(),
          `sum(${fn}(kube_horizontalpodautoscaler_status_desired_replicas[$__rate_interval]))`,
        ),
      );
      expect(f).toEqual([
        {
          rule: 'promql/rate-interval',
          severity: 'error',
          dashboard: 'beacon-test',
          panel: 'Requests',
          message: `target A: ${fn}() window is "$__rate_interval", longer than the step, so consecutive points overlap and count each event several times; use $__interval with a panel min interval (a count per point) or $__range (a total)`,
        },
      ]);
    },
  );

  it.each(['changes', 'resets'])(
    'reports %s() over $__interval when the panel sets no min interval',
    (fn) => {
      const f = lint(setExpr(good(), `sum(${fn}(http_requests_total[$__interval]))`));
      expect(f).toEqual([
        expect.objectContaining({
          rule: 'promql/rate-interval',
          message: `target A: ${fn}() window is "$__interval" without a panel min interval (interval): a window of one scrape or less holds too few samples`,
        }),
      ]);
    },
  );

  it.each(['changes', 'resets'])('reports a %s() window that is a fixed duration', (fn) => {
    const f = lint(setExpr(good(), `sum(${fn}(http_requests_total[1h]))`));
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'promql/rate-interval',
        message: `target A: ${fn}() window is "1h", should be $__interval with a panel min interval (a count per point) or $__range (a total)`,
      }),
    ]);
  });

  it('accepts changes() of a gauge over $__interval under a panel min interval, and over $__range', () => {
    const gauge = 'kube_horizontalpodautoscaler_status_desired_replicas';
    const d = setExpr(good(), `sum(changes(${gauge}[$__interval]))`);
    panel(d).interval = '2m';
    expect(lint(d)).toEqual([]);
    expect(lint(setExpr(good(), `sum(changes(${gauge}[$__range]))`))).toEqual([]);
    expect(lint(setExpr(good(), 'sum(resets(http_requests_total[$__range]))'))).toEqual([]);
  });

  it('reports a variable that is used but not defined', () => {
    const f = lint(setExpr(good(), 'sum(http_requests_total{service=~"$service"})'));
    expect(f).toEqual([
      {
        rule: 'template/undefined-variable',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message: 'panel uses undefined variable $service',
      },
    ]);
  });

  it('reports a typo in a Grafana global variable', () => {
    const f = lint(setExpr(good(), 'sum(rate(http_requests_total[$__rate_intervall]))'));
    expect(rules(f)).toEqual(['template/undefined-variable', 'promql/rate-interval']);
  });

  it('reports a dashboard without the datasource variable', () => {
    const d = good();
    const list = (d.templating as { list: Obj[] }).list;
    list.splice(0, 1);
    const f = lint(d);
    expect(f).toContainEqual({
      rule: 'template/datasource',
      severity: 'error',
      dashboard: 'beacon-test',
      message: 'no datasource variable named "datasource"',
    });
  });

  it('reports a panel whose datasource is not the datasource variable', () => {
    const d = good();
    panel(d).datasource = { type: 'prometheus', uid: 'prometheus' };
    expect(lint(d)).toEqual([
      {
        rule: 'panel/datasource',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message:
          'datasource {"type":"prometheus","uid":"prometheus"} is not the $datasource variable',
      },
    ]);
  });

  // Grafana reads both `$varname` and `${var_name}` (docs: dashboards/variables/variable-syntax).
  it('accepts the datasource variable written $datasource as well as ${datasource}', () => {
    const d = good();
    panel(d).datasource = { type: 'prometheus', uid: '$datasource' };
    ((panel(d).targets as Obj[])[0] as Obj).datasource = { type: 'prometheus', uid: '$datasource' };
    expect(lint(d)).toEqual([]);
  });

  it('reports a datasource variable that offers data sources other than Prometheus', () => {
    const d = good();
    ((d.templating as { list: Obj[] }).list[0] as Obj).query = 'loki';
    expect(lint(d)).toContainEqual({
      rule: 'template/datasource',
      severity: 'error',
      dashboard: 'beacon-test',
      message:
        'variable "datasource" is of type "datasource" with query "loki", not a prometheus datasource variable',
    });
  });

  it('reports a data panel without a unit', () => {
    const d = good();
    panel(d).fieldConfig = { defaults: {}, overrides: [] };
    expect(lint(d)).toEqual([
      {
        rule: 'panel/units',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message: 'timeseries panel has no unit',
      },
    ]);
  });

  it('reports a unit Grafana does not know', () => {
    const d = good();
    panel(d).fieldConfig = { defaults: { unit: 'requests/s' }, overrides: [] };
    expect(rules(lint(d))).toEqual(['panel/units']);
  });

  it('reports a panel without a title or a description', () => {
    const d = good();
    panel(d).title = '';
    delete panel(d).description;
    const f = lint(d);
    expect(rules(f)).toEqual(['panel/title', 'panel/description']);
    expect(f[1]?.message).toBe('panel has no description');
  });

  it('checks the PromQL inside label_values() of a query variable', () => {
    const d = good();
    const list = (d.templating as { list: Obj[] }).list;
    (list[1] as Obj).query = 'label_values(upp, namespace)';
    expect(lint(d)).toEqual([
      {
        rule: 'promql/metric-in-catalog',
        severity: 'error',
        dashboard: 'beacon-test',
        message: 'variable "namespace": metric "upp" is not in metric-catalog',
      },
    ]);
  });
});

describe('formatText and hasErrors', () => {
  const finding: Finding = {
    rule: 'panel/units',
    severity: 'error',
    dashboard: 'beacon-x',
    panel: 'CPU',
    message: 'timeseries panel has no unit',
  };

  it('print one line per finding with severity, rule, dashboard and panel', () => {
    expect(formatText([finding])).toBe(
      'error panel/units beacon-x "CPU": timeseries panel has no unit\n',
    );
  });

  it('say when there is nothing to report', () => {
    expect(formatText([])).toBe('no findings\n');
  });

  it('count only error-level findings as errors', () => {
    expect(hasErrors([{ ...finding, severity: 'warning' }])).toBe(false);
    expect(hasErrors([finding])).toBe(true);
  });
});

describe('loadSchema', () => {
  it('fails loudly, naming the path, when the schema is missing', () => {
    expect(() => loadSchema('/nonexistent/dashboard.schema.json')).toThrow(
      'Grafana dashboard schema not found at /nonexistent/dashboard.schema.json',
    );
  });
});

describe('shipped schema', () => {
  it('is byte-identical to the shared Grafana contract it was copied from', () => {
    const shared = resolve(
      __dirname,
      '../../../../../shared/contracts/grafana/dashboard.schema.json',
    );
    if (!existsSync(shared))
      throw new Error(`shared contract missing beside the repository: ${shared}`);
    expect(readFileSync(DEFAULT_SCHEMA_PATH, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});

describe('promql/scope-matchers (job matchers, Beacon style)', () => {
  /** good() with a service variable, so the dashboard is scoped by namespace and service. */
  function scoped(expr: string): Obj {
    const d = setExpr(good(), expr);
    ((d.templating as Obj).list as Obj[]).push({
      type: 'query',
      name: 'service',
      datasource: { type: 'prometheus', uid: '${datasource}' },
      query: 'label_values(up{namespace=~"$namespace"}, service)',
    });
    return d;
  }

  it('accepts a platform-service series filtered on $namespace and $service', () => {
    const expr =
      'sum(rate(http_requests_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))';
    expect(lint(scoped(expr))).toEqual([]);
  });

  it('reports a platform-service series without the service matcher', () => {
    const expr = 'sum(rate(http_requests_total{namespace=~"$namespace"}[$__rate_interval]))';
    expect(lint(scoped(expr))).toEqual([
      {
        rule: 'promql/scope-matchers',
        severity: 'error',
        dashboard: 'beacon-test',
        panel: 'Requests',
        message:
          'target A: selector of "http_requests_total" (scraped per service, service = job) has no service=~"$service" matcher',
      },
    ]);
  });

  it('does not count a matcher on a fixed value or a negative matcher', () => {
    const expr =
      'sum(rate(http_requests_total{namespace!~"$namespace", service="api-gateway"}[$__rate_interval]))';
    expect(rules(lint(scoped(expr)))).toEqual(['promql/scope-matchers', 'promql/scope-matchers']);
  });

  it('does not apply to exporter series, whose job is the exporter', () => {
    const expr = 'sum(rate(node_cpu_seconds_total{mode!="idle"}[$__rate_interval]))';
    expect(lint(scoped(expr))).toEqual([]);
  });

  it('does not apply to dashboards without a service variable', () => {
    expect(lint(setExpr(good(), 'sum(rate(http_requests_total[$__rate_interval]))'))).toEqual([]);
  });
});
