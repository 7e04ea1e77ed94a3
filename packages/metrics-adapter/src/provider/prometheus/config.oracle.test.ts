// parseAdapterConfig against prometheus-adapter's own loader: random config files, written by a
// generator here (not by config.ts) in every YAML style a user might write (block and flow,
// plain, quoted and block scalars, anchors, aliases, merge keys, tags, YAML 1.1 booleans, numbers
// and nulls where strings belong, comments, more documents after the first) and now and then
// wrong (a key unknown or given twice, a list where a mapping belongs), are read by Go
// (testdata/config-oracle: gopkg.in/yaml.v2's UnmarshalStrict into upstream's types, run with
// `go run`) and by parseAdapterConfig. Where Go refuses a file, ours must too; where Go reads it,
// ours must read the same values, or refuse it for one of the reasons upstream checks later, at
// start-up, which the values Go read must show. The e2e suite needs Go too; without it this test
// fails, naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from '../../testing/go-oracle';
import {
  random,
  render,
  type Random,
  type Style,
  type Y,
  type YMap,
} from '../../testing/random-yaml';
import {
  ConfigError,
  parseAdapterConfig,
  type AdapterConfig,
  type ResourceMapping,
} from './config';

// ---------------------------------------------------------------------------------------------
// What Go answers: upstream's MetricsDiscoveryConfig as encoding/json writes it.

interface GoMapping {
  template: string;
  overrides: Record<string, { group: string; resource: string }> | null;
  namespaced: boolean | null;
}
interface GoRule {
  seriesQuery: string;
  seriesFilters: { is: string; isNot: string }[] | null;
  resources: GoMapping;
  name: { matches: string; as: string };
  metricsQuery: string;
  labelValueReplacements: { find: string; replace: string }[] | null;
}
interface GoResourceRule {
  containerQuery: string;
  nodeQuery: string;
  resources: GoMapping;
  containerLabel: string;
}
interface GoConfig {
  rules: GoRule[] | null;
  externalRules: GoRule[] | null;
  resourceRules: { cpu: GoResourceRule; memory: GoResourceRule; windowMs: number } | null;
}
type Answer = { error: string } | { config: GoConfig };

function askGo(files: string[]): Answer[] {
  const dir = join(__dirname, 'testdata', 'config-oracle');
  return askGoOracle('the Go config oracle (gopkg.in/yaml.v2)', dir, files);
}

// ---------------------------------------------------------------------------------------------
// The generator: a YAML tree, built in document order so that an alias only names an anchor
// written before it, then written out.

const SERIES_QUERIES = [
  '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}',
  'http_requests_total{namespace!="",pod!=""}',
  'queue_length',
  'websocket_connections{kubernetes_namespace!=""}',
];
const FILTER_REGEXES = ['^container_(.*)_seconds_total$', '.*_total$', '^(.+)_bytes$', 'x|y'];
const MATCHES = ['^container_(.*)_seconds_total$', '^(.*)_total$', '.*', '^job_queue_length$'];
const AS = ['$1', '${1}_per_second', 'queue_length', '$0'];
const METRICS_QUERIES = [
  'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
  'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
  'max(<<.Series>>{<<.LabelMatchers>>})',
];
const TEMPLATES = ['<<.Resource>>', 'kube_<<.Group>>_<<.Resource>>', '<<.Resource>>_name'];
/** Labels and the built-in resources they name, as users write them (`{group: apps, …}` too). */
const OVERRIDES: readonly [string, string | undefined, string][] = [
  ['namespace', undefined, 'namespace'],
  ['pod', undefined, 'pod'],
  ['node', undefined, 'node'],
  ['kubernetes_namespace', undefined, 'namespaces'],
  ['deployment', 'apps', 'deployment'],
  ['job', 'batch', 'jobs'],
];
/** What a user may give where a string belongs: numbers, booleans, nulls, tags, as written. */
const ODD_SCALARS = [
  '42',
  '1.50',
  '0x1F',
  '1e3',
  '.inf',
  '-0',
  '0o17',
  '017',
  '+12',
  'true',
  'False',
  'yes',
  'On',
  'n',
  '~',
  'null',
  'NULL',
  '2001-12-14',
  '12:30:45',
  '!!str 12',
  '!!str',
  '!!int "12"',
  '!!null ""',
  '!!float 1',
  '!local text',
  '"\\t tab"',
  "'it''s'",
  '"\\u00e9t\\u00e9"',
];
const BOOLS = ['true', 'false', 'True', 'FALSE', 'yes', 'no', 'on', 'Off', 'y', 'N', '"true"'];
const ODD_BOOLS = ['1', '0', '~', '', 'maybe', "'yes'", '!!bool yes', '!!bool "true"', 'tRue'];
const WINDOWS = ['5m', '1h30m', '0', '90s', '2d', '1y2w', '1ms', '0s', '3m0s'];
const ODD_WINDOWS = ['5', '300', '5 m', '1.5m', '-5m', '5M', '"5m"', '1h 30m', '~', "''"];
const UNKNOWN_KEYS = ['seriesQeury', 'metricQuery', 'Name', 'namespace', 'matchers', 'window'];

