import { analyzePromql, substituteVariables, variableRefs } from './promql';

describe('variableRefs', () => {
  it('finds every form of Grafana variable reference', () => {
    expect(
      variableRefs('a{x=~"$one", y="${two}", z="${three:regex}"} [[four]] $__rate_interval'),
    ).toEqual(['one', 'two', 'three', 'four', '__rate_interval']);
  });

  it("passes over label_replace's capture groups, $1 and ${2}, and not a name that starts with a digit", () => {
    expect(
      variableRefs(
        'label_replace(label_replace(x{a="$ns"}, "b", "$1", "c", "(.*)"), "d", "${2}$2x", "e", "(.)(.*)")',
      ),
    ).toEqual(['ns', '2x']);
  });
});

describe('substituteVariables', () => {
  it('keeps the length of the expression so positions still match', () => {
    const expr = 'rate(x{a="$ns"}[$__rate_interval])';
    const out = substituteVariables(expr);
    expect(out).toBe('rate(x{a="99s"}[999999999999999s])');
    expect(out.length).toBe(expr.length);
  });
});

describe('analyzePromql', () => {
  it('lists the series and range calls of a valid expression', () => {
    expect(
      analyzePromql(
        'sum by (service) (rate(http_requests_total{code=~"5.."}[$__rate_interval])) / sum(increase(foo[5m])) + up',
      ),
    ).toEqual({
      errors: [],
      series: ['http_requests_total', 'foo', 'up'],
      selectors: [
        { series: 'http_requests_total', matchers: [{ name: 'code', op: '=~', value: '5..' }] },
        { series: 'foo', matchers: [] },
        { series: 'up', matchers: [] },
      ],
      rangeCalls: [
        { fn: 'rate', series: 'http_requests_total', window: '$__rate_interval' },
        { fn: 'increase', series: 'foo', window: '5m' },
      ],
    });
  });

  it('lists changes() and resets() as range calls, as the counts they are', () => {
    expect(
      analyzePromql('changes(a[$__interval]) + resets(b_total[$__range]) + delta(c[5m])')
        .rangeCalls,
    ).toEqual([
      { fn: 'changes', series: 'a', window: '$__interval' },
      { fn: 'resets', series: 'b_total', window: '$__range' },
    ]);
  });

  it('keeps variable references in matcher values', () => {
    expect(
      analyzePromql('up{namespace=~"$namespace", service!="${service}", job="x"}').selectors,
    ).toEqual([
      {
        series: 'up',
        matchers: [
          { name: 'namespace', op: '=~', value: '$namespace' },
          { name: 'service', op: '!=', value: '${service}' },
          { name: 'job', op: '=', value: 'x' },
        ],
      },
    ]);
  });

  it('reports an unbalanced parenthesis as a syntax error', () => {
    expect(analyzePromql('sum(rate(x[5m])').errors).toHaveLength(1);
  });

  it('reports an empty expression', () => {
    expect(analyzePromql('  ').errors).toEqual(['empty expression']);
  });

  it('does not count function names or label names as series', () => {
    expect(
      analyzePromql('histogram_quantile(0.5, sum by (le) (rate(a_bucket[1m])))').series,
    ).toEqual(['a_bucket']);
  });
});
