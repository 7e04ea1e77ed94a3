import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, DEFAULT_METRICS_QUERY, parseAdapterConfig } from './config';

const sample = readFileSync(join(__dirname, 'testdata', 'adapter-config.yaml'), 'utf8');

describe('parseAdapterConfig', () => {
  it('accepts a prometheus-adapter config as its users write it', () => {
    const config = parseAdapterConfig(sample, 'config.yaml');
    expect(config.rules).toHaveLength(3);
    expect(config.rules[0]).toEqual({
      seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}',
      seriesFilters: [],
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^container_(.*)_seconds_total$', as: '$1' },
      metricsQuery:
        'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m])) by (<<.GroupBy>>)',
      labelValueReplacements: [],
      origin: 'config.yaml rules[0]',
    });
    expect(config.rules[1]).toMatchObject({
      seriesFilters: [{ isNot: '.*_total$' }],
      resources: { template: '<<.Resource>>', overrides: {} },
      name: { matches: '.*', as: '$0' },
      metricsQuery: DEFAULT_METRICS_QUERY,
    });
    expect(config.rules[2]?.resources.overrides.deployment).toEqual({
      group: 'apps',
      resource: 'deployment',
    });
    expect(config.rules[2]?.name.as).toBe('${1}_per_second');
    expect(config.externalRules).toEqual([
      expect.objectContaining({
        resources: { overrides: { namespace: { resource: 'namespace' } }, namespaced: false },
        name: { matches: '^job_queue_length$', as: '$0' },
        origin: 'config.yaml externalRules[0]',
      }),
    ]);
    expect(config.resourceRules).toBeDefined();
  });

  it('accepts an empty file', () => {
    expect(parseAdapterConfig('', 'empty.yaml')).toEqual({ rules: [], externalRules: [] });
  });

  it.each<[string, string, string]>([
    [
      'an unknown top-level key',
      'rule:\n- seriesQuery: up\n',
      'c.yaml:1: unknown key "rule" (allowed: rules, externalRules, resourceRules)',
    ],
    [
      'a misspelt key in a rule',
      'rules:\n- seriesQuery: up\n  resources:\n    overides: {}\n',
      'c.yaml:4: rules[0].resources: unknown key "overides"',
    ],
    [
      'a missing seriesQuery',
      'rules:\n- name: {matches: "x"}\n',
      'rules[0].seriesQuery: is required',
    ],
    [
      'a filter with both is and isNot',
      'rules:\n- seriesQuery: up\n  seriesFilters:\n  - {is: a, isNot: b}\n',
      'rules[0].seriesFilters[0]: set exactly one of "is" and "isNot"',
    ],
    [
      'a filter with an empty expression',
      'rules:\n- seriesQuery: up\n  seriesFilters:\n  - {is: ""}\n',
      'rules[0].seriesFilters[0].is: must not be empty',
    ],
    [
      'a regex that does not compile',
      'rules:\n- seriesQuery: up\n  name: {matches: "^(a"}\n',
      'rules[0].name.matches: invalid regular expression "^(a"',
    ],
    [
      'two capture groups and no "as"',
      'rules:\n- seriesQuery: up\n  name: {matches: "(a)(b)"}\n',
      'rules[0].name.as: must be set: name.matches has 2 capture groups',
    ],
    [
      'an unknown template field',
      'rules:\n- seriesQuery: up\n  metricsQuery: sum(<<.Serie>>)\n',
      'rules[0].metricsQuery: template field .Serie does not exist',
    ],
    [
      'a non-boolean namespaced',
      'externalRules:\n- seriesQuery: up\n  resources: {namespaced: "no"}\n',
      'externalRules[0].resources.namespaced: must be true or false',
    ],
    [
      'an override without resource',
      'rules:\n- seriesQuery: up\n  resources:\n    overrides:\n      pod: {group: ""}\n',
      'rules[0].resources.overrides.pod.resource: is required',
    ],
    [
      'a template action Go has but this adapter does not run',
      'rules:\n- seriesQuery: up\n  metricsQuery: "<<range .GroupBySlice>>x<<end>>"\n',
      'rules[0].metricsQuery: unsupported template action <<range .GroupBySlice>>',
    ],
    [
      'a template pipeline',
      'rules:\n- seriesQuery: up\n  metricsQuery: "<<.Series | printf \\"%s\\">>"\n',
      'rules[0].metricsQuery: unsupported template action <<.Series | printf "%s">>',
    ],
    [
      'a field of a field that has none',
      'rules:\n- seriesQuery: up\n  metricsQuery: "<<.Series.name>>"\n',
      'rules[0].metricsQuery: in <<.Series.name>>: .Series has no field .name',
    ],
    [
      'index of a map with a number',
      'rules:\n- seriesQuery: up\n  metricsQuery: "<<index .LabelValuesByName 0>>"\n',
      'index takes a map field and a quoted key, or a slice field and a number',
    ],
    [
      'an unclosed action',
      'rules:\n- seriesQuery: up\n  metricsQuery: "sum(<<.Series)"\n',
      'rules[0].metricsQuery: unclosed action: "<<.Series)"',
    ],
    [
      'index in a resource template',
      "rules:\n- seriesQuery: up\n  resources: {template: '<<index .Resource 0>>'}\n",
      'rules[0].resources.template: unsupported template action <<index .Resource 0>> (supported: <<.Field>>)',
    ],
    [
      'an override naming no built-in resource and no group',
      'rules:\n- seriesQuery: up\n  resources:\n    overrides:\n      widget: {resource: widget}\n',
      'c.yaml:5: rules[0].resources.overrides.widget.resource: "widget" is not a built-in Kubernetes resource: name the group of a custom resource',
    ],
    ['rules that are not a list', 'rules: {seriesQuery: up}\n', 'rules: must be a list'],
    ['broken YAML', 'rules: [\n', 'c.yaml:2: invalid YAML'],
    [
      'a number where a string belongs',
      'rules:\n- seriesQuery: 42\n',
      'rules[0].seriesQuery: must be a string, got 42',
    ],
  ])('rejects %s, naming file, line and key', (_what, text, message) => {
    expect(() => parseAdapterConfig(text, 'c.yaml')).toThrow(ConfigError);
    expect(() => parseAdapterConfig(text, 'c.yaml')).toThrow(message);
  });

  it('answers any text with a config or a ConfigError, never another exception', () => {
    const lines = sample.split('\n');
    const mutated = fc
      .tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([a, b, junk]) => {
        const i = a % lines.length;
        const copy = [...lines];
        copy[i] = (copy[i] ?? '').slice(0, b % 40) + junk;
        return copy.join('\n');
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ maxLength: 60 })), (text) => {
        try {
          parseAdapterConfig(text, 'c.yaml');
          return true;
        } catch (err) {
          return err instanceof ConfigError;
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
