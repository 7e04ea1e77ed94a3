// How a rule turns Prometheus series into API metrics and back, as prometheus-adapter does:
//   - which series a rule takes (seriesFilters, then name.matches);
//   - the API name of a series (name.as, with $0/$1/${1}/$name expanded as Go's Regexp.Expand);
//   - which Prometheus label holds a Kubernetes resource (resources.overrides, else the
//     resources.template with .Group and the singular .Resource);
//   - the PromQL a request sends (metricsQuery with <<.Series>>, <<.LabelMatchers>>, <<.GroupBy>>).
import {
  BUILT_IN,
  builtInResource,
  guessPlural,
  singularOf,
  splitResource,
} from '../../k8s/resources';
import { METRICS_QUERY_FIELDS, RESOURCE_TEMPLATE_FIELDS, type DiscoveryRule } from './config';
import { executeGoTemplate, parseGoTemplate, type TemplatePart } from './go-template';
import { compileGoTemplate, type GoTemplate } from './go-template-engine';
import { compileRe2, namedGroup } from './re2';

export interface CompiledRule {
  readonly rule: DiscoveryRule;
  /** The API metric name for a series name, or undefined when the rule does not take it. */
  apiName(series: string): string | undefined;
  /** The Prometheus label that names objects of `resource` (`pods`, `deployments.apps`), if any. */
  labelFor(resource: string): string | undefined;
  /** The resource a Prometheus label names, if the rule maps it. */
  resourceFor(label: string): string | undefined;
}

/**
 * A group number as Go's regexp `extract` reads one: `0`, or digits without a leading zero. Any
 * other run of word characters (`01`, `1x`) is a group name, and expands to "" when none has it.
 */
const GROUP_NUMBER = /^(?:0|[1-9][0-9]*)$/;

/**
 * Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $. A name runs as far as Go's
 * `extract` reads one: letters and digits in Unicode's sense (unicode.IsLetter, IsDigit) and `_`,
 * so `$1ü` is the group named `1ü` (none: ""), not group 1 then `ü`.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu,
    (_all, dollar, braced, bare) => {
      if (dollar === '$') return '$';
      const ref = (braced ?? bare) as string;
      const value = GROUP_NUMBER.test(ref) ? match[Number(ref)] : namedGroup(match, ref);
      return value ?? '';
    },
  );
}

/** prometheus-adapter's GroupNameSanitizer: a group as a label name part (`networking_k8s_io`). */
const sanitizeGroup = (group: string) => group.replace(/[.-]/g, '_');

function renderResourceTemplate(template: readonly TemplatePart[], resource: string): string {
  return executeGoTemplate(template, {
    Group: sanitizeGroup(splitResource(resource).group),
    Resource: singularOf(resource),
  });
}

/**
 * The resource a label the template made names, when it is one Kubernetes has built in (what
 * prometheus-adapter's RESTMapper would confirm): `deployment` → `deployments.apps`. Labels the
 * template matches that name no resource (`container`, `instance`) are left out, as upstream
 * leaves them; a custom resource is named by an override.
 */
function templateReader(template: readonly TemplatePart[]): (label: string) => string | undefined {
  // A field the template names again is the same text again (a back-reference): one group
  // name twice is no JavaScript pattern.
  const seen = new Set<string>();
  const pattern = template
    .map((part) => {
      if (part.kind === 'text') return part.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const name = part.field === 'Group' ? 'group' : 'resource';
      if (seen.has(name)) return `\\k<${name}>`;
      seen.add(name);
      return name === 'group' ? '(?<group>[a-z0-9_]*?)' : '(?<resource>[a-z0-9]+)';
    })
    .join('');
  const re = new RegExp(`^${pattern}$`);
  return (label) => {
    const m = re.exec(label);
    const name = m?.groups?.resource;
    if (!name) return undefined;
    const group = m.groups?.group;
    if (group === undefined) return builtInResource(undefined, name)?.key;
    return BUILT_IN.find(
      (r) => sanitizeGroup(r.group) === group && (r.singular === name || r.resource === name),
    )?.key;
  };
}

type GroupResource = { readonly group?: string; readonly resource: string };

/**
 * Custom resources as the API server's discovery names them: a name as an override or a request
 * writes it, singular or plural (`prometheus.monitoring.coreos.com`), → the plural key
 * (`prometheuses.monitoring.coreos.com`), as upstream's RESTMapper (ResourceFor) maps either.
 */