/** The field kinds of upstream's types: what each key holds. */
type Kind =
  | 'config'
  | 'rules'
  | 'rule'
  | 'filters'
  | 'filter'
  | 'resources'
  | 'overrides'
  | 'groupResource'
  | 'name'
  | 'replacements'
  | 'replacement'
  | 'resourceRules'
  | 'resourceRule'
  | 'string'
  | 'bool'
  | 'window';

const FIELDS: Partial<Record<Kind, Record<string, Kind>>> = {
  config: { rules: 'rules', externalRules: 'rules', resourceRules: 'resourceRules' },
  rule: {
    seriesQuery: 'string',
    seriesFilters: 'filters',
    resources: 'resources',
    name: 'name',
    metricsQuery: 'string',
    labelValueReplacements: 'replacements',
  },
  filter: { is: 'string', isNot: 'string' },
  resources: { template: 'string', overrides: 'overrides', namespaced: 'bool' },
  groupResource: { group: 'string', resource: 'string' },
  name: { matches: 'string', as: 'string' },
  replacement: { find: 'string', replace: 'string' },
  resourceRules: { cpu: 'resourceRule', memory: 'resourceRule', window: 'window' },
  resourceRule: {
    containerQuery: 'string',
    nodeQuery: 'string',
    resources: 'resources',
    containerLabel: 'string',
  },
};
const LIST_OF: Partial<Record<Kind, Kind>> = {
  rules: 'rule',
  filters: 'filter',
  replacements: 'replacement',
};

/** The texts a string field is given when the generator means it. */
function textFor(key: string, r: Random): string {
  switch (key) {
    case 'seriesQuery':
      return r.pick(SERIES_QUERIES);
    case 'is':
    case 'isNot':
      return r.pick(FILTER_REGEXES);
    case 'matches':
      return r.pick(MATCHES);
    case 'as':
      return r.pick(AS);
    case 'metricsQuery':
    case 'containerQuery':
    case 'nodeQuery':
      return r.pick(METRICS_QUERIES);
    case 'template':
      return r.pick(TEMPLATES);
    case 'find':
      return r.pick(['#', '/', 'a b']);
    case 'replace':
      return r.pick(['_', '-', '']);
    case 'containerLabel':
      return r.pick(['container', 'container_name']);
    default:
      return r.pick(['a', 'b']);
  }
}

class Generator {
  private readonly anchors = new Map<Kind, string[]>();
  private count = 0;

  constructor(private readonly r: Random) {}

  /** A file: usually a mapping, now and then something else at the top. */
  file(): string {
    const r = this.r;
    const top = r.chance(0.04)
      ? r.pick<Y>([
          { t: 'raw', src: '' },
          { t: 'raw', src: '~' },
          { t: 'raw', src: 'rules' },
          { t: 'seq', items: [{ t: 'raw', src: 'rules' }], flow: false },
        ])
      : this.value('config', 0);
    let text = render(top, 0, false);
    if (r.chance(0.05)) text = `---\n${text}`;
    if (r.chance(0.03)) text = `%YAML 1.1\n---\n${text}`;
    // (After a mapping: libyaml refuses a stream of nothing but `...`, which YAML 1.2 allows.)
    if (top.t === 'map' && r.chance(0.05))
      text += '\n' + r.pick(['...\n', '---\nrules: 3\n', '---\n[unclosed\n', '---\n']);
    if (r.chance(0.05)) text = `# prometheus-adapter rules\n${text}`;
    return text;
  }

