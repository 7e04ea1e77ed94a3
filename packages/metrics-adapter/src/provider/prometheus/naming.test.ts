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
    expect(plainGauges!.labelFor('ingresses')).toBe('ingress');
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
