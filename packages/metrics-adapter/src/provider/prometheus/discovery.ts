// Series discovery: which API metrics the rules yield from the series Prometheus has. Rules that
// share a seriesQuery share one /api/v1/series call, as in prometheus-adapter. The table is
// rebuilt in the background (--metrics-relist-interval) and swapped whole, so a request always
// sees one consistent table.
import type { ObjectLister } from '../../k8s/objects';
import { builtInResource, isRootScoped } from '../../k8s/resources';
import type { DiscoveryRule } from './config';
import {
  compileRule,
  customResourcesOf,
  ruleCompiler,
  type CompiledRule,
  type DiscoveredNames,
} from './naming';
import type { PrometheusClient } from './client';

/** One rule that yields an API metric, with the Prometheus series name its queries use. */
export interface MetricSource {
  readonly rule: CompiledRule;
  /**
   * The last series name the rule's series list gives for the metric: upstream's SetSeries and
   * filterAndStoreMetrics store the series name series by series, so the last one listed stays.
   */
  readonly seriesName: string;
}

export interface TableEntry {
  /** The API resource (`pods`, `deployments.apps`, `namespaces`); '' for external metrics. */
  readonly resource: string;
  readonly metric: string;
  readonly namespaced: boolean;
  /**
   * Custom metrics: every rule that yields this metric, in config order (presets first).
   * prometheus-adapter keeps the last rule and drops the rest; serving all lets one metric come
   * from differently labelled series (DCGM exporter's `pod` and `exported_pod`), the last rule
   * with a value for an object winning, so where one rule describes every object the answer is
   * upstream's. External metrics: the one rule upstream serves, the last in config order.
   */
  readonly sources: readonly MetricSource[];
  /** External metrics: the other rules that yield this name, in config order (none are queried). */
  readonly shadowed: readonly CompiledRule[];
}

export interface MetricTable {
  readonly custom: ReadonlyMap<string, TableEntry>;
  readonly external: ReadonlyMap<string, TableEntry>;
  /** The custom resources' names the table's rules were compiled with (discoverResourceNames). */
  readonly names: DiscoveredNames;
}

export const tableKey = (resource: string, metric: string) => `${resource}/${metric}`;

type SeriesByQuery = ReadonlyMap<string, readonly Record<string, string>[]>;

/**
 * A namespaced entry's sources before buildMetricTable left out the rules that map no label to
 * namespaces: withDiscoveredScopes serves them again when the resource is cluster-scoped.
 */
const everySource = new WeakMap<TableEntry, readonly MetricSource[]>();
type MutableEntry = Omit<TableEntry, 'sources' | 'shadowed' | 'namespaced'> & {
  namespaced: boolean;
  sources: { rule: CompiledRule; seriesName: string }[];
  shadowed: CompiledRule[];
};

/**
 * Adds a custom metric's source, or makes `series` the series name of the rule's source. The
 * metric is namespaced once any of its series is: upstream keys metrics by whether they are
 * (CustomMetricInfo.Namespaced), so a series without the namespace label, listed first or by an
 * earlier rule, does not take the namespaced metric away.
 */
function addCustom(
  map: Map<string, MutableEntry>,
  entry: Omit<TableEntry, 'sources' | 'shadowed'>,
  rule: CompiledRule,
  series: string,
) {
  const key = tableKey(entry.resource, entry.metric);
  let existing = map.get(key);
  if (!existing) map.set(key, (existing = { ...entry, sources: [], shadowed: [] }));
  else if (entry.namespaced) existing.namespaced = true;
  const source = existing.sources.find((s) => s.rule === rule);
  if (source) source.seriesName = series;
  else existing.sources.push({ rule, seriesName: series });
}

/**
 * Makes `rule` (with `series`) the external metric's only source, as upstream's
 * filterAndStoreMetrics overwrites `rawMetricsCache[name]`: the last rule in config order wins.
 */
function setExternal(
  map: Map<string, MutableEntry>,
  metric: string,
  namespaced: boolean,
  rule: CompiledRule,
  series: string,
) {
  const key = tableKey('', metric);
  const previous = map.get(key);
  const earlier = previous?.sources[0]?.rule;
  const shadowed = previous?.shadowed ?? [];
  if (earlier && earlier !== rule) shadowed.push(earlier);
  map.set(key, {
    resource: '',
    metric,
    namespaced,
    sources: [{ rule, seriesName: series }],
    shadowed,
  });
}