  private value(kind: Kind, depth: number, key = ''): Y {
    const r = this.r;
    const known = this.anchors.get(kind);
    if (known && r.chance(0.12)) return { t: 'alias', name: r.pick(known) };
    // Now and then the wrong kind of value.
    if (r.chance(0.008)) return this.wrong(kind);
    let node: Exclude<Y, { t: 'raw' | 'alias' }>;
    const fields = FIELDS[kind];
    const item = LIST_OF[kind];
    if (fields) node = this.map(kind, fields, depth);
    else if (item) {
      const items = Array.from({ length: r.int(kind === 'rules' ? 4 : 3) }, () =>
        this.value(item, depth + 1),
      );
      node = { t: 'seq', items, flow: depth > 2 && r.chance(0.3) };
    } else if (kind === 'overrides') node = this.overrides(depth);
    else if (kind === 'bool') return { t: 'raw', src: r.pick(r.chance(0.85) ? BOOLS : ODD_BOOLS) };
    else if (kind === 'window')
      return { t: 'raw', src: r.pick(r.chance(0.8) ? WINDOWS : ODD_WINDOWS) };
    else if (r.chance(0.12)) return { t: 'raw', src: r.pick(ODD_SCALARS) };
    else {
      const style = r.pick<Style>(['plain', 'plain', 'single', 'double', 'literal', 'folded']);
      node = { t: 'str', text: textFor(key, r), style };
    }
    if (r.chance(0.2)) {
      const name = `${kind}${this.count++}`;
      node.anchor = name;
      // Registered after the node is built: an alias inside it would name itself.
      this.anchors.set(kind, [...(this.anchors.get(kind) ?? []), name]);
    }
    return node;
  }

  private wrong(kind: Kind): Y {
    const r = this.r;
    if (FIELDS[kind] || kind === 'overrides')
      return r.pick<Y>([
        { t: 'raw', src: 'x' },
        { t: 'seq', items: [{ t: 'raw', src: 'x' }], flow: true },
        { t: 'raw', src: '""' },
      ]);
    if (LIST_OF[kind])
      return r.pick<Y>([
        { t: 'raw', src: 'x' },
        { t: 'map', entries: [['x', { t: 'raw', src: 'y' }]], flow: true },
      ]);
    return r.pick<Y>([
      { t: 'map', entries: [['x', { t: 'raw', src: 'y' }]], flow: true },
      { t: 'seq', items: [{ t: 'raw', src: 'x' }], flow: r.chance(0.5) },
    ]);
  }

  private map(kind: Kind, fields: Record<string, Kind>, depth: number): YMap {
    const r = this.r;
    const keys = Object.keys(fields).filter(() => r.chance(0.6));
    if (kind === 'rule' && !keys.includes('seriesQuery') && r.chance(0.9))
      keys.unshift('seriesQuery');
    if (kind === 'filter' && keys.length !== 1 && r.chance(0.9))
      keys.splice(0, 2, r.pick(['is', 'isNot']));
    if (kind === 'replacement' && !keys.includes('find') && r.chance(0.9)) keys.unshift('find');
    if (kind === 'groupResource' && !keys.includes('resource') && r.chance(0.9))
      keys.push('resource');
    const entries: [string, Y][] = [];
    // A merge key first, last or between, naming earlier mappings of the same kind (or, now and
    // then, of another).
    const mergeAt = this.anchors.get(kind) && r.chance(0.15) ? r.int(keys.length + 1) : -1;
    for (let i = 0; i <= keys.length; i++) {
      if (i === mergeAt) entries.push(['<<', this.mergeSource(kind)]);
      const key = keys[i];
      if (key === undefined) break;
      entries.push([key, this.value(fields[key] as Kind, depth + 1, key)]);
    }
    if (r.chance(0.015))
      entries.splice(r.int(entries.length + 1), 0, [r.pick(UNKNOWN_KEYS), { t: 'raw', src: 'x' }]);
    if (entries.length && r.chance(0.015)) {
      const [key] = r.pick(entries);
      if (key !== '<<') entries.push([key, this.value(fields[key] as Kind, depth + 1, key)]);
    }
    if (r.chance(0.01) && entries.length) {
      // A key quoted: the same key, except `"<<"`, which is no merge key.
      const at = r.int(entries.length);
      const [key, value] = entries[at] as [string, Y];
      entries[at] = [JSON.stringify(key), value];
    }
    return { t: 'map', entries, flow: depth > 1 && r.chance(0.3) };
  }

  private mergeSource(kind: Kind): Y {
    const r = this.r;
    const same = this.anchors.get(kind) ?? [];
    const other = [...this.anchors.entries()].filter(([k]) => k !== kind).flatMap(([, v]) => v);
    const alias = (): Y => ({
      t: 'alias',
      name: other.length && r.chance(0.08) ? r.pick(other) : r.pick(same),
    });
    if (r.chance(0.05)) return { t: 'raw', src: r.pick(['~', '', 'x', '[x]', '[~]', '{}']) };
    if (r.chance(0.25)) return { t: 'seq', items: [alias(), alias()], flow: true };
    return alias();
  }

