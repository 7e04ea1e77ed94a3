import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAdapterConfig } from './config';
import { compileRule, expandTemplate, renderMetricsQuery } from './naming';

const config = parseAdapterConfig(
  readFileSync(join(__dirname, 'testdata', 'adapter-config.yaml'), 'utf8'),
  'adapter-config.yaml',
);
const [containerSeconds, plainGauges, httpRate] = config.rules.map(compileRule);

describe('API names', () => {
  it('takes the capture group by default and drops series the rule does not match', () => {
    expect(containerSeconds!.apiName('container_cpu_usage_seconds_total')).toBe('cpu_usage');
    expect(containerSeconds!.apiName('container_memory_working_set_bytes')).toBeUndefined();
  });

  it('applies seriesFilters before the name', () => {
    expect(plainGauges!.apiName('websocket_connections')).toBe('websocket_connections');
    expect(plainGauges!.apiName('http_requests_total')).toBeUndefined();
  });

  it('expands ${1} in name.as', () => {
    expect(httpRate!.apiName('http_requests_total')).toBe('http_requests_per_second');
  });

  it('expands Go-style references', () => {
    const m = /^(?<kind>[a-z]+)_(\d+)$/.exec('queue_42')!;
    expect(expandTemplate('$kind-${2}-$$-$9', m)).toBe('queue-42-$-');
  });

  it("reads a group number as Go's extract does: 0 or digits without a leading zero", () => {
    // Go 1.26: regexp.MustCompile(`^(a)(b)(?P<n>c)(d)(e)(f)(g)(h)(i)(j)(k)$`).ExpandString(…)
    // on "abcdefghijk" gives these; `01` and `$03` are names, and no group has them.
    const m = /^(a)(b)(?<n>c)(d)(e)(f)(g)(h)(i)(j)(k)$/.exec('abcdefghijk')!;
    const cases: [string, string][] = [
      ['$0', 'abcdefghijk'],
      ['${0}', 'abcdefghijk'],
      ['$00', ''],
      ['$01', ''],
      ['${01}', ''],
      ['$03', ''],
      ['$010', ''],
      ['$000000001', ''],
      ['$1', 'a'],
      ['$10', 'j'],
      ['$11', 'k'],
      ['$12', ''],
      ['$100000000', ''],
      ['$n', 'c'],
      ['$$01', '$01'],
    ];
    for (const [template, expected] of cases)
      expect([template, expandTemplate(template, m)]).toEqual([template, expected]);
  });

  it("reads a name as far as Go's extract does, Unicode letters and digits included", () => {
    // Go 1.26: regexp.MustCompile(`^(\w+)_(?P<unit>[a-z]+)$`).ExpandString(…) on
    // "http_requests_total" gives these.
    const m = /^(\w+)_(?<unit>[a-z]+)$/.exec('http_requests_total')!;
    const cases: [string, string][] = [
      ['$1ü', ''],
      ['${1}ü', 'http_requestsü'],
      ['$unitß_x', ''],
      ['$1\u0663', ''],
      ['$1_x', ''],
      ['$1-x', 'http_requests-x'],
      ['x$$1', 'x$1'],
      ['$\u0663', ''],
    ];
    for (const [template, expected] of cases)
      expect([template, expandTemplate(template, m)]).toEqual([template, expected]);
  });
});

describe('groups sharing a name', () => {
  it("expands the first group of the name that took part, as Go's Regexp.Expand", () => {
    const [rule] = parseAdapterConfig(
      `
rules:
- seriesQuery: '{__name__=~"foo_total|bar_count"}'
  name: {matches: "(?P<x>foo)_total|(?P<x>bar)_count", as: "\${x}_per_second"}
`,
      'shared.yaml',
    ).rules.map(compileRule);
    expect(rule!.apiName('bar_count')).toBe('bar_per_second');
    expect(rule!.apiName('foo_total')).toBe('foo_per_second');
  });
});

describe('resource labels', () => {
  it('reads overrides both ways, singular or plural, with groups', () => {
    expect(httpRate!.labelFor('pods')).toBe('pod');
    expect(httpRate!.labelFor('deployments.apps')).toBe('deployment');
    expect(httpRate!.resourceFor('namespace')).toBe('namespaces');
    expect(httpRate!.resourceFor('deployment')).toBe('deployments.apps');
    expect(httpRate!.labelFor('services')).toBeUndefined();
  });

  it('renders and reads back the template', () => {
    expect(plainGauges!.labelFor('pods')).toBe('pod');
    expect(plainGauges!.labelFor('ingresses.networking.k8s.io')).toBe('ingress');
    expect(plainGauges!.resourceFor('pod')).toBe('pods');
    expect(plainGauges!.resourceFor('Pod')).toBeUndefined();
  });
});

describe('renderMetricsQuery', () => {
  it('fills Series, LabelMatchers and GroupBy', () => {
    expect(
      renderMetricsQuery(httpRate!.rule.metricsQuery, {
        series: 'http_requests_total',
        labelMatchers: ['namespace="platform"', 'pod=~"web-1|web-2"'],
        groupBy: ['pod'],
      }),
    ).toBe('sum(rate(http_requests_total{namespace="platform",pod=~"web-1|web-2"}[2m])) by (pod)');
  });
});

