// prometheus-adapter's rule config (pkg/config in kubernetes-sigs/prometheus-adapter), accepted
// verbatim and parsed strictly: an unknown key, a wrong type, a regex that does not compile or a
// template field that does not exist is an error naming the file, the key path and the line.
import {
  LineCounter,
  parseAllDocuments,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  YAMLMap,
  type Document,
  type Node,
} from 'yaml';
import { BUILT_IN, builtInResource } from '../../k8s/resources';
import { parseGoTemplate, TemplateError, type FieldKind } from './go-template';
import { compileGoTemplate } from './go-template-engine';
import { compileRe2 } from './re2';

export interface GroupResource {
  readonly group?: string;
  readonly resource: string;
}

export interface ResourceMapping {
  readonly template?: string;
  readonly overrides: Readonly<Record<string, GroupResource>>;
  readonly namespaced?: boolean;
}

export interface DiscoveryRule {
  readonly seriesQuery: string;
  readonly seriesFilters: readonly ({ readonly is: string } | { readonly isNot: string })[];
  readonly resources: ResourceMapping;
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
  readonly labelValueReplacements: readonly { readonly find: string; readonly replace: string }[];
  /** Where the rule was read (`rules.yaml externalRules[2]`), to name it in log lines and errors. */
  readonly origin?: string;
}

/** One of resourceRules' cpu and memory (upstream's ResourceRule). */
export interface ResourceRule {
  readonly containerQuery: string;
  readonly nodeQuery: string;
  readonly resources: ResourceMapping;
  readonly containerLabel: string;
}

/** prometheus-adapter's ResourceRules, checked as strictly as the rules and never served. */
export interface ResourceRules {
  readonly cpu?: ResourceRule;
  readonly memory?: ResourceRule;
  /** As written (a Prometheus duration: `3m`, `1h30m`, `1d`), when given. */
  readonly window?: string;
  readonly raw: unknown;
}

export interface AdapterConfig {
  readonly rules: readonly DiscoveryRule[];
  readonly externalRules: readonly DiscoveryRule[];
  /** Accepted for compatibility and not served: resource metrics are metrics-server's job. */
  readonly resourceRules?: ResourceRules;
}

/**
 * The metricsQuery of a rule that gives none. Beacon's: prometheus-adapter has no default (its
 * template renders nothing, and every request fails with "empty query produced").
 */
export const DEFAULT_METRICS_QUERY = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';

/** The fields of prometheus-adapter's metricsQuery template (its queryTemplateArgs). */
export const METRICS_QUERY_FIELDS: Readonly<Record<string, FieldKind>> = {
  Series: 'string',
  LabelMatchers: 'string',
  LabelValuesByName: 'map',
  GroupBy: 'string',
  GroupBySlice: 'slice',
};
/** Built-in API groups whose resources resources.ts lists all of. */
const COMPLETE_GROUPS: ReadonlySet<string> = new Set(['apps', 'batch', 'policy', 'autoscaling']);
/** The built-in API groups without a dot (a custom resource's group has one), from the table. */
const DOTLESS_GROUPS: readonly string[] = [
  ...new Set(BUILT_IN.map((r) => r.group).filter((g) => g !== '' && !g.includes('.'))),
].sort();

/** The fields of a resources.template: a group (sanitised) and a singular resource. */
export const RESOURCE_TEMPLATE_FIELDS: Readonly<Record<string, FieldKind>> = {
  Group: 'string',
  Resource: 'string',
};