  private overrides(depth: number): YMap {
    const r = this.r;
    const entries: [string, Y][] = [];
    for (let n = r.int(3); n > 0; n--) {
      const [label, group, resource] = r.pick(OVERRIDES);
      if (r.chance(0.9) && entries.some(([k]) => k === label)) continue;
      const gr: [string, Y][] = [];
      if (group !== undefined || r.chance(0.05))
        gr.push(['group', { t: 'str', text: group ?? '', style: r.pick(['plain', 'double']) }]);
      if (r.chance(0.97)) gr.push(['resource', { t: 'str', text: resource, style: 'plain' }]);
      if (r.chance(0.5)) gr.reverse();
      const known = this.anchors.get('groupResource');
      const value: Y =
        known && r.chance(0.15)
          ? { t: 'alias', name: r.pick(known) }
          : r.chance(0.05)
            ? this.wrong('groupResource')
            : { t: 'map', entries: gr, flow: r.chance(0.6) };
      if (value.t === 'map' && r.chance(0.2)) {
        value.anchor = `groupResource${this.count++}`;
        this.anchors.set('groupResource', [...(known ?? []), value.anchor]);
      }
      entries.push([label, value]);
    }
    const known = this.anchors.get('overrides');
    if (known && r.chance(0.2))
      entries.splice(r.int(entries.length + 1), 0, ['<<', this.mergeSource('overrides')]);
    const node: YMap = { t: 'map', entries, flow: depth > 2 && r.chance(0.3) };
    if (r.chance(0.2)) {
      node.anchor = `overrides${this.count++}`;
      this.anchors.set('overrides', [...(known ?? []), node.anchor]);
    }
    return node;
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing: Go's values, with upstream's defaults applied as config.ts documents them.

const DEFAULT_QUERY = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';
const BUILT_IN = new Set(OVERRIDES.map(([, , resource]) => resource));

function mapping(m: GoMapping): ResourceMapping {
  return {
    ...(m.template ? { template: m.template } : {}),
    overrides: Object.fromEntries(
      Object.entries(m.overrides ?? {}).map(([label, { group, resource }]) => [
        label,
        { ...(group ? { group } : {}), resource },
      ]),
    ),
    ...(m.namespaced === null ? {} : { namespaced: m.namespaced }),
  };
}

/** Whether a regular expression compiles (JavaScript's, which agrees with RE2 on these). */
function compiles(re: string): boolean {
  try {
    new RegExp(re);
    return true;
  } catch {
    return false;
  }
}

const captureGroups = (re: string) =>
  compiles(re) ? new RegExp(`${re}|`).exec('')!.length - 1 : 0;

function expected(go: GoConfig) {
  const rule = (g: GoRule) => {
    const matches = g.name.matches || '.*';
    return {
      seriesQuery: g.seriesQuery,
      seriesFilters: (g.seriesFilters ?? []).map((f) => (f.is ? { is: f.is } : { isNot: f.isNot })),
      resources: mapping(g.resources),
      name: { matches, as: g.name.as || (captureGroups(matches) === 1 ? '$1' : '$0') },
      metricsQuery: g.metricsQuery || DEFAULT_QUERY,
      labelValueReplacements: (g.labelValueReplacements ?? []).map(({ find, replace }) => ({
        find,
        replace,
      })),
    };
  };
  const resourceRule = (g: GoResourceRule) => ({ ...g, resources: mapping(g.resources) });
  const rr = go.resourceRules;
  return {
    rules: (go.rules ?? []).map(rule),
    externalRules: (go.externalRules ?? []).map(rule),
    resourceRules: rr && {
      cpu: resourceRule(rr.cpu),
      memory: resourceRule(rr.memory),
      windowMs: rr.windowMs,
    },
  };
}

const ZERO_RULE = {
  containerQuery: '',
  nodeQuery: '',
  resources: { overrides: {} },
  containerLabel: '',
};
const UNIT_MS: Record<string, number> = {
  y: 31_536_000_000,
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
};
/** A Prometheus duration that config.ts let through, in milliseconds. */
const windowMs = (w: string) =>
  [...w.matchAll(/(\d+)(ms|[ywdhms])/g)].reduce((ms, [, n, u]) => ms + Number(n) * UNIT_MS[u!]!, 0);

function actual(ours: AdapterConfig) {
  const rule = ({ origin: _, ...r }: AdapterConfig['rules'][number]) => r;
  const rr = ours.resourceRules;
  return {
    rules: ours.rules.map(rule),
    externalRules: ours.externalRules.map(rule),
    resourceRules: rr
      ? {
          cpu: rr.cpu ?? ZERO_RULE,
          memory: rr.memory ?? ZERO_RULE,
          windowMs: rr.window ? windowMs(rr.window) : 0,
        }
      : null,
  };
}

/**
 * What upstream checks after reading, at start-up (NewReMatcher, the naming's template and
 * RESTMapper), that config.ts checks when it reads: a refusal of a file Go read must name one
 * of them, and the values Go read must show it.
 */
function laterChecks(go: GoConfig): RegExp[] {
  const reasons: RegExp[] = [];
  const mappingChecks = (m: GoMapping) => {
    if (m.template && !m.template.includes('<<.Resource>>'))
      reasons.push(/must include <<\.Resource>>/);
    // A resources.template's fields are .Group and .Resource; upstream fails at its first use.
    if (/<<\.(?!Group>>|Resource>>)/.test(m.template))
      reasons.push(/template field \.\w+ does not exist/);
    for (const { group, resource } of Object.values(m.overrides ?? {})) {
      if (!resource) reasons.push(/resource: is required/);
      else if (!group && !BUILT_IN.has(resource))
        reasons.push(/is not a built-in Kubernetes resource/);
    }
  };
  for (const rule of [...(go.rules ?? []), ...(go.externalRules ?? [])]) {
    if (!rule.seriesQuery) reasons.push(/seriesQuery: is required/);
    // A metricsQuery's fields are queryTemplateArgs'; upstream fails at each query.
    const fields = /<<\.(?!(?:Series|LabelMatchers|LabelValuesByName|GroupBy|GroupBySlice)\b)/;
    if (fields.test(rule.metricsQuery)) reasons.push(/template field \.\w+ does not exist/);
    if (!compiles(rule.name.matches)) reasons.push(/invalid regular expression/);
    else if (!rule.name.as && captureGroups(rule.name.matches) > 1) reasons.push(/as: must be set/);
    for (const f of rule.seriesFilters ?? []) {
      if (!compiles(f.is) || !compiles(f.isNot)) reasons.push(/invalid regular expression/);
      if (f.is && f.isNot) reasons.push(/set only one of "is" and "isNot"/);
      if (!f.is && !f.isNot) reasons.push(/set one of "is" and "isNot"/);
    }
    for (const l of rule.labelValueReplacements ?? [])
      if (!l.find) reasons.push(/find: is required/);
    mappingChecks(rule.resources);
  }
  if (go.resourceRules)
    for (const rr of [go.resourceRules.cpu, go.resourceRules.memory]) mappingChecks(rr.resources);
  return reasons;
}

/** JSON with every object's keys sorted: Go writes a map's keys sorted, ours keeps their order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

type Outcome = { refused: string } | { read: AdapterConfig };

function readOurs(text: string): Outcome {
  try {
    return { read: parseAdapterConfig(text, 'config.yaml') };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { refused: err.message };
  }
}

describe("parseAdapterConfig against prometheus-adapter's loader (yaml.v2)", () => {
  it('refuses what Go refuses and reads what Go reads, for 3,000 random files', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const files = fc
      .sample(fc.nat(), { numRuns: 3_000, seed })
      .map((n) => new Generator(random(n)).file());
    const answers = askGo(files);
    const differ: unknown[] = [];
    const seen = { read: 0, refusedByBoth: 0, refusedLater: 0 };
    for (const [i, yaml] of files.entries()) {
      const go = answers[i] as Answer;
      const ours = readOurs(yaml);
      if ('error' in go) {
        if ('refused' in ours) seen.refusedByBoth++;
        else differ.push({ yaml, go: go.error, ours: 'read' });
        continue;
      }
      if ('refused' in ours) {
        const reasons = laterChecks(go.config);
        if (reasons.some((re) => re.test(ours.refused))) seen.refusedLater++;
        else differ.push({ yaml, go: expected(go.config), ours: ours.refused });
        continue;
      }
      if (laterChecks(go.config).length) {
        differ.push({ yaml, go: expected(go.config), ours: 'read, without the later checks' });
        continue;
      }
      const want = expected(go.config);
      const got = actual(ours.read);
      if (canonical(got) !== canonical(want)) differ.push({ yaml, go: want, ours: got });
      else seen.read++;
    }
    expect({ seed, differ: differ.slice(0, 10) }).toEqual({ seed, differ: [] });
    // The generator reaches each outcome often enough for the comparison to mean something.
    expect(seen.read).toBeGreaterThan(800);
    expect(seen.refusedByBoth).toBeGreaterThan(800);
    expect(seen.refusedLater).toBeGreaterThan(150);
  });
});