describe('resources as prometheus-adapter maps them through its RESTMapper', () => {
  const rule = (resources: string) =>
    compileRule(
      parseAdapterConfig(`rules:\n- seriesQuery: 'up'\n  resources: ${resources}\n`, 'r.yaml')
        .rules[0]!,
    );

  it('reads labels the template made as the built-in resources they name, with their groups', () => {
    const byResource = rule('{template: <<.Resource>>}');
    expect(byResource.resourceFor('deployment')).toBe('deployments.apps');
    expect(byResource.resourceFor('ingress')).toBe('ingresses.networking.k8s.io');
    expect(byResource.resourceFor('job')).toBe('jobs.batch');
    expect(byResource.resourceFor('namespace')).toBe('namespaces');
    // Labels that name no resource are not resources (upstream's mapper refuses them).
    expect(byResource.resourceFor('container')).toBeUndefined();
    expect(byResource.resourceFor('instance')).toBeUndefined();
    expect(byResource.labelFor('deployments.apps')).toBe('deployment');
    expect(byResource.labelFor('ingresses.networking.k8s.io')).toBe('ingress');
  });

  it('reads a template that names a field twice (it threw a SyntaxError on compiling)', () => {
    const twice = rule('{template: "<<.Resource>>_<<.Resource>>"}');
    expect(twice.labelFor('pods')).toBe('pod_pod');
    expect(twice.resourceFor('pod_pod')).toBe('pods');
    expect(twice.resourceFor('pod_node')).toBeUndefined();
    const group = rule('{template: "<<.Group>>_<<.Resource>>_<<.Group>>"}');
    expect(group.labelFor('deployments.apps')).toBe('apps_deployment_apps');
    expect(group.resourceFor('apps_deployment_apps')).toBe('deployments.apps');
  });

  it('writes and reads the group as GroupNameSanitizer does, dots and dashes as underscores', () => {
    const grouped = rule('{template: "kube_<<.Group>>_<<.Resource>>"}');
    expect(grouped.labelFor('ingresses.networking.k8s.io')).toBe('kube_networking_k8s_io_ingress');
    expect(grouped.labelFor('certificates.cert-manager.io')).toBe(
      'kube_cert_manager_io_certificate',
    );
    expect(grouped.labelFor('pods')).toBe('kube__pod');
    expect(grouped.resourceFor('kube_networking_k8s_io_ingress')).toBe(
      'ingresses.networking.k8s.io',
    );
    expect(grouped.resourceFor('kube_apps_deployment')).toBe('deployments.apps');
    expect(grouped.resourceFor('kube_batch_deployment')).toBeUndefined();
    // The RESTMapper's ResourceFor takes a plural as well as a singular.
    expect(grouped.resourceFor('kube_apps_deployments')).toBe('deployments.apps');
    expect(grouped.resourceFor('kube_networking_k8s_io_ingresses')).toBe(
      'ingresses.networking.k8s.io',
    );
  });

  it('finds an override resource in its group, or in the first group that has it, singular or plural', () => {
    const overrides = rule(
      '{overrides: {deployment: {resource: deployment}, ing: {group: networking.k8s.io, resource: ingress}, widget: {group: example.com, resource: widget}, gadget: {group: example.com, resource: gadgets}}}',
    );
    expect(overrides.resourceFor('deployment')).toBe('deployments.apps');
    expect(overrides.resourceFor('ing')).toBe('ingresses.networking.k8s.io');
    expect(overrides.resourceFor('widget')).toBe('widgets.example.com');
    expect(overrides.resourceFor('gadget')).toBe('gadgets.example.com');
    expect(overrides.labelFor('ingresses.networking.k8s.io')).toBe('ing');
  });
});

describe('overrides and a template together', () => {
  // prometheus-adapter's resourceConverter.LabelForResource looks in resourceToLabel (the
  // overrides) first and renders the template only for a resource no override names.
  it('takes the override for the resource it names, the template for any other', () => {
    const [r] = parseAdapterConfig(
      `rules:
- seriesQuery: 'up'
  resources:
    template: kube_<<.Group>>_<<.Resource>>
    overrides: {exported_namespace: {resource: namespace}}
`,
      'both.yaml',
    ).rules.map(compileRule);
    expect(r!.labelFor('namespaces')).toBe('exported_namespace');
    expect(r!.labelFor('pods')).toBe('kube__pod');
    expect(r!.resourceFor('exported_namespace')).toBe('namespaces');
    expect(r!.resourceFor('kube_apps_deployment')).toBe('deployments.apps');
  });
});

describe('metricsQuery templates beyond the three common fields', () => {
  const parts = {
    series: 'http_requests_total',
    labelMatchers: ['namespace="platform"', 'pod="web-1"'],
    labelValuesByName: { namespace: 'platform', pod: 'web-1' },
    groupBy: ['pod', 'container'],
  };

  it('prints map entries, index, GroupBySlice as Go prints a slice, and trims around <<- ->>', () => {
    expect(
      renderMetricsQuery(
        'x{pod="<<.LabelValuesByName.pod>>",ns="<<index .LabelValuesByName "namespace">>"} by (<<index .GroupBySlice 1>>) <<.GroupBySlice>>  <<- /* gone */ ->>  !',
        parts,
      ),
    ).toBe('x{pod="web-1",ns="platform"} by (container) [pod container]!');
  });

  it('prints a missing map entry as Go does: <no value> as a field, nothing through index', () => {
    expect(
      renderMetricsQuery('<<.LabelValuesByName.node>>|<<index .LabelValuesByName "node">>|', parts),
    ).toBe('<no value>||');
  });
});