export function buildMetricTable(
  rules: readonly DiscoveryRule[],
  externalRules: readonly DiscoveryRule[],
  seriesByQuery: SeriesByQuery,
  names: DiscoveredNames = new Map(),
): MetricTable {
  const custom = new Map<string, MutableEntry>();
  const external = new Map<string, MutableEntry>();
  for (const rule of rules.map(ruleCompiler(names))) {
    for (const labels of seriesByQuery.get(rule.rule.seriesQuery) ?? []) {
      const name = labels.__name__;
      const metric = name && rule.apiName(name);
      if (!name || !metric) continue;
      const resources = Object.keys(labels)
        .map((l) => rule.resourceFor(l))
        .filter((r): r is string => r !== undefined);
      const namespaced = resources.includes('namespaces');
      for (const resource of resources) {
        // As upstream's SetSeries, which does so for namespaces, nodes and persistentvolumes: a
        // root-scoped object has no namespace, whatever other labels its series carry.
        const entry = { resource, metric, namespaced: namespaced && !isRootScoped(resource) };
        addCustom(custom, entry, rule, name);
      }
    }
  }
  for (const rule of externalRules.map(compileRule)) {
    for (const labels of seriesByQuery.get(rule.rule.seriesQuery) ?? []) {
      const name = labels.__name__;
      const metric = name && rule.apiName(name);
      if (!name || !metric) continue;
      setExternal(external, metric, rule.rule.resources.namespaced ?? true, rule, name);
    }
  }
  // A namespaced metric is asked for inside a namespace, which a rule that maps no label to
  // namespaces cannot put in its query: it would answer for a same-named object of any
  // namespace. Upstream serves a namespaced metric from the rules whose series are namespaced.
  // The others are kept aside for withDiscoveredScopes, should the resource be cluster-scoped.
  for (const entry of custom.values()) {
    if (!entry.namespaced) continue;
    const scoped = entry.sources.filter((s) => s.rule.labelFor('namespaces') !== undefined);
    if (scoped.length < entry.sources.length) everySource.set(entry, entry.sources);
    entry.sources = scoped;
  }
  const sorted = <T>(m: Map<string, T>) =>
    new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { custom: sorted(custom), external: sorted(external), names };
}

/**
 * What the API server's discovery names the custom resources the rules' overrides name, for
 * buildMetricTable: as upstream's RESTMapper normalises an override, `{group:
 * monitoring.coreos.com, resource: prometheus}` is `prometheuses.monitoring.coreos.com`, where
 * the guess from the name alone takes `prometheus` for a plural. Each name as written, the
 * resource's singular and its plural map to the plural, so a request naming the singular finds
 * it too. Empty where the lister cannot ask (kube-state-metrics). A resource discovery cannot say
 * anything of keeps what the last relist found (`before`), so an API server that is briefly away
 * does not move a metric to another path for a relist; one never found keeps the guess until a
 * later relist finds it. A request naming a resource without its group (`prometheuses`) finds
 * it as a RESTMapper would: when one custom resource alone has that plural or singular, and no
 * built-in resource does (those come first).
 */
export async function discoverResourceNames(
  rules: readonly DiscoveryRule[],
  lister: ObjectLister,
  before: DiscoveredNames = new Map(),
): Promise<DiscoveredNames> {
  const names = new Map<string, string>();
  if (!lister.discover) return names;
  const written = [...new Set(rules.flatMap(customResourcesOf))];
  const found = await Promise.all(
    written.map((name) => lister.discover?.(name).catch(() => undefined)),
  );
  const bare = new Map<string, Set<string>>();
  written.forEach((name, i) => {
    const r = found[i];
    if (!r) return;
    for (const alias of [name, `${r.singular}.${r.group}`, r.key]) names.set(alias, r.key);
    for (const alias of [r.resource, r.singular])
      bare.set(alias, (bare.get(alias) ?? new Set()).add(r.key));
  });
  for (const [alias, keys] of bare)
    if (keys.size === 1 && !builtInResource(undefined, alias)) names.set(alias, [...keys][0] ?? '');
  written.forEach((name, i) => {
    const key = before.get(name);
    if (found[i] || !key) return;
    for (const [alias, to] of before) if (to === key && !names.has(alias)) names.set(alias, key);
  });
  return names;
}

/**
 * The table with the metrics of every custom resource that the API server's discovery says is
 * cluster-scoped (`clusterissuers.cert-manager.io`) served root-scoped, as buildMetricTable
 * serves the built-in ones: it can only guess that a custom resource is namespaced. A lister
 * that cannot ask (kube-state-metrics) leaves the table as it is. A resource discovery cannot say
 * anything of now keeps the scope it had in the table `before` (the last relist's), so an API
 * server that is briefly away does not move its metrics into namespaces for a relist.
 */
export async function withDiscoveredScopes(
  table: MetricTable,
  lister: ObjectLister,
  before?: MetricTable,
): Promise<MetricTable> {
  if (!lister.discover) return table;
  const namespaced = new Set(
    [...table.custom.values()].filter((e) => e.namespaced).map((e) => e.resource),
  );
  const rootBefore = new Set(
    [...(before?.custom.values() ?? [])].filter((e) => !e.namespaced).map((e) => e.resource),
  );
  const rootScoped = new Set<string>();
  await Promise.all(
    [...namespaced].map(async (resource) => {
      const discovered = await lister.discover?.(resource).catch(() => undefined);
      if (discovered ? isRootScoped(discovered) : rootBefore.has(resource))
        rootScoped.add(resource);
    }),
  );
  if (rootScoped.size === 0) return table;
  const custom = new Map(
    [...table.custom].map(([key, e]) => [
      key,
      // Served root-scoped, as upstream serves the series without a namespace (its SetSeries
      // keys them apart, Namespaced false): the rules that map no namespace label answer too.
      rootScoped.has(e.resource)
        ? { ...e, namespaced: false, sources: everySource.get(e) ?? e.sources }
        : e,
    ]),
  );
  return { ...table, custom };
}

