// Lints built dashboards. Findings are data: rule id, severity, dashboard uid, panel title and a
// message naming the bad value. Rules follow grafana/dashboard-linter where it has one.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { findMetric } from '@beacon/metric-catalog';
import { DATASOURCE_VARIABLE } from '../common';
import { analyzePromql, variableRefs } from './promql';

export type Severity = 'error' | 'warning';

export interface Finding {
  /** `area/name`, e.g. `promql/rate-interval`. */
  rule: string;
  severity: Severity;
  /** Dashboard uid (or title when it has none). */
  dashboard: string;
  /** Panel title, when the finding is about one panel. */
  panel?: string;
  message: string;
}

export type DashboardJson = Record<string, unknown>;
type Obj = Record<string, unknown>;

/**
 * Grafana's dashboard JSON schema, shipped with the package so the CLI works outside the
 * repository; a test keeps it identical to the shared contract it was copied from.
 */
export const DEFAULT_SCHEMA_PATH = resolve(__dirname, '../../schema/dashboard.schema.json');

/** Reads the contract schema; throws, naming the path, when it is missing or not JSON. */
export function loadSchema(path: string = DEFAULT_SCHEMA_PATH): object {
  if (!existsSync(path)) {
    throw new Error(`Grafana dashboard schema not found at ${path} `);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read Grafana dashboard schema ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // Ajv throws a TypeError on a null schema; a dashboard schema is an object in any case.
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    const got = schema === null ? 'null' : Array.isArray(schema) ? 'a list' : typeof schema;
    throw new Error(
      `cannot read Grafana dashboard schema ${path}: it is ${got}, not a JSON object`,
    );
  }
  return schema;
}

/** Grafana's global variables, always defined. */
const BUILTIN_VARIABLES = new Set([
  '__interval',
  '__interval_ms',
  '__rate_interval',
  '__rate_interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
  '__from',
  '__to',
  '__dashboard',
  '__user',
  '__org',
  '__timezone',
  'timeFilter',
  '__timeFilter',
]);

/** The variables every query of a scrape-job series must filter on (see promql/scope-matchers). */
const SCOPE_LABELS = ['namespace', 'service'] as const;

/** Panel types that show data from queries and so need a unit. */
const DATA_PANEL_TYPES = new Set([
  'timeseries',
  'stat',
  'gauge',
  'bargauge',
  'table',
  'barchart',
  'piechart',
  'histogram',
  'heatmap',
  'statetimeline',
  'statushistory',
  'trend',
  'xychart',
  'graph',
  'singlestat',
]);

/** Every unit id Grafana knows (foundation-sdk's `units` module). */
const KNOWN_UNITS = new Set<string>(Object.values(units).filter((u) => typeof u === 'string'));

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Top-level and row-nested panels, rows themselves included. */
function allPanels(d: DashboardJson): Obj[] {
  const out: Obj[] = [];
  const walk = (panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const p of panels) {
      if (!isObj(p)) continue;
      out.push(p);
      walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

function variables(d: DashboardJson): Obj[] {
  const list = isObj(d.templating) ? d.templating.list : undefined;
  return Array.isArray(list) ? list.filter(isObj) : [];
}

function targets(panel: Obj): Obj[] {
  return Array.isArray(panel.targets) ? panel.targets.filter(isObj) : [];
}

/** Every string value in `value`, skipping keys in `skip`. */
function strings(value: unknown, skip: ReadonlySet<string>, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, skip, out);
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) if (!skip.has(k)) strings(v, skip, out);
  }
  return out;
}

/** The PromQL inside a Grafana Prometheus variable query (`label_values(<expr>, label)`…). */
export function variableQueryExpr(query: string): string | undefined {
  const labelValues = /^\s*label_values\((.*),\s*[A-Za-z_]\w*\s*\)\s*$/s.exec(query);
  if (labelValues) return labelValues[1];
  if (/^\s*label_values\(\s*[A-Za-z_]\w*\s*\)\s*$/.test(query)) return undefined;
  const queryResult = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (queryResult) return queryResult[1];
  const metrics = /^\s*metrics\(.*\)\s*$/s.exec(query);
  if (metrics) return undefined;
  return query;
}

