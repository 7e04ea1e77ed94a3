// metricLabelSelector requirements as PromQL matchers, as prometheus-adapter's metrics_query.go
// (selectMatcher, selectTargetValue) turns them: = and != as themselves, in / notin as =~ / !~
// of the values joined by `|`, exists as != "" and !key as = "". Values are regex-quoted here.
import { parseLabelSelector, type Requirement } from '../../k8s/label-selector';
import { metricLabelMatchers } from './matchers';

describe('metricLabelSelector matchers', () => {
  it.each([
    ['tier=web', 'tier="web"'],
    ['tier!=web', 'tier!="web"'],
    ['tier notin (web)', 'tier!~"web"'],
    ['tier notin (web, api)', 'tier!~"api|web"'],
    ['tier in (a.b, c)', 'tier=~"a\\\\.b|c"'],
    ['tier', 'tier!=""'],
    ['!tier', 'tier=""'],
    // labels.Parse reads an empty set as the one value "": upstream sends tier=~"".
    ['tier in ()', 'tier=~""'],
  ])('sends %s as %s', (selector, matcher) => {
    expect(metricLabelMatchers(parseLabelSelector(selector))).toEqual([matcher]);
  });

  // labels.Parse lets no such value through; a requirement built another way still matches
  // only its own text (Prometheus anchors the regex; JSON.parse reads the PromQL string here).
  it.each(['a+b', '(x)', 'a|b', '.*', 'a\\b', '[a-z]', '^$'])(
    'quotes %j so that an in set matches it and nothing else',
    (value) => {
      const req: Requirement = { key: 'tier', operator: 'in', values: [value] };
      const [matcher] = metricLabelMatchers([req]);
      const source = JSON.parse((matcher as string).slice('tier=~'.length)) as string;
      const re = new RegExp(`^(?:${source})$`);
      expect([re.test(value), re.test('aab'), re.test('x'), re.test(''), re.test('a')]).toEqual([
        true,
        value === 'aab',
        value === 'x',
        value === '',
        value === 'a',
      ]);
    },
  );
});
