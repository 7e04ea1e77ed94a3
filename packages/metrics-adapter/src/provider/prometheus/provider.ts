// MetricsProvider over Prometheus: the rule table from series discovery (relisted in the
// background and swapped whole), one instant query per request rendered from the rule's
// metricsQuery, values shared through a short-lived collapsing cache.
//
// Queries for `*` never carry object names: they are grouped by the object label and filtered
// here against the set of objects the label selector picks (ObjectLister), so their size does not
// grow with the number of pods.
import type { ExternalSample, ObjectSample, ServedMetric } from '../../api/wire';
import { formatLabelSelector } from '../../k8s/label-selector';
import type { ObjectLister } from '../../k8s/objects';
import { isRootScoped, kindOf } from '../../k8s/resources';
import { CollapsingCache, type CacheResult } from '../cache';
import {
  MetricNotFoundError,
  type ExternalQuery,
  type MetricsProvider,
  type ObjectQuery,
} from '../provider';
import { PrometheusError, type PrometheusClient, type Sample, type SampleSource } from './client';
import type { AdapterConfig } from './config';
import {
  buildMetricTable,
  discoverResourceNames,
  externalOverlaps,
  listSeries,
  SeriesGrace,
  tableKey,
  withDiscoveredScopes,
  type ExternalOverlap,
  type MetricTable,
} from './discovery';

type SeriesLists = Awaited<ReturnType<typeof listSeries>>;
import { labelValuesByName, metricLabelMatchers, promString } from './matchers';
import { compileRule, renderMetricsQuery, type CompiledRule } from './naming';

export interface ProviderObserver {
  cache?(result: CacheResult): void;
  relisted?(table: MetricTable): void;
  relistFailed?(error: unknown): void;
  /** After a relist in which some external metric is yielded by more than one rule. */
  externalOverlaps?(overlaps: readonly ExternalOverlap[]): void;
}

export interface PrometheusProviderOptions {
  readonly client: PrometheusClient;
  readonly config: AdapterConfig;
  readonly lister: ObjectLister;
  /** --metrics-relist-interval. */
  readonly relistIntervalMs: number;
  /** --metrics-max-age: how far back series discovery looks. */
  readonly maxAgeMs: number;
  /** How long a value is served from the cache. */
  readonly cacheTtlMs: number;
  /**
   * How long the set of objects a label selector picks is kept. Pods come and go far less often
   * than values change; this plays the part of prometheus-adapter's informer cache.
   */
  readonly objectCacheTtlMs?: number;
  readonly observer?: ProviderObserver;
  readonly now?: () => number;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/**
 * PromQL's string literals ("…" and '…' with backslash escapes, `…` raw: PromQL processes no
 * escapes in it) and comments (a `#` outside a string, to the end of its line). A label value
 * such as `path="/a[5m]"` is text and `# not [10m]` a comment, neither a range.
 */
const LITERAL_OR_COMMENT = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|#[^\n]*/gs;

/** The longest range selector in a query (`rate(x[2m])` → 120): the window a value covers. */
export function queryWindowSeconds(query: string): number | undefined {
  let longest: number | undefined;
  const code = query.replace(LITERAL_OR_COMMENT, (m) => (m.startsWith('#') ? '' : '""'));
  for (const m of code.matchAll(/\[((?:\d+(?:ms|[smhdwy]))+)(?::[^\]]*)?\]/g)) {
    let seconds = 0;
    for (const part of (m[1] as string).matchAll(/(\d+)(ms|[smhdwy])/g)) {
      seconds += Number(part[1]) * (DURATION_UNITS[part[2] as string] ?? 0);
    }
    if (longest === undefined || seconds > longest) longest = seconds;
  }
  return longest;
}

/**
 * The LabelMatchers entry for the object label: the name asked for, or for `*` every series that
 * names an object (what upstream's regex of names implies) without listing the names. It keeps
 * LabelMatchers from being empty for `nodes/*` and `namespaces/*`, which have no namespace
 * matcher: the Helm chart's `{<<.LabelMatchers>>,container!="POD"}` would render `{,…}`.
 */
const objectMatcher = (objectLabel: string, name: string) =>
  name === '*' ? `${objectLabel}!=""` : `${objectLabel}=${promString(name)}`;