export class ConfigError extends Error {
  constructor(file: string, path: string, line: number | undefined, detail: string) {
    super(`${file}${line ? `:${line}` : ''}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

/** YAML 1.1's booleans, which gopkg.in/yaml.v2 (upstream's loader) reads from plain scalars. */
const YAML11_BOOLS: Readonly<Record<string, boolean>> = Object.fromEntries([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].map((w) => [w, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].map((w) => [w, false] as const),
]);

/** A plain `<<` key: a merge key, as yaml.v2 reads one (a quoted "<<" is an ordinary key). */
const isMergeKey = (key: unknown) =>
  isScalar(key) && key.value === '<<' && (!key.type || key.type === Scalar.PLAIN);

/**
 * Upstream's types (pkg/config's MetricsDiscoveryConfig and what it holds), as yaml.v2 decodes
 * into them: the keys each struct takes, and what each holds. The readers below take a struct's
 * keys from here, and a value written over by a later one is still checked against it.
 */
type GoType =
  | 'string'
  | 'bool'
  | 'duration'
  | { readonly struct: Readonly<Record<string, GoType>> }
  | { readonly list: GoType }
  | { readonly map: GoType };
type GoStruct = Extract<GoType, { struct: unknown }>;
type GoMap = Extract<GoType, { map: unknown }>;

const GROUP_RESOURCE = { struct: { group: 'string', resource: 'string' } } as const;
const RESOURCE_MAPPING = {
  struct: { template: 'string', overrides: { map: GROUP_RESOURCE }, namespaced: 'bool' },
} as const;
const REGEX_FILTER = { struct: { is: 'string', isNot: 'string' } } as const;
const NAME_MAPPING = { struct: { matches: 'string', as: 'string' } } as const;
const REPLACEMENT = { struct: { find: 'string', replace: 'string' } } as const;
const DISCOVERY_RULE = {
  struct: {
    seriesQuery: 'string',
    seriesFilters: { list: REGEX_FILTER },
    resources: RESOURCE_MAPPING,
    name: NAME_MAPPING,
    metricsQuery: 'string',
    labelValueReplacements: { list: REPLACEMENT },
  },
} as const;
const RESOURCE_RULE = {
  struct: {
    containerQuery: 'string',
    nodeQuery: 'string',
    resources: RESOURCE_MAPPING,
    containerLabel: 'string',
  },
} as const;
const RESOURCE_RULES = {
  struct: { cpu: RESOURCE_RULE, memory: RESOURCE_RULE, window: 'duration' },
} as const;
const METRICS_DISCOVERY_CONFIG = {
  struct: {
    rules: { list: DISCOVERY_RULE },
    externalRules: { list: DISCOVERY_RULE },
    resourceRules: RESOURCE_RULES,
  },
} as const;

/** Prometheus' model.Duration, as upstream's ResourceRules.Window is read: `5m`, `1h30m`, `2d`. */
const PROMETHEUS_DURATION =
  /^(?:0|(?=\d)(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?)$/;

class Reader {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  fail(node: Node | undefined | null, path: string, detail: string): never {
    const offset = node?.range?.[0];
    const line = offset === undefined ? undefined : this.lines.linePos(offset).line;
    throw new ConfigError(this.file, path, line, detail);
  }

  /** The node an alias (`*name`) stands for, as yaml.v2 reads it; any other node as it is. */
  node(node: unknown, path: string): Node | null | undefined {
    if (!isAlias(node)) return node as Node | null | undefined;
    const target = node.resolve(this.doc);
    if (!target) this.fail(node, path, `unknown alias *${node.source}`);
    return target;
  }

  /** The node as plain data (aliases and merge keys resolved), for what is kept verbatim. */
  json(node: Node): unknown {
    return node.toJS(this.doc);
  }

  /**
   * The entries of a mapping decoded into `type`: a struct, whose keys are the only ones taken,
   * or a Go map. A null (`resources:` with nothing under it) has none, as yaml.v2 leaves a struct
   * at its zero.
   *
   * As yaml.v2 decodes a mapping, its items are written in order into one value: a merge key
   * (`<<: *base`, `<<: [*a, *b]`) writes the entries of the maps it names (the last first, so
   * earlier maps win), a key after it overwrites them and one before it is overwritten; a mapping
   * written over a mapping adds to it (a struct's fields, a map's entries) rather than replacing
   * it. Keys a merge key brings are checked too, and so is a value written over: yaml.v2 decodes
   * it before the next one replaces it. Into a Go map, yaml.v2's strict decoding refuses a key
   * written twice, by a merge key too.
   */
  map(node: unknown, path: string, type: GoStruct | GoMap): Map<string, Node | null> {
    const map = this.node(node, path);
    const out = new Map<string, Node | null>();
    if (map === undefined || map === null || (isScalar(map) && map.value === null)) return out;
    if (!isMap(map)) this.fail(map, path, 'must be a mapping');
    const goMap = 'map' in type;
    const at = (key: string) => `${path ? `${path}.` : ''}${key}`;
    const mapping = (n: Node | null | undefined, key: string) => {
      const target = this.node(n, at(key));
      return isMap(target) ? target : undefined;
    };
    const write = (key: string, value: Node | null, where: Node) => {
      if (goMap && out.has(key))
        this.fail(where, path, `key ${JSON.stringify(key)} is given twice`);
      const before = out.has(key) ? mapping(out.get(key), key) : undefined;
      const after = before && mapping(value, key);
      if (!before || !after) {
        if (out.has(key)) this.check(out.get(key), (type as GoStruct).struct[key]!, at(key));
        out.set(key, value);
        return;
      }
      // Read as `before` merged into `after`: the same order, one mapping.
      const both = new YAMLMap<unknown, unknown>();
      both.items = [new Pair(new Scalar('<<'), before), ...after.items];
      out.set(key, both as Node);
    };
    const allowed = goMap ? undefined : Object.keys(type.struct);
    const explicit = new Set<string>();
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        // A list written there is a list of mappings (the last merged first); an alias of one
        // is not.
        const sources = isSeq(pair.value) ? [...pair.value.items].reverse() : [pair.value];
        for (const source of sources) {
          // yaml.v2 merges mappings only: a null, a scalar or a list is an error.
          if (!isMap(this.node(source, path)))
            this.fail(pair.key as Node, path, '<< takes a mapping or a list of mappings');
          for (const [key, entry] of this.map(source, path, type))
            write(key, entry, pair.key as Node);
        }
        continue;
      }
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      if (allowed && !allowed.includes(key)) {
        this.fail(
          pair.key as Node,
          path,
          `unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`,
        );
      }
      if (explicit.has(key))
        this.fail(pair.key as Node, path, `key ${JSON.stringify(key)} is given twice`);
      explicit.add(key);
      write(key, (pair.value as Node | null) ?? null, pair.key as Node);
    }
    return out;
  }

  /**
   * Decodes a value into `type` for its errors alone, as yaml.v2 decodes a value that a later
   * one writes over: its shape and keys, not what upstream checks of the value it keeps.
   */
  check(node: Node | null | undefined, type: GoType, path: string): void {
    if (type === 'string') this.string(node, path);
    else if (type === 'bool') this.bool(node, path);
    else if (type === 'duration') this.duration(node, path);
    else if ('list' in type)
      this.seq(node, path).forEach((item, i) => this.check(item, type.list, `${path}[${i}]`));
    else
      for (const [key, value] of this.map(node, path, type))
        this.check(value, 'map' in type ? type.map : type.struct[key]!, `${path}.${key}`);
  }

  /**
   * A Prometheus duration (model.Duration) as written. A Go yaml string takes a number's text,
   * so `0` is "0" (valid) and `180` is "180" (no unit: refused), as upstream reads them. Only a
   * null is no duration: "" is refused, as model.Duration refuses it.
   */
  duration(node: Node | null | undefined, path: string): string | undefined {
    const text = this.string(node, path);
    const given = (this.node(node, path) as { value?: unknown } | null | undefined)?.value;
    if (given === undefined || given === null) return undefined;
    if (!PROMETHEUS_DURATION.test(text))
      this.fail(
        this.node(node, path),
        path,
        `invalid duration ${JSON.stringify(text)}: want a Prometheus duration such as 30s, 5m or 1h30m`,
      );
    return text;
  }

  seq(node: Node | null | undefined, path: string): Node[] {
    const seq = this.node(node, path);
    if (seq === undefined || seq === null || (seq as { value?: unknown }).value === null) return [];
    if (!isSeq(seq)) this.fail(seq, path, 'must be a list');
    return seq.items as Node[];
  }

  /**
   * A string field, as yaml.v2 fills one: a number or a boolean is taken as written (`42`,
   * `1.50`, `true`), a null as ""; a mapping or a list is an error. When `required`, a null or
   * "" is an error.
   */
  string(node: Node | null | undefined, path: string, required = false): string {
    const scalar = this.node(node, path);
    if (isCollection(scalar)) this.fail(scalar, path, 'must be a string, got a mapping or a list');
    const value = (scalar as { value?: unknown } | null | undefined)?.value;
    if (value === undefined || value === null || value === '') {
      if (required) this.fail(scalar ?? node, path, 'is required');
      return '';
    }
    if (typeof value === 'string') return value;
    if (isScalar(scalar) && (typeof value === 'number' || typeof value === 'boolean'))
      return scalar.source ?? String(value);
    return this.fail(scalar, path, `must be a string, got ${JSON.stringify(value)}`);
  }

  /** A boolean field, as yaml.v2 reads one: YAML 1.1's `yes`, `on`, `n`… too, when not quoted. */
  bool(node: Node | null | undefined, path: string): boolean | undefined {
    const scalar = this.node(node, path);
    const value = (scalar as { value?: unknown } | null | undefined)?.value;
    if (value === undefined || value === null) {
      if (isCollection(scalar)) this.fail(scalar, path, 'must be true or false');
      return undefined;
    }
    if (typeof value === 'boolean') return value;
    if (
      isScalar(scalar) &&
      scalar.type === Scalar.PLAIN &&
      typeof value === 'string' &&
      Object.hasOwn(YAML11_BOOLS, value)
    )
      return YAML11_BOOLS[value];
    return this.fail(scalar, path, `must be true or false, got ${JSON.stringify(value)}`);
  }

  regex(node: Node | null | undefined, path: string, source: string): RegExp {
    try {
      return compileRe2(source);
    } catch (err) {
      return this.fail(
        node,
        path,
        `invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`,
      );
    }
  }

  template(
    node: Node | null | undefined,
    path: string,
    text: string,
    fields: Readonly<Record<string, FieldKind>>,
    allowIndex: boolean,
  ): void {
    try {
      // A metricsQuery is run as Go's text/template runs it; a resources.template, which is
      // also read back into labels, is fields alone.
      if (allowIndex) compileGoTemplate(text, fields);
      else parseGoTemplate(text, fields, { allowIndex });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.fail(node, path, err.message);
    }
  }
}

function readRule(r: Reader, node: Node, path: string): DiscoveryRule {
  const m = r.map(node, path, DISCOVERY_RULE);
  const seriesQuery = r.string(m.get('seriesQuery'), `${path}.seriesQuery`, true);

  const seriesFilters = r.seq(m.get('seriesFilters'), `${path}.seriesFilters`).map((f, i) => {
    const fp = `${path}.seriesFilters[${i}]`;
    const fm = r.map(f, fp, REGEX_FILTER);
    // As upstream's NewReMatcher: an empty expression is one not given, and exactly one of the
    // two must be given.
    const is = r.string(fm.get('is'), `${fp}.is`);
    const isNot = r.string(fm.get('isNot'), `${fp}.isNot`);
    if (is && isNot) r.fail(f, fp, 'set only one of "is" and "isNot"');
    if (!is && !isNot) r.fail(f, fp, 'set one of "is" and "isNot" to a regular expression');
    const key = is ? 'is' : 'isNot';
    r.regex(fm.get(key), `${fp}.${key}`, is || isNot);
    return is ? { is } : { isNot };
  });

  const resources = readResources(r, m.get('resources'), `${path}.resources`);

  const np = `${path}.name`;
  const nm = r.map(m.get('name'), np, NAME_MAPPING);
  const matches = r.string(nm.get('matches'), `${np}.matches`) || '.*';
  const groups =
    new RegExp(r.regex(nm.get('matches'), `${np}.matches`, matches).source + '|').exec('')!.length -
    1;
  let as = r.string(nm.get('as'), `${np}.as`);
  if (!as) {
    if (groups > 1)
      r.fail(
        nm.get('matches'),
        `${np}.as`,
        `must be set: name.matches has ${groups} capture groups`,
      );
    as = groups === 1 ? '$1' : '$0';
  }

  const metricsQuery =
    r.string(m.get('metricsQuery'), `${path}.metricsQuery`) || DEFAULT_METRICS_QUERY;
  r.template(
    m.get('metricsQuery'),
    `${path}.metricsQuery`,
    metricsQuery,
    METRICS_QUERY_FIELDS,
    true,
  );

  const labelValueReplacements = r
    .seq(m.get('labelValueReplacements'), `${path}.labelValueReplacements`)
    .map((n, i) => {
      const lp = `${path}.labelValueReplacements[${i}]`;
      const lm = r.map(n, lp, REPLACEMENT);
      return {
        find: r.string(lm.get('find'), `${lp}.find`, true),
        replace: r.string(lm.get('replace'), `${lp}.replace`),
      };
    });

  return {
    seriesQuery,
    seriesFilters,
    resources,
    name: { matches, as },
    metricsQuery,
    labelValueReplacements,
  };
}

/** A rule's `resources` (upstream's ResourceMapping). */
function readResources(r: Reader, node: Node | null | undefined, rp: string): ResourceMapping {
  const rm = r.map(node, rp, RESOURCE_MAPPING);
  const template = r.string(rm.get('template'), `${rp}.template`);
  if (template) {
    r.template(rm.get('template'), `${rp}.template`, template, RESOURCE_TEMPLATE_FIELDS, false);
    // As upstream's newLabelGroupResExtractor, which refuses to start without it: a template
    // with no <<.Resource>> names one label whatever the resource, and reads no label back.
    const parts = parseGoTemplate(template, RESOURCE_TEMPLATE_FIELDS, { allowIndex: false });
    if (!parts.some((p) => p.kind === 'field' && p.field === 'Resource'))
      r.fail(rm.get('template'), `${rp}.template`, 'must include <<.Resource>>');
  }
  const overrides: Record<string, GroupResource> = {};
  const on = r.node(rm.get('overrides'), `${rp}.overrides`);
  if (on && !isMap(on) && !(isScalar(on) && on.value === null))
    r.fail(on, `${rp}.overrides`, 'must be a mapping of label name to {group, resource}');
  // map[string]GroupResource upstream: a label given twice, a merge key's too, is refused.
  for (const [label, value] of r.map(on, `${rp}.overrides`, RESOURCE_MAPPING.struct.overrides)) {
    const gp = `${rp}.overrides.${label}`;
    const g = r.map(value, gp, GROUP_RESOURCE);
    const group = r.string(g.get('group'), `${gp}.group`);
    const resource = r.string(g.get('resource'), `${gp}.resource`, true);
    // prometheus-adapter's RESTMapper refuses a resource no API group serves; without one,
    // only built-in resources can go without their group.
    if (!group && !builtInResource(undefined, resource))
      r.fail(
        g.get('resource'),
        `${gp}.resource`,
        `${JSON.stringify(resource)} is not a built-in Kubernetes resource: name the group of a custom resource`,
      );
    const home = builtInResource(undefined, resource);
    const homeHint = home
      ? ` (it is in ${home.group ? `group ${JSON.stringify(home.group)}` : 'the core group: leave group out'})`
      : '';
    // A group with no dot is a built-in one (a CRD's group must have one): `core`, `extensions`
    // or `app` is no group a current API server serves, and the RESTMapper refuses it; taken for
    // a custom resource's, `{group: core, resource: namespace}` made every metric root-scoped.
    if (group && !group.includes('.') && !DOTLESS_GROUPS.includes(group))
      r.fail(
        g.get('group'),
        `${gp}.group`,
        `no API group ${JSON.stringify(group)}: built-in groups without a dot are ${DOTLESS_GROUPS.join(', ')}, and a custom resource's group has one (example.com)${homeHint}`,
      );
    // A built-in group that does not serve the resource (`{group: apps, resource: pods}`): the
    // RESTMapper refuses it there too. Only groups whose every resource the table lists.
    else if (group && COMPLETE_GROUPS.has(group) && !builtInResource(group, resource))
      r.fail(
        g.get('resource'),
        `${gp}.resource`,
        `API group ${JSON.stringify(group)} serves no ${JSON.stringify(resource)}${homeHint}`,
      );
    overrides[label] = { ...(group ? { group } : {}), resource };
  }
  const namespaced = r.bool(rm.get('namespaced'), `${rp}.namespaced`);