export type DiscoveredNames = ReadonlyMap<string, string>;

/**
 * The custom resource an override names, as written (`prometheus.monitoring.coreos.com`): what
 * discovery is asked. Undefined for a built-in resource, which the table in resources.ts holds.
 */
export function customOverride({ group, resource }: GroupResource): string | undefined {
  if (!group || builtInResource(group, resource)) return undefined;
  return `${resource.toLowerCase()}.${group}`;
}

/** The custom resources a rule's overrides name, as written. */
export const customResourcesOf = (rule: DiscoveryRule): string[] =>
  Object.values(rule.resources.overrides)
    .map(customOverride)
    .filter((name): name is string => name !== undefined);

/**
 * The resource an override names: a built-in one, singular or plural, found in its group or,
 * with none given, in the first group that has it; else a custom resource of the group given
 * (config.ts refuses an override naming neither), by the plural discovery gives it, or guessed
 * from the name where discovery has not said (no API access, or its lookup failed).
 */
function overrideKey(gr: GroupResource, names: DiscoveredNames): string {
  const known = builtInResource(gr.group || undefined, gr.resource);
  if (known) return known.key;
  const custom = customOverride(gr);
  const discovered = custom && names.get(custom);
  if (discovered) return discovered;
  return gr.group ? `${guessPlural(gr.resource)}.${gr.group}` : guessPlural(gr.resource);
}

const NO_NAMES: DiscoveredNames = new Map();

/** A rule compiled with its custom resources guessed from their names (no discovery). */
export const compileRule = (rule: DiscoveryRule): CompiledRule => compile(rule, NO_NAMES);

/** Compiles rules with their custom resources by the names discovery gives them. */
export const ruleCompiler =
  (names: DiscoveredNames) =>
  (rule: DiscoveryRule): CompiledRule =>
    compile(rule, names);

function compile(rule: DiscoveryRule, names: DiscoveredNames): CompiledRule {
  const filters = rule.seriesFilters.map((f) =>
    'is' in f ? { re: compileRe2(f.is), keep: true } : { re: compileRe2(f.isNot), keep: false },
  );
  const matches = compileRe2(rule.name.matches);
  const overrides = Object.entries(rule.resources.overrides).map(([label, gr]) => ({
    label,
    key: overrideKey(gr, names),
  }));

  const template = rule.resources.template
    ? parseGoTemplate(rule.resources.template, RESOURCE_TEMPLATE_FIELDS, { allowIndex: false })
    : undefined;
  const fromTemplate = template ? templateReader(template) : undefined;

  const labelFor = (resource: string): string | undefined => {
    const override = overrides.find((o) => o.key === resource);
    if (override) return override.label;
    return template ? renderResourceTemplate(template, resource) : undefined;
  };

  return {
    rule,
    apiName(series) {
      if (!filters.every((f) => f.re.test(series) === f.keep)) return undefined;
      const m = matches.exec(series);
      return m ? expandTemplate(rule.name.as, m) : undefined;
    },
    labelFor,
    resourceFor(label) {
      const override = overrides.find((o) => o.label === label);
      if (override) return override.key;
      return fromTemplate?.(label);
    },
  };
}

export interface QueryParts {
  readonly series: string;
  /** Already-rendered matchers, e.g. `namespace="platform"`. */
  readonly labelMatchers: readonly string[];
  /** The values each matcher's label is matched to, `|`-joined (upstream's LabelValuesByName). */
  readonly labelValuesByName?: Readonly<Record<string, string>>;
  readonly groupBy: readonly string[];
}

const parsedQueries = new Map<string, GoTemplate>();

/**
 * Renders a metricsQuery template (config.ts has already refused what cannot render); a
 * TemplateError when running it fails, as Go's Execute does (`index` past a slice's end).
 */
export function renderMetricsQuery(template: string, parts: QueryParts): string {
  let parsed = parsedQueries.get(template);
  if (!parsed)
    parsedQueries.set(template, (parsed = compileGoTemplate(template, METRICS_QUERY_FIELDS)));
  return parsed.execute({
    Series: parts.series,
    LabelMatchers: parts.labelMatchers.join(','),
    LabelValuesByName: parts.labelValuesByName ?? {},
    GroupBy: parts.groupBy.join(','),
    GroupBySlice: parts.groupBy,
  });
}
