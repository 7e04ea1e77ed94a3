// Series discovery: which API metrics the rules yield from the series Prometheus has. Rules that
// share a seriesQuery share one /api/v1/series call, as in prometheus-adapter. The table is
// rebuilt in the background (--metrics-relist-interval) and swapped whole, so a request always
// sees one consistent table.
import type { DiscoveryRule } from './config';
import { compileRule, type CompiledRule } from './naming';
import type { PrometheusClient } from './client';

/** One rule that yields an API metric, with the Prometheus series names behind it. */
export interface MetricSource {
  readonly rule: CompiledRule;
  readonly seriesNames: readonly string[];
}

export interface TableEntry {
  /** The API resource (`pods`, `deployments.apps`, `namespaces`); '' for external metrics. */
  readonly resource: string;
  readonly metric: string;
  readonly namespaced: boolean;
  /**
   * Every rule that yields this metric, in config order. prometheus-adapter keeps one and drops
   * the rest silently; serving all lets one metric come from differently labelled series (DCGM
   * exporter's `pod` and `exported_pod`), the first rule winning where two describe one object.
   */
  readonly sources: readonly MetricSource[];
}

export interface MetricTable {
  readonly custom: ReadonlyMap<string, TableEntry>;
  readonly external: ReadonlyMap<string, TableEntry>;
}

export const tableKey = (resource: string, metric: string) => `${resource}/${metric}`;

type SeriesByQuery = ReadonlyMap<string, readonly Record<string, string>[]>;
type MutableEntry = Omit<TableEntry, 'sources'> & {
  sources: { rule: CompiledRule; seriesNames: string[] }[];
};

function add(
  map: Map<string, MutableEntry>,
  entry: Omit<TableEntry, 'sources'>,
  rule: CompiledRule,
  series: string,
) {
  const key = tableKey(entry.resource, entry.metric);
  let existing = map.get(key);
  if (!existing) map.set(key, (existing = { ...entry, sources: [] }));
  let source = existing.sources.find((s) => s.rule === rule);
  if (!source) existing.sources.push((source = { rule, seriesNames: [] }));
  if (!source.seriesNames.includes(series)) source.seriesNames.push(series);
}

export function buildMetricTable(
  rules: readonly DiscoveryRule[],
  externalRules: readonly DiscoveryRule[],
  seriesByQuery: SeriesByQuery,
): MetricTable {
  const custom = new Map<string, MutableEntry>();
  const external = new Map<string, MutableEntry>();
  for (const rule of rules.map(compileRule)) {
    for (const labels of seriesByQuery.get(rule.rule.seriesQuery) ?? []) {
      const name = labels.__name__;
      const metric = name && rule.apiName(name);
      if (!name || !metric) continue;
      const resources = Object.keys(labels)
        .map((l) => rule.resourceFor(l))
        .filter((r): r is string => r !== undefined);
      const namespaced = resources.includes('namespaces');
      for (const resource of resources) {
        const entry = { resource, metric, namespaced: namespaced && resource !== 'namespaces' };
        add(custom, entry, rule, name);
      }
    }
  }
  for (const rule of externalRules.map(compileRule)) {
    for (const labels of seriesByQuery.get(rule.rule.seriesQuery) ?? []) {
      const name = labels.__name__;
      const metric = name && rule.apiName(name);
      if (!name || !metric) continue;
      const namespaced = rule.rule.resources.namespaced ?? true;
      add(external, { resource: '', metric, namespaced }, rule, name);
    }
  }
  const sorted = <T>(m: Map<string, T>) =>
    new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { custom: sorted(custom), external: sorted(external) };
}

/** Lists the series every distinct seriesQuery selects (one call per query). */
export async function listSeries(
  client: PrometheusClient,
  rules: readonly DiscoveryRule[],
  since: Date,
): Promise<Map<string, Record<string, string>[]>> {
  const queries = [...new Set(rules.map((r) => r.seriesQuery))];
  const results = await Promise.all(queries.map((q) => client.series([q], since)));
  return new Map(queries.map((q, i) => [q, results[i] ?? []]));
}

type Series = Record<string, string>;

/**
 * One relist of grace for each series. Prometheus answers `/api/v1/series` with an empty success
 * while it shuts down, so a relist that lands in a rollout's shutdown would otherwise empty the
 * table and turn every HPA's metric into a 404 until the next relist. A series leaves the lists
 * only once two relists in a row have not seen it.
 */
export class SeriesGrace {
  private last = new Map<string, Map<string, { labels: Series; missed: boolean }>>();

  /** This relist's lists, plus the series the relist before saw and this one did not. */
  carry(current: ReadonlyMap<string, readonly Series[]>): Map<string, Series[]> {
    const next = new Map<string, Map<string, { labels: Series; missed: boolean }>>();
    const lists = new Map<string, Series[]>();
    for (const [query, list] of current) {
      const seen = new Map<string, { labels: Series; missed: boolean }>();
      for (const labels of list) seen.set(seriesKey(labels), { labels, missed: false });
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

// Prometheus lists a series' labels sorted by name; sorting here keeps the key independent of that.
const seriesKey = (labels: Series) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