/** What upstream's LabelForResource answers for a namespace with neither override nor template. */
const UPSTREAM_NO_LABEL =
  'unable to convert resource namespaces into label: no generic resource label form specified for this metric';

/**
 * Why a namespaced external rule cannot put the request's namespace into its query, or undefined
 * when it can. prometheus-adapter's BuildExternal fails such a request ("no generic resource
 * label form"); answering every namespace's series instead would let an HPA scale on another
 * namespace's numbers.
 */
export function namespaceProblem(rule: CompiledRule): string | undefined {
  if (rule.rule.resources.namespaced === false || rule.labelFor('namespaces') !== undefined)
    return undefined;
  return `external rule ${rule.rule.origin ?? JSON.stringify(rule.rule.seriesQuery)} is namespaced but maps no label to namespaces (prometheus-adapter: ${UPSTREAM_NO_LABEL}); map the namespace label in resources.overrides (namespace: {resource: namespace}) or resources.template, or set resources.namespaced: false`;
}

/** What is wrong with a config that only shows when a request comes: one line per problem. */
export function configWarnings(config: AdapterConfig): string[] {
  return config.externalRules
    .map((rule) => namespaceProblem(compileRule(rule)))
    .filter((problem): problem is string => problem !== undefined);
}

/** A rule as a log line names it. */
export const ruleName = (rule: CompiledRule) =>
  rule.rule.origin ?? `seriesQuery ${JSON.stringify(rule.rule.seriesQuery)}`;

/** The request fails as upstream's does: a 500 naming the rule and the fix. */
export class RuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleError';
  }
}

/**
 * How much each cache keeps, in items: a 1,500-pod answer is 1,500 (with the body the server
 * renders from it, ~400 bytes an item), not one of 10,000 entries, which let a caller varying its
 * label selector fill the 256 MiB the Deployment allows within one TTL.
 */
export const MAX_CACHED_ITEMS = 100_000;
export const MAX_CACHED_NAMES = 200_000;
const byItems = (max: number) => ({ of: (v: readonly unknown[]) => v.length + 1, max });

export interface PrometheusProvider extends MetricsProvider {
  /** Relists now; resolves when the new table is in place (or the old one kept on failure). */
  relist(): Promise<void>;
  /** Starts the background relist loop (first relist at once). */
  start(): Promise<void>;
  stop(): void;
}