  return {
    ...(template ? { template } : {}),
    overrides,
    ...(namespaced === undefined ? {} : { namespaced }),
  };
}

function readResourceRule(r: Reader, node: Node | null, path: string): ResourceRule {
  const m = r.map(node, path, RESOURCE_RULE);
  return {
    containerQuery: r.string(m.get('containerQuery'), `${path}.containerQuery`),
    nodeQuery: r.string(m.get('nodeQuery'), `${path}.nodeQuery`),
    resources: readResources(r, m.get('resources'), `${path}.resources`),
    containerLabel: r.string(m.get('containerLabel'), `${path}.containerLabel`),
  };
}

/**
 * resourceRules as upstream's ResourceRules type has them (cpu, memory, window), so a misspelt
 * key or a wrong type is named as in the rules, although resource metrics are not served here.
 */
function readResourceRules(r: Reader, node: Node | null | undefined): ResourceRules | undefined {
  // `resourceRules:` with nothing under it is upstream's nil pointer: none.
  const rn = r.node(node, 'resourceRules');
  if (!rn || (rn as { value?: unknown }).value === null) return undefined;
  const m = r.map(rn, 'resourceRules', RESOURCE_RULES);
  const part = (key: 'cpu' | 'memory') => {
    const n = r.node(m.get(key), `resourceRules.${key}`);
    return n && (n as { value?: unknown }).value !== null
      ? { [key]: readResourceRule(r, n, `resourceRules.${key}`) }
      : {};
  };
  const window = r.duration(m.get('window'), 'resourceRules.window');
  return {
    ...part('cpu'),
    ...part('memory'),
    ...(window ? { window } : {}),
    raw: r.json(rn),
  };
}