export type Linter = (d: DashboardJson) => Finding[];

/** A linter checking dashboards against `schema` and Beacon's rules. */
export function createLinter(schema: object = loadSchema()): Linter {
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat('date-time', { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  const validate = ajv.compile(schema);
  // Panels are a oneOf of Panel and RowPanel, whose combined errors say little; a panel that
  // fails is checked again against the one definition its type picks.
  ajv.addSchema(schema, 'contract');
  const definition = (name: string) => ajv.getSchema(`contract#/definitions/${name}`);
  const panelValidators = { panel: definition('Panel'), row: definition('RowPanel') };

  const schemaErrors = (d: DashboardJson): ErrorObject[] => {
    const valid: boolean = validate(d);
    if (valid) return [];
    const all = (validate.errors ?? []) as ErrorObject[];
    const out: ErrorObject[] = [];
    const redone = new Set<number>();
    for (const e of all) {
      const m = /^\/panels\/(\d+)/.exec(e.instancePath);
      const index = m ? Number(m[1]) : undefined;
      const panel = index !== undefined && Array.isArray(d.panels) ? d.panels[index] : undefined;
      const check = isObj(panel)
        ? panel.type === 'row'
          ? panelValidators.row
          : panelValidators.panel
        : undefined;
      if (index === undefined || !check) {
        out.push(e);
        continue;
      }
      if (redone.has(index)) continue;
      redone.add(index);
      const ok: boolean = check(panel);
      const own = ok ? all.filter((x) => x.instancePath.startsWith(`/panels/${index}`)) : [];
      for (const x of ok ? own : ((check.errors ?? []) as ErrorObject[])) {
        out.push(ok ? x : { ...x, instancePath: `/panels/${index}${x.instancePath}` });
      }
    }
    return out;
  };

  return (d) => {
    const uid = str(d.uid) ?? str(d.title) ?? '(no uid)';
    const findings: Finding[] = [];
    const report = (rule: string, severity: Severity, message: string, panel?: Obj) => {
      const f: Finding = { rule, severity, dashboard: uid, message };
      const title = panel && str(panel.title);
      if (panel) f.panel = title ?? `(panel ${String(panel.id ?? '?')})`;
      findings.push(f);
    };

    // schema/valid
    for (const e of schemaErrors(d)) {
      const m = /^\/panels\/(\d+)/.exec(e.instancePath);
      const panel = m && Array.isArray(d.panels) ? d.panels[Number(m[1])] : undefined;
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)})`
          : '';
      report(
        'schema/valid',
        'error',
        `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`,
        isObj(panel) ? panel : undefined,
      );
    }

    // dashboard/uid, dashboard/title
    if (!str(d.uid)) report('dashboard/uid', 'error', 'dashboard has no uid');
    if (!str(d.title)?.trim()) report('dashboard/title', 'error', 'dashboard has no title');

    // template/datasource
    const vars = variables(d);
    const dsVar = vars.find((v) => v.name === DATASOURCE_VARIABLE);
    if (!dsVar) {
      report(
        'template/datasource',
        'error',
        `no datasource variable named ${JSON.stringify(DATASOURCE_VARIABLE)}`,
      );
    } else if (dsVar.type !== 'datasource' || dsVar.query !== 'prometheus') {
      report(
        'template/datasource',
        'error',
        `variable ${JSON.stringify(DATASOURCE_VARIABLE)} is of type ${JSON.stringify(dsVar.type)} with query ${JSON.stringify(dsVar.query)}, not a prometheus datasource variable`,
      );
    }

    // template/undefined-variable
    const defined = new Set(vars.map((v) => str(v.name)).filter((n): n is string => !!n));
    const checkRefs = (texts: string[], where: string, panel?: Obj) => {
      const missing = new Set<string>();
      for (const t of texts) {
        for (const name of variableRefs(t)) {
          if (!defined.has(name) && !BUILTIN_VARIABLES.has(name)) missing.add(name);
        }
      }
      for (const name of missing) {
        report(
          'template/undefined-variable',
          'error',
          `${where} uses undefined variable $${name}`,
          panel,
        );
      }
    };
    const skipText = new Set(['description', 'current', 'options', 'allValue', 'regex']);
    for (const v of vars) {
      checkRefs(strings(v, skipText), `variable ${JSON.stringify(v.name)}`);
    }

    // PromQL in variable queries: parse and catalog.
    const checkExpr = (expr: string, where: string, panel?: Obj) => {
      const a = analyzePromql(expr);
      // promql/scope-matchers: Beacon's form of dashboard-linter's target-job-rule. A platform
      // service's series are scraped per service (the scrape config sets service = job), so a
      // panel query names the service and namespace variables where dashboard-linter wants
      // job=~"$job"; instance is not required (panels aggregate over pods, or split by pod).
      if (panel && defined.has('service') && defined.has('namespace')) {
        for (const sel of a.selectors) {
          const def = sel.series ? findMetric(sel.series) : undefined;
          if (!def || !def.targetLabels.includes('service')) continue;
          for (const label of SCOPE_LABELS) {
            const scoped = sel.matchers.some(
              (m) =>
                (m.op === '=~' || m.op === '=') &&
                m.name === label &&
                variableRefs(m.value).includes(label),
            );
            if (!scoped) {
              report(
                'promql/scope-matchers',
                'error',
                `${where}: selector of ${JSON.stringify(sel.series)} (scraped per service, service = job) has no ${label}=~"$${label}" matcher`,
                panel,
              );
            }
          }
        }
      }
      for (const e of a.errors) {
        report('promql/parse', 'error', `${where}: ${e} in ${JSON.stringify(expr)}`, panel);
      }
      for (const series of new Set(a.series)) {
        if (!findMetric(series)) {
          report(
            'promql/metric-in-catalog',
            'error',
            `${where}: metric ${JSON.stringify(series)} is not in metric-catalog`,
            panel,
          );
        }
      }
      for (const call of a.rangeCalls) {
        const problem = rangeWindowProblem(call.fn, call.window, panel);
        if (problem) report('promql/rate-interval', 'error', `${where}: ${problem}`, panel);
        // promql/rate-counter is about rate/irate/increase; changes() counts the changes of any
        // series, a gauge's (an HPA's desired replicas) most of all.
        if (!COUNTER_FUNCTIONS.has(call.fn)) continue;
        const def = call.series ? findMetric(call.series) : undefined;
        if (call.series && def) {
          const counterSeries =
            def.type === 'counter' ||
            ((def.type === 'histogram' || def.type === 'summary') && call.series !== def.name);
          if (!counterSeries) {
            report(
              'promql/rate-counter',
              'error',
              `${where}: ${call.fn}() over ${JSON.stringify(call.series)}, which is a ${def.type}, not a counter`,
              panel,
            );
          }
        }
      }
    };
    for (const v of vars) {
      if (v.type !== 'query') continue;
      const q = str(v.query) ?? (isObj(v.query) ? str(v.query.query) : undefined);
      const expr = q === undefined ? undefined : variableQueryExpr(q);
      if (expr !== undefined) checkExpr(expr, `variable ${JSON.stringify(v.name)}`);
    }

    // Panels.
    for (const panel of allPanels(d)) {
      const type = str(panel.type) ?? '';
      if (type === 'row') {
        if (!str(panel.title)?.trim()) report('panel/title', 'error', 'row has no title', panel);
        continue;
      }
      if (!str(panel.title)?.trim()) report('panel/title', 'error', 'panel has no title', panel);
      if (!str(panel.description)?.trim()) {
        report('panel/description', 'error', 'panel has no description', panel);
      }
      checkRefs(strings(panel, new Set(['description'])), 'panel', panel);

      const ts = targets(panel);
      if (DATA_PANEL_TYPES.has(type)) {
        const defaults = isObj(panel.fieldConfig) ? panel.fieldConfig.defaults : undefined;
        const unit = isObj(defaults) ? str(defaults.unit) : undefined;
        if (!unit) {
          report('panel/units', 'error', `${type} panel has no unit`, panel);
        } else if (!KNOWN_UNITS.has(unit)) {
          report(
            'panel/units',
            'error',
            `unit ${JSON.stringify(unit)} is not a Grafana unit`,
            panel,
          );
        }
      }
      if (ts.length > 0) {
        const sources = [panel.datasource, ...ts.map((t) => t.datasource)];
        for (const ds of sources) {
          const dsUid = isObj(ds) ? str(ds.uid) : undefined;
          if (dsUid !== `\${${DATASOURCE_VARIABLE}}` && dsUid !== `$${DATASOURCE_VARIABLE}`) {
            report(
              'panel/datasource',
              'error',
              `datasource ${JSON.stringify(ds ?? null)} is not the $${DATASOURCE_VARIABLE} variable`,
              panel,
            );
            break;
          }
        }
      }
      for (const t of ts) {
        const expr = str(t.expr);
        const refId = str(t.refId) ?? '?';
        if (expr === undefined) {
          report('promql/parse', 'error', `target ${refId} has no expr`, panel);
          continue;
        }
        checkExpr(expr, `target ${refId}`, panel);
      }
    }
    return findings;
  };
}

/** The range functions promql/rate-counter checks: only a counter's rate or increase means one. */
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase']);

/** Range functions that count events in their window (`increase`, `changes`, `resets`). */
const COUNT_FUNCTIONS = new Set(['increase', 'changes', 'resets']);

/**
 * promql/rate-interval: what is wrong with the range window of `rate`/`irate`, or of a count
 * (`increase`/`changes`/`resets`), if anything. A per-second rate smooths over
 * `$__rate_interval`. A count per point must not: that window is longer than the step (Grafana:
 * max($__interval + scrape, 4 × scrape)), so windows overlap and each event counts in several
 * points. A count takes `$__interval` (the step: one event, one point) under a panel min
 * interval that keeps two scrapes in the window, or `$__range` (a total over the time range).
 */
function rangeWindowProblem(fn: string, window: string, panel?: Obj): string | undefined {
  const is = `${fn}() window is ${JSON.stringify(window)}`;
  if (!COUNT_FUNCTIONS.has(fn)) {
    return window === '$__rate_interval' ? undefined : `${is}, should be $__rate_interval`;
  }
  if (window === '$__range') return undefined;
  if (window === '$__interval') {
    return panel && str(panel.interval)
      ? undefined
      : `${is} without a panel min interval (interval): a window of one scrape or less holds too few samples`;
  }
  if (window === '$__rate_interval') {
    // rate() is the per-second form of increase() alone.
    const perSecond = fn === 'increase' ? ' or rate() (per second)' : ' or $__range (a total)';
    return `${is}, longer than the step, so consecutive points overlap and count each event several times; use $__interval with a panel min interval (a count per point)${perSecond}`;
  }
  return `${is}, should be $__interval with a panel min interval (a count per point) or $__range (a total)`;
}

/** Lints every dashboard with one linter. */
export function lintAll(ds: readonly DashboardJson[], linter: Linter = createLinter()): Finding[] {
  return ds.flatMap((d) => linter(d));
}

export const hasErrors = (fs: readonly Finding[]): boolean =>
  fs.some((f) => f.severity === 'error');

/** One line per finding: `error promql/parse beacon-x "Panel": message`. */
export function formatText(fs: readonly Finding[]): string {
  if (fs.length === 0) return 'no findings\n';
  return (
    fs
      .map(
        (f) =>
          `${f.severity} ${f.rule} ${f.dashboard}${f.panel !== undefined ? ` ${JSON.stringify(f.panel)}` : ''}: ${f.message}`,
      )
      .join('\n') + '\n'
  );
}
