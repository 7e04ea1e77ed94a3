// Series discovery: which API metrics the rules yield from the series Prometheus has. Rules that
// share a seriesQuery share one /api/v1/series call, as in prometheus-adapter. The table is
// rebuilt in the background (--metrics-relist-interval) and swapped whole, so a request always
// sees one consistent table.
import type { DiscoveryRule } from './config';
import { compileRule, type CompiledRule } from './naming';
import type { PrometheusClient } from './client';

export interface TableEntry {
  readonly rule: CompiledRule;
  /** The API resource (`pods`, `deployments.apps`, `namespaces`); '' for external metrics. */
  readonly resource: string;
  readonly metric: string;
  readonly namespaced: boolean;
  /** Prometheus series names behind the API metric. */
  readonly seriesNames: readonly string[];
}

export interface MetricTable {
  readonly custom: ReadonlyMap<string, TableEntry>;
  readonly external: ReadonlyMap<string, TableEntry>;
}

export const tableKey = (resource: string, metric: string) => `${resource}/${metric}`;

type SeriesByQuery = ReadonlyMap<string, readonly Record<string, string>[]>;

function add(
  map: Map<string, TableEntry & { seriesNames: string[] }>,
  entry: TableEntry,
  series: string,
) {
  const key = tableKey(entry.resource, entry.metric);
  const existing = map.get(key);
  if (!existing) map.set(key, { ...entry, seriesNames: [series] });
  else if (!existing.seriesNames.includes(series)) existing.seriesNames.push(series);
}

export function buildMetricTable(
  rules: readonly DiscoveryRule[],
  externalRules: readonly DiscoveryRule[],
  seriesByQuery: SeriesByQuery,
): MetricTable {
  const custom = new Map<string, TableEntry & { seriesNames: string[] }>();
  const external = new Map<string, TableEntry & { seriesNames: string[] }>();
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
        add(
          custom,
          {
            rule,
            resource,
            metric,
            namespaced: namespaced && resource !== 'namespaces',
            seriesNames: [],
          },
          name,
        );
      }
    }
  }
  for (const rule of externalRules.map(compileRule)) {
    for (const labels of seriesByQuery.get(rule.rule.seriesQuery) ?? []) {
      const name = labels.__name__;
      const metric = name && rule.apiName(name);
      if (!name || !metric) continue;
      add(
        external,
        {
          rule,
          resource: '',
          metric,
          namespaced: rule.rule.resources.namespaced ?? true,
          seriesNames: [],
        },
        name,
      );
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
