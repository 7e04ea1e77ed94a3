// How a rule turns Prometheus series into API metrics and back, as prometheus-adapter does:
//   - which series a rule takes (seriesFilters, then name.matches);
//   - the API name of a series (name.as, with $0/$1/${1}/$name expanded as Go's Regexp.Expand);
//   - which Prometheus label holds a Kubernetes resource (resources.overrides, else the
//     resources.template with .Group and the singular .Resource);
//   - the PromQL a request sends (metricsQuery with <<.Series>>, <<.LabelMatchers>>, <<.GroupBy>>).
import type { DiscoveryRule } from './config';

export interface CompiledRule {
  readonly rule: DiscoveryRule;
  /** The API metric name for a series name, or undefined when the rule does not take it. */
  apiName(series: string): string | undefined;
  /** The Prometheus label that names objects of `resource` (`pods`, `deployments.apps`), if any. */
  labelFor(resource: string): string | undefined;
  /** The resource a Prometheus label names, if the rule maps it. */
  resourceFor(label: string): string | undefined;
}

const goRegex = (source: string) => new RegExp(source.replace(/\(\?P</g, '(?<'));

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_all, dollar, braced, bare) => {
      if (dollar === '$') return '$';
      const ref = (braced ?? bare) as string;
      const value = /^\d+$/.test(ref) ? match[Number(ref)] : match.groups?.[ref];
      return value ?? '';
    },
  );
}

/** `deployments.apps` → { group: 'apps', resource: 'deployments' }; `pods` → core group. */
export function splitResource(resource: string): { group: string; resource: string } {
  const dot = resource.indexOf('.');
  return dot < 0
    ? { group: '', resource }
    : { group: resource.slice(dot + 1), resource: resource.slice(0, dot) };
}

/** Good enough for Kubernetes resource names (pods, services, deployments, statefulsets, ingresses, nodes, namespaces). */
export function singular(plural: string): string {
  if (plural.endsWith('ses') || plural.endsWith('xes')) return plural.slice(0, -2);
  if (plural.endsWith('ies')) return plural.slice(0, -3) + 'y';
  if (plural.endsWith('s')) return plural.slice(0, -1);
  return plural;
}

/** The plural form the API paths use, from a singular or plural override value. */
export function plural(name: string): string {
  if (name.endsWith('s')) return name;
  if (name.endsWith('y')) return name.slice(0, -1) + 'ies';
  if (name.endsWith('x')) return name + 'es';
  return name + 's';
}

function renderResourceTemplate(template: string, group: string, resource: string): string {
  return template
    .replace(/<<\s*\.Group\s*>>/g, group.replace(/\./g, '_'))
    .replace(/<<\s*\.Resource\s*>>/g, singular(resource));
}

export function compileRule(rule: DiscoveryRule): CompiledRule {
  const filters = rule.seriesFilters.map((f) =>
    'is' in f ? { re: goRegex(f.is), keep: true } : { re: goRegex(f.isNot), keep: false },
  );
  const matches = goRegex(rule.name.matches);
  const overrides = Object.entries(rule.resources.overrides).map(([label, gr]) => ({
    label,
    key: `${plural(gr.resource)}${gr.group ? `.${gr.group}` : ''}`,
  }));

  const labelFor = (resource: string): string | undefined => {
    const want = resource.includes('.') ? resource : plural(resource);
    const override = overrides.find((o) => o.key === want);
    if (override) return override.label;
    if (!rule.resources.template) return undefined;
    const { group, resource: res } = splitResource(want);
    return renderResourceTemplate(rule.resources.template, group, res);
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
      const template = rule.resources.template;
      if (!template) return undefined;
      // Read the template backwards: <<.Resource>> captures the singular name, <<.Group>> the group.
      const pattern = template
        .split(/(<<\s*\.(?:Group|Resource)\s*>>)/)
        .map((part) =>
          /\.Group/.test(part)
            ? '(?<group>[a-z0-9_]*)'
            : /\.Resource/.test(part)
              ? '(?<resource>[a-z0-9]+)'
              : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      const m = new RegExp(`^${pattern}$`).exec(label);
      if (!m?.groups?.resource) return undefined;
      const group = (m.groups.group ?? '').replace(/_/g, '.');
      return `${plural(m.groups.resource)}${group ? `.${group}` : ''}`;
    },
  };
}

export interface QueryParts {
  readonly series: string;
  /** Already-rendered matchers, e.g. `namespace="platform"`. */
  readonly labelMatchers: readonly string[];
  readonly groupBy: readonly string[];
}

/** Renders a metricsQuery template; only the fields prometheus-adapter documents exist. */
export function renderMetricsQuery(template: string, parts: QueryParts): string {
  return template.replace(
    /<<\s*\.(Series|LabelMatchers|GroupBySlice|GroupBy)\s*>>/g,
    (_all, field: string) => {
      switch (field) {
        case 'Series':
          return parts.series;
        case 'LabelMatchers':
          return parts.labelMatchers.join(',');
        case 'GroupBy':
          return parts.groupBy.join(',');
        default:
          return `[${parts.groupBy.join(' ')}]`;
      }
    },
  );
}