/** An external metric that more than one rule yields: which rule serves it, which do not. */
export interface ExternalOverlap {
  readonly metric: string;
  readonly served: CompiledRule;
  readonly shadowed: readonly CompiledRule[];
}

/** The external metrics that more than one rule yields, by name. */
export function externalOverlaps(table: MetricTable): ExternalOverlap[] {
  const overlaps: ExternalOverlap[] = [];
  for (const { metric, sources, shadowed } of table.external.values()) {
    const served = sources[0];
    if (served && shadowed.length > 0) overlaps.push({ metric, served: served.rule, shadowed });
  }
  return overlaps;
}

/**
 * Lists the series every distinct seriesQuery selects (one call per query), each list cut to one
 * series per shape (distinctShapes). A call that fails
 * fails the list, naming its seriesQuery and the rules that have it, as upstream's lister names
 * the query ("unable to fetch metrics for query …"): Prometheus' own error does not say which.
 */
export async function listSeries(
  client: PrometheusClient,
  rules: readonly DiscoveryRule[],
  since: Date,
  timeoutMs?: number,
): Promise<Map<string, Record<string, string>[]>> {
  const queries = [...new Set(rules.map((r) => r.seriesQuery))];
  const results = await Promise.all(
    queries.map((q) =>
      client.series([q], since, timeoutMs).then(
        (list) => distinctShapes(list),
        (err: unknown) => {
          const origins = rules.filter((r) => r.seriesQuery === q && r.origin).map((r) => r.origin);
          const of = origins.length > 0 ? ` (${origins.join(', ')})` : '';
          const why = err instanceof Error ? err.message : String(err);
          throw new Error(`listing the series of seriesQuery ${JSON.stringify(q)}${of}: ${why}`, {
            cause: err,
          });
        },
      ),
    ),
  );
  return new Map(queries.map((q, i) => [q, results[i] ?? []]));
}

type Series = Record<string, string>;

/**
 * What discovery reads of a series: its name and which labels it has, never a label's value
 * (buildMetricTable). Label names are sorted so the key does not depend on the order they come in.
 */
const shapeKey = (labels: Series) =>
  JSON.stringify([labels.__name__ ?? '', ...Object.keys(labels).sort()]);

/**
 * One series of each shape (name and label names), the last of it listed, in the order of those
 * last ones: a table built from them is the one built from every series (a rule's source keeps
 * the last series name listed, which is the name of the last shape listed that yields it). A
 * large cluster's `{namespace!="",pod!=""}` lists a series per pod and container, 500,000 of
 * them at 20,000 pods: held from one relist to the next (and keyed, for the grace below) they
 * took ~210 MiB of heap and 3.5 s of CPU a relist, for a table of a few hundred metrics.
 */
export async function distinctShapes(
  list: readonly Series[],
  pause: () => Promise<void> = nextTurn,
): Promise<Series[]> {
  const shapes = new Map<string, Series>();
  for (let i = 0; i < list.length; i++) {
    // Keying 500,000 series takes ~0.5 s: the value requests get a turn every SHAPES_A_TURN.
    if (i > 0 && i % SHAPES_A_TURN === 0) await pause();
    const labels = list[i] as Series;
    const key = shapeKey(labels);
    shapes.delete(key);
    shapes.set(key, labels);
  }
  return [...shapes.values()];
}

const SHAPES_A_TURN = 20_000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One relist of grace for each series shape (distinctShapes). Prometheus answers
 * `/api/v1/series` with an empty success while it shuts down, so a relist that lands in a
 * rollout's shutdown would otherwise empty the table and turn every HPA's metric into a 404 until
 * the next relist. A shape leaves the lists only once two relists in a row have seen no series of
 * it, which is when every series of it has not been seen for two relists in a row: the same
 * table as a grace kept series by series, with what it holds bounded by the shapes, not the series.
 */
export class SeriesGrace {
  private last = new Map<string, Map<string, { labels: Series; missed: boolean }>>();

  /** This relist's lists, plus the series the relist before saw and this one did not. */
  carry(current: ReadonlyMap<string, readonly Series[]>): Map<string, Series[]> {
    const next = new Map<string, Map<string, { labels: Series; missed: boolean }>>();
    const lists = new Map<string, Series[]>();
    for (const [query, list] of current) {
      const seen = new Map<string, { labels: Series; missed: boolean }>();
      for (const labels of list) {
        const key = shapeKey(labels);
        seen.delete(key);
        seen.set(key, { labels, missed: false });
      }
      for (const [key, old] of this.last.get(query) ?? []) {
        if (!old.missed && !seen.has(key)) seen.set(key, { labels: old.labels, missed: true });
      }
      next.set(query, seen);
      lists.set(
        query,
        [...seen.values()].map((s) => s.labels),
      );
    }
    this.last = next;
    return lists;
  }
}