/** Parses a prometheus-adapter config file's text; `file` names it in errors. */
export function parseAdapterConfig(text: string, file: string): AdapterConfig {
  const lines = new LineCounter();
  // Only the first document, as yaml.v2's Unmarshal reads only it: a file that ends in `---`,
  // or has more documents after it, is read as upstream reads it.
  // The core schema whatever a `%YAML 1.1` directive says: the Reader reads YAML 1.1's booleans
  // and merge keys as yaml.v2 does, and yaml.v2 takes a timestamp or a sexagesimal number into a
  // string field as written, which the library's 1.1 schema would make a Date or a number.
  const doc = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, schema: 'core' })[0];
  if (!doc) return { rules: [], externalRules: [] };
  const r = new Reader(file, lines, doc);
  const syntax = doc.errors[0];
  if (syntax)
    throw new ConfigError(
      file,
      '',
      syntax.linePos?.[0]?.line,
      `invalid YAML: ${syntax.message.split('\n')[0]}`,
    );
  if (doc.contents === null) return { rules: [], externalRules: [] };
  const top = r.map(doc.contents, '', METRICS_DISCOVERY_CONFIG);
  const read = (key: 'rules' | 'externalRules') =>
    r.seq(top.get(key), key).map((n, i): DiscoveryRule => {
      const path = `${key}[${i}]`;
      return { ...readRule(r, n, path), origin: `${file} ${path}` };
    });
  const rules = read('rules');
  const externalRules = read('externalRules');
  const resourceRules = readResourceRules(r, top.get('resourceRules'));
  return { rules, externalRules, ...(resourceRules ? { resourceRules } : {}) };
}