export function createPrometheusProvider(options: PrometheusProviderOptions): PrometheusProvider {
  const { client, config, lister } = options;
  const now = options.now ?? Date.now;
  // Three caches, one TTL each: whole answers (a repeat request gets the very same array, which
  // the server has already serialised), the queries behind them (shared by requests that differ
  // only in their label selector), and the objects a label selector picks. An expired object set
  // is refreshed in the background while still served for one more TTL, so no request waits for
  // a second backend round trip (the lister query) on top of its value query. An object set is
  // kept as its names in order too, sorted once a load rather than once a request.
  const answers = new CollapsingCache<readonly (ObjectSample | ExternalSample)[]>(
    options.cacheTtlMs,
    options.observer?.cache,
    now,
    undefined,
    undefined,
    byItems(MAX_CACHED_ITEMS),
  );
  const cache = new CollapsingCache<Sample[]>(
    options.cacheTtlMs,
    undefined,
    now,
    undefined,
    undefined,
    byItems(MAX_CACHED_ITEMS),
  );
  // A complete lister (the Kubernetes API) answers from its watch, in memory and current: kept,
  // its answers would hide a pod the watch already has for up to two TTLs (a new pod in a
  // rollout missing, which the HPA counts as 0), as prometheus-adapter lists on every request.
  const objectTtlMs = lister.complete ? 0 : (options.objectCacheTtlMs ?? 0);
  const objects = new CollapsingCache<readonly string[]>(
    objectTtlMs,
    undefined,
    now,
    undefined,
    objectTtlMs,
    byItems(MAX_CACHED_NAMES),
  );
  let table: MetricTable | undefined;
  const grace = new SeriesGrace();
  let timer: NodeJS.Timeout | undefined;

  // Values dated at their samples' time (client.ts, sample-times.ts). Identical requests share
  // one query, so the key is the query.
  const query = (expr: string, source: SampleSource) =>
    cache.get(`${expr}\0${source.series}\0${source.matchers.join(',')}`, () =>
      client.query(expr, undefined, source),
    );

  // The last lists each half of the config got, as upstream's custom and external listers are
  // two (cmd/adapter/adapter.go): a custom rule whose series query Prometheus refuses keeps the
  // custom metrics as they were, and does not stop the external ones from being listed, nor from
  // being served when it fails from the start. A half without rules lists nothing.
  const listed: { custom?: SeriesLists; external?: SeriesLists } = {};

  // The relist in flight, which a call made meanwhile joins: the 5 s retry until the first relist
  // lands (main.ts) and the interval would otherwise start another full listing while one is still
  // running (at 500,000 series one takes seconds), each holding its own answers. Upstream's lister
  // never overlaps itself (wait.Until starts the next call a period after the last returns).
  let inFlight: Promise<void> | undefined;
  function relist(): Promise<void> {
    inFlight ??= relistOnce().finally(() => (inFlight = undefined));
    return inFlight;
  }

  async function relistOnce(): Promise<void> {
    try {
      const since = new Date(now() - options.maxAgeMs);
      // Each series call may take the relist interval (upstream sets no deadline on it), not only
      // --prometheus-timeout (5 s): a 20,000-pod cluster's `{namespace!="",pod!=""}` took 3–7 s
      // to list, and every relist of the custom half failed, each custom metric a 404.
      const list = async (rules: AdapterConfig['rules']) =>
        rules.length > 0 ? listSeries(client, rules, since, options.relistIntervalMs) : undefined;
      const [custom, external] = await Promise.allSettled([
        list(config.rules),
        list(config.externalRules),
      ]);
      if (custom.status === 'fulfilled') listed.custom = custom.value;
      if (external.status === 'fulfilled') listed.external = external.value;
      const failed = [custom, external].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      // Nothing listed yet: the first relist fails loudly, as before.
      if (failed.length > 0 && !listed.custom && !listed.external) throw failed[0];
      for (const err of failed) options.observer?.relistFailed?.(err);
      const series = new Map([...(listed.custom ?? []), ...(listed.external ?? [])]);
      const names = await discoverResourceNames(config.rules, lister, table?.names);
      const built = buildMetricTable(
        config.rules,
        config.externalRules,
        grace.carry(series),
        names,
      );
      table = await withDiscoveredScopes(built, lister, table);
      options.observer?.relisted?.(table);
      const overlaps = externalOverlaps(table);
      if (overlaps.length > 0) options.observer?.externalOverlaps?.(overlaps);
    } catch (err) {
      options.observer?.relistFailed?.(err);
      if (!table) throw err;
    }
  }

  const served = (entries: Iterable<{ resource: string; metric: string; namespaced: boolean }>) =>
    [...entries].map(({ resource, metric, namespaced }): ServedMetric => ({
      resource,
      metric,
      namespaced,
    }));

  /** The table, or 503 while the first series discovery has not landed. */
  function currentTable(): MetricTable {
    if (!table) throw new PrometheusError('unavailable', 'series discovery has not completed yet');
    return table;
  }

  const selectorKey = (reqs: ObjectQuery['labelSelector']) => formatLabelSelector(reqs);

  async function objectValues(q: ObjectQuery): Promise<readonly ObjectSample[]> {
    const key = `o\0${q.resource}\0${q.namespace ?? ''}\0${q.name}\0${q.metric}\0${selectorKey(q.labelSelector)}\0${selectorKey(q.metricLabelSelector)}`;
    return answers.get(key, () => loadObjectValues(q)) as Promise<readonly ObjectSample[]>;
  }

  async function externalValues(q: ExternalQuery): Promise<readonly ExternalSample[]> {
    const key = `e\0${q.namespace}\0${q.metric}\0${selectorKey(q.metricLabelSelector)}`;
    return answers.get(key, () => loadExternalValues(q)) as Promise<readonly ExternalSample[]>;
  }

  async function loadObjectValues(asked: ObjectQuery): Promise<ObjectSample[]> {
    const table = currentTable();
    // As upstream's QueryForMetric normalises the request's resource through its RESTMapper: a
    // custom resource named by its singular (`prometheus.monitoring.coreos.com`) is its plural,
    // by what the relist's discovery found (no request to the API server here).
    const q = { ...asked, resource: table.names.get(asked.resource) ?? asked.resource };
    const entry = table.custom.get(tableKey(q.resource, q.metric));
    // As upstream: a metric no rule serves is not found for the resource (its buildQuery's
    // NewMetricNotFoundError); a named object without a value is not found for that object
    // (GetMetricByName's NewMetricNotFoundForError, below).
    // A namespaced metric is not served root-scoped, nor a root-scoped one inside a namespace.
    const scoped = q.resource === 'namespaces' || entry?.namespaced === (q.namespace !== undefined);
    if (!entry || !scoped) throw new MetricNotFoundError(q.metric, asked.resource);

    // A custom resource's kind, version and scope as the API server's discovery says (the
    // Kubernetes API lister); else its key, which resources.ts resolves by its table or a guess.
    const discovering = lister.discover?.(q.resource).catch(() => undefined);
    const resource = async () => (await discovering) ?? q.resource;
    const metricMatchers = metricLabelMatchers(q.metricLabelSelector);
    // The objects a `*` answers for: those the selector picks, or every one there is when the
    // lister knows them all, or when a rule's query asks for their names by LabelValuesByName
    // (as upstream gives them, joined by `|`: the regex this adapter otherwise never sends).
    const namesInQuery = (source: (typeof entry.sources)[number]) =>
      q.name === '*' && source.rule.rule.metricsQuery.includes('LabelValuesByName');
    const wanted =
      q.name === '*' &&
      (q.labelSelector.length > 0 || lister.complete || entry.sources.some(namesInQuery))
        ? objects.get(
            `${q.resource}/${q.namespace ?? ''}/${formatLabelSelector(q.labelSelector)}`,
            async () =>
              [
                ...(await lister.names(
                  q.resource,
                  isRootScoped(await resource()) ? undefined : q.namespace,
                  q.labelSelector,
                )),
              ].sort(),
          )
        : undefined;
    const perSource = entry.sources.map(async (source) => {
      const objectLabel = source.rule.labelFor(q.resource);
      const namespaceLabel = source.rule.labelFor('namespaces');
      if (!objectLabel) return undefined;
      const matchers: string[] = [];
      // The request's namespace always narrows the query, as upstream's metricsQuery.Build adds
      // it whatever the resource: /namespaces/a/namespaces/b/m (authorized as namespace a) is
      // `namespace="a",namespace="b"`, no value, not namespace b's (namespace metrics are
      // /namespaces/{ns}/metrics/{metric}, which names no namespace here).
      if (namespaceLabel && q.namespace !== undefined) {
        matchers.push(`${namespaceLabel}=${promString(q.namespace)}`);
      }
      matchers.push(objectMatcher(objectLabel, q.name));
      matchers.push(...metricMatchers);
      const objectValue =
        q.name !== '*' ? q.name : namesInQuery(source) ? (await wanted)?.join('|') : undefined;
      const expr = renderMetricsQuery(source.rule.rule.metricsQuery, {
        series: source.seriesName,
        labelMatchers: matchers,
        labelValuesByName: {
          ...labelValuesByName(q.metricLabelSelector),
          ...(namespaceLabel && q.namespace !== undefined ? { [namespaceLabel]: q.namespace } : {}),
          ...(objectValue === undefined ? {} : { [objectLabel]: objectValue }),
        },
        groupBy: [objectLabel],
      });
      // A query that drops the matchers answers for other objects too: a named request is
      // answered for that object alone (upstream's getSingle takes its value only), and where a
      // sample names its namespace, only the request's is taken.
      const byObject = new Map<string, Sample>();
      for (const s of await query(expr, { series: source.seriesName, matchers })) {
        const name = s.labels[objectLabel];
        if (name === undefined || (q.name !== '*' && name !== q.name)) continue;
        const ns = namespaceLabel === undefined ? undefined : s.labels[namespaceLabel];
        if (q.namespace !== undefined && ns !== undefined && ns !== q.namespace) continue;
        byObject.set(name, s);
      }
      return { byObject, window: queryWindowSeconds(expr) };
    });
    const [answered, picked] = await Promise.all([Promise.all(perSource), wanted]);
    // As upstream: a `*` that picks no object is not found for the resource (GetMetricBySelector
    // lists no names, and QueryForMetric builds no query for none: "no resource names requested
    // while producing a query", a NewMetricNotFoundError), where objects without a value are an
    // empty list. Where the objects are not listed (no selector, a lister that does not know them
    // all), the two cannot be told apart: an empty list.
    if (picked !== undefined && picked.length === 0)
      throw new MetricNotFoundError(q.metric, asked.resource);
    // Last rule first: upstream serves the last rule in config order (presets come first, so a
    // user's rule wins); here the last one that has a value for an object.
    const results = answered.filter((r) => r !== undefined).reverse();

    // In name order (the default sort: UTF-16 code units, as `<` compares): the picked objects'
    // names are kept sorted, so a request only looks its objects up (~0.05 ms for 1,500 pods,
    // where sorting them took ~0.35). Without a label selector, the names with a value are sorted.
    const names = picked ?? [...new Set(results.flatMap((r) => [...r.byObject.keys()]))].sort();
    const described = await resource();
    const { kind, apiVersion } = kindOf(described);
    const namespace = isRootScoped(described) ? {} : { namespace: q.namespace };
    const items: ObjectSample[] = [];
    for (const name of names) {
      for (const { byObject, window } of results) {
        const sample = byObject.get(name);
        if (!sample) continue;
        items.push({
          describedObject: { kind, ...namespace, name, apiVersion },
          value: sample.value,
          timestamp: sample.timestamp,
          ...(window === undefined ? {} : { windowSeconds: window }),
        });
        break;
      }
    }
    if (q.name !== '*' && items.length === 0)
      throw new MetricNotFoundError(q.metric, asked.resource, q.name);
    return items;
  }

  async function loadExternalValues(q: ExternalQuery): Promise<ExternalSample[]> {
    const source = currentTable().external.get(tableKey('', q.metric))?.sources[0];
    if (!source) throw new MetricNotFoundError(q.metric, '');
    const { rule } = source;
    const problem = namespaceProblem(rule);
    if (problem) throw new RuleError(`external metric ${q.metric}: ${problem}`);
    const namespaceLabel =
      rule.rule.resources.namespaced === false ? undefined : rule.labelFor('namespaces');
    const matchers = [
      ...metricLabelMatchers(q.metricLabelSelector, q.selectorParameter),
      ...(namespaceLabel ? [`${namespaceLabel}=${promString(q.namespace)}`] : []),
    ];
    // As prometheus-adapter's BuildExternal: the selector's label values, and nothing to group
    // by (a rule that wants one item per queue says `by (queue)` itself); then the rule's
    // labelValueReplacements, Beacon's own key (upstream's config has none).
    const values: Record<string, string> = {
      ...labelValuesByName(q.metricLabelSelector),
      ...(namespaceLabel ? { [namespaceLabel]: q.namespace } : {}),
    };
    for (const { find, replace } of rule.rule.labelValueReplacements)
      for (const key of Object.keys(values))
        values[key] = (values[key] as string).replaceAll(find, replace);
    const expr = renderMetricsQuery(rule.rule.metricsQuery, {
      series: source.seriesName,
      labelMatchers: matchers,
      labelValuesByName: values,
      groupBy: [],
    });
    const window = queryWindowSeconds(expr);
    // Every label of the sample, __name__ included, as upstream's convertLabels copies them; a
    // scalar's none (null), as its convertScalar sets no MetricLabels.
    return (await query(expr, { series: source.seriesName, matchers })).map(
      (s): ExternalSample => ({
        labels: s.scalar ? null : s.labels,
        value: s.value,
        timestamp: s.timestamp,
        ...(window === undefined ? {} : { windowSeconds: window }),
      }),
    );
  }

  return {
    customMetrics: () => served(table?.custom.values() ?? []),
    externalMetrics: () => served(table?.external.values() ?? []),
    objectValues,
    externalValues,
    ready: () => table !== undefined,
    relist,
    async start() {
      await relist();
      timer = setInterval(() => void relist(), options.relistIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
