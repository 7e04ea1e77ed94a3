import fc from 'fast-check';
import { METRICS_QUERY_FIELDS } from './config';
import { TemplateError } from './go-template';
import { compileGoTemplate } from './go-template-engine';

// The data prometheus-adapter's Build gives a metricsQuery for pods a and b in namespace ns.
const DATA = {
  Series: 'http_requests_total',
  LabelMatchers: 'namespace="ns",pod=~"a|b"',
  LabelValuesByName: { pod: 'a|b', namespace: 'ns' },
  GroupBy: 'pod,container',
  GroupBySlice: ['pod', 'container'],
};
const compile = (text: string) => compileGoTemplate(text, METRICS_QUERY_FIELDS);

// Every expected value and error below is what Go 1.26's text/template answered for the same
// template and data (template.New(…).Delims("<<", ">>"), as upstream's NewMetricsQuery).
describe("metricsQuery templates as Go's text/template runs them", () => {
  it.each([
    [
      'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
      'sum(rate(http_requests_total{namespace="ns",pod=~"a|b"}[2m])) by (pod,container)',
    ],
    [
      'sum by (<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>) (<<.Series>>{<<.LabelMatchers>>})',
      'sum by (pod,container) (http_requests_total{namespace="ns",pod=~"a|b"})',
    ],
    [
      '<<if .LabelValuesByName.queue>>max(<<.Series>>{queue=~"<<.LabelValuesByName.queue>>"})<<else>>max(<<.Series>>)<<end>>',
      'max(http_requests_total)',
    ],
    ['<<with .LabelValuesByName.pod>>pods: <<.>><<else>>none<<end>>', 'pods: a|b'],
    ['<<range $k, $v := .LabelValuesByName>><<$k>>=<<$v>>;<<end>>', 'namespace=ns;pod=a|b;'],
    ['<<range .GroupBySlice>>[<<.>>]<<else>>empty<<end>>', '[pod][container]'],
    [
      '<<$s := .Series>><<range .GroupBySlice>><<$s>>/<<.>> <<end>>',
      'http_requests_total/pod http_requests_total/container ',
    ],
    ['<<$n := 0>><<range .GroupBySlice>><<$n = .>><<end>><<$n>>', 'container'],
    ['<<range $i, $e := .GroupBySlice>><<if eq $i 1>><<break>><<end>><<$e>><<end>>', 'pod'],
    ['<<range 3>><<.>><<end>>', '012'],
    ['<<.Series | printf "%s_rate">>', 'http_requests_total_rate'],
    [
      '<<printf "%s:%d:%v:%t" .Series (len .GroupBySlice) .GroupBySlice true>>',
      'http_requests_total:2:[pod container]:true',
    ],
    ['<<printf "%d" .Series>>', '%!d(string=http_requests_total)'],
    ['<<printf "%s" .Series 1>>', 'http_requests_total%!(EXTRA int=1)'],
    ['<<print .Series 1 2 "x" true>>', 'http_requests_total1 2xtrue'],
    ['<<println .GroupBy 3>>', 'pod,container 3\n'],
    [
      '<<len .LabelValuesByName>> <<len .Series>> <<index .GroupBySlice 1>> <<index .LabelValuesByName "nope">>|',
      '2 19 container |',
    ],
    [
      '<<and .Series .GroupBy>> <<or "" .GroupBy>> <<not .Series>> <<and .LabelValuesByName.nope 1>>',
      'pod,container pod,container false <no value>',
    ],
    ['<<if and (ne .GroupBy "") (lt 1 2) (ge .Series "a")>>yes<<end>>', 'yes'],
    ['<<if eq .GroupBy "x" "pod,container">>one of<<end>>', 'one of'],
    ['<<with $x := .LabelValuesByName.namespace>><<$x>>!<<end>>', 'ns!'],
    ['<<if .LabelValuesByName.nope>>a<<else if .GroupBySlice>>b<<else>>c<<end>>', 'b'],
    [
      '<<.LabelValuesByName.nope>>/<<print .LabelValuesByName.nope>>/<<printf "%v" .LabelValuesByName.nope>>',
      '<no value>/<nil>/<nil>',
    ],
    ['<<index .Series 0>>', '104'],
    // Found by the oracle test (go-template-engine.oracle.test.ts), each answer Go's own:
    // declarations in parentheses, which last as an action's do;
    ['<<print ($x := 5) $x>><<$x>>', '5 55'],
    ['<<$x = print ($x := 1) 2>><<$x>>', '1 2'],
    ['<<$n := len ($s := .GroupBySlice)>><<index $s 1>>/<<$n>>', 'container/2'],
    // a function as an argument, called with none; a pipeline's last `|` with nothing after;
    ['<<println print>>', '\n'],
    ['<<printf "%s|" print>>', '|'],
    ['<<.Series |>> <<print (1 |)>>', 'http_requests_total 1'],
    // %% at a format's end, and a lone % there;
    ['<<printf "%d%%" 5>> <<printf "%d%" 5>>', '5% 5%!(NOVERB)'],
    // a quote in a comment, and a trim after a comment, which trims only what is after it;
    ['<<- /* " */ ->>x', 'x'],
    ['a <</* c */>><<- /* c */ ->> b', 'a b'],
    // range's `$i, $v =` left at the last element; `range $e, $list` as `range $e := $list`;
    ['<<$i := 9>><<$v := 9>><<range $i, $v = .GroupBySlice>><<end>><<$i>>,<<$v>>', '1,container'],
    ['<<range $e, $.GroupBySlice>>[<<$e>>]<<end>>', '[pod][container]'],
    // a slice, a map and the data formatted element by element;
    [
      '<<printf "%d|%t|%d" .LabelValuesByName .GroupBySlice .LabelValuesByName.nope>>',
      'map[%!d(string=namespace):%!d(string=ns) %!d(string=pod):%!d(string=a|b)]|[%!t(string=pod) %!t(string=container)]|%!d(<nil>)',
    ],
    [
      '<<printf "%d" $>>',
      '{%!d(string=http_requests_total) %!d(string=namespace="ns",pod=~"a|b") map[%!d(string=namespace):%!d(string=ns) %!d(string=pod):%!d(string=a|b)] %!d(string=pod,container) [%!d(string=pod) %!d(string=container)]}',
    ],
    // a variable's name is any letters, digits and _.
    ['<<$0 := 1>><<$0>>', '1'],
    [
      '<<$>>',
      '{http_requests_total namespace="ns",pod=~"a|b" map[namespace:ns pod:a|b] pod,container [pod container]}',
    ],
  ])('renders %j as %j', (text, expected) => {
    expect(compile(text).execute(DATA)).toBe(expected);
  });

  // Go's len of a string counts its UTF-8 bytes: "café" is 5.
  it('takes len of a string in UTF-8 bytes, as Go does', () => {
    const data = { ...DATA, LabelValuesByName: { pod: 'café' } };
    expect(compile('<<len .LabelValuesByName.pod>>').execute(data)).toBe('5');
  });

  // text/template's isTrue: a map or a slice is true when its length is not zero.
  it('takes an empty map and an empty slice as false, as Go does', () => {
    const empty = { ...DATA, LabelValuesByName: {}, GroupBySlice: [] };
    expect(
      compile(
        '<<if .LabelValuesByName>>m<<else>>no m<<end>>,<<with .GroupBySlice>>s<<else>>no s<<end>>,<<and .LabelValuesByName 1>>',
      ).execute(empty),
    ).toBe('no m,no s,map[]');
    expect(compile('<<if .LabelValuesByName>>m<<end>>').execute(DATA)).toBe('m');
  });

  // index of a string is a byte, Go's uint8: a number to eq, lt, range and index, a uint8 to printf.
  it('takes a byte of a string as Go takes a uint8', () => {
    const data = { ...DATA, Series: 'a\u0003\u0002\u0001', GroupBySlice: ['x', 'y'] };
    expect(
      compile(
        '<<$b := index .Series 1>><<printf "%d %v %s|" $b $b $b>><<print $b $b>>|<<eq $b 3>> <<lt $b 200>>|<<$i := 0>><<range index .Series 1>><<$i = .>><<end>><<printf "%v %d" $i $i>>|<<index .GroupBySlice (index .Series 3)>>',
      ).execute(data),
    ).toBe('3 3 %!s(uint8=3)|3 3|true true|2 2|y');
  });

  // Go's walkRange: a range's variables hold the whole value until it iterates, so an else sees it.
  it('gives a range that does not iterate its variables as the value it ranged over, as Go does', () => {
    const empty = { ...DATA, LabelValuesByName: {}, GroupBySlice: [] };
    expect(
      compile('<<range $i, $v := .GroupBySlice>>x<<else>>[<<$i>>|<<$v>>]<<end>>').execute(empty),
    ).toBe('[[]|[]]');
    expect(
      compile('<<$i := 9>><<$v := 9>><<range $i, $v = .GroupBySlice>><<end>><<$i>>,<<$v>>').execute(
        empty,
      ),
    ).toBe('[],[]');
  });

  it.each([
    ['<<index .GroupBySlice 5>>', 'index out of range: 5'],
    ['<<eq .Series 1>>', 'incompatible types for comparison'],
    ['<<lt true false>>', 'invalid type for comparison'],
    ['<<range .Series>>x<<end>>', "range can't iterate over http_requests_total"],
    ['<<range $i, $e := 2>>x<<end>>', "can't use 2 to iterate over more than one variable"],
    ['<<nil>>', 'nil is not a command'],
    ['<<with .GroupBySlice>><<.Foo>><<end>>', "can't evaluate field Foo in type []string"],
  ])('fails %j when it runs, as Go does: %s', (text, message) => {
    const template = compile(text);
    expect(() => template.execute(DATA)).toThrow(TemplateError);
    expect(() => template.execute(DATA)).toThrow(message);
  });

  it.each([
    ['<<.Series.Foo>>', '.Series has no field .Foo'],
    ['<<break>>', 'break outside of range'],
    ['<<if .Series>>x', 'unexpected EOF'],
    ['<<end>>', 'unexpected <<end>>'],
    ['<<else>>', 'unexpected <<else>>'],
    ['<<$x>>', 'undefined variable: $x'],
    ['<<$x = 1>>', 'undefined variable: $x'],
    // Operands apart, names ended as Go's lexer ends them (the oracle test found these):
    ['<<print "a""b">>', 'unexpected "b" in operand'],
    ['<<print 1"b">>', 'unexpected "b" in operand'],
    ['<<print(1)>>', 'unexpected "(" in operand'],
    ['<<..Series>>', 'unexpected .Series in operand'],
    ['<<not"a">>', 'bad character "\\"" after "not"'],
    ['<<with+3>>x<<end>>', 'bad character "+" after "with"'],
    ['<<.Series | | print>>', 'missing command after |'],
  ])('refuses %j when it is read, as Go does (or would at each request): %s', (text, message) => {
    expect(() => compile(text)).toThrow(TemplateError);
    expect(() => compile(text)).toThrow(message);
  });

  it.each([
    ['<<printf "%q" .Series>>', 'printf verb %q is not supported here'],
    ['<<template "x">>', 'template is not supported here'],
    ['<<slice .Series 1>>', 'slice is not supported here'],
    ["<<'a'>>", 'character constants are not supported here'],
    ['<<1.5>>', 'number "1.5" is not supported here'],
  ])('refuses %j, which Go runs and this adapter does not: %s', (text, message) => {
    expect(() => compile(text)).toThrow(TemplateError);
    expect(() => compile(text)).toThrow(message);
  });

  it('answers any text with a template or a TemplateError, never another exception', () => {
    const word = fc.constantFrom(
      '<<',
      '>>',
      '-',
      ' ',
      '.',
      '$',
      '$x',
      ':=',
      '=',
      '|',
      '(',
      ')',
      ',',
      '"a"',
      '`b`',
      '0',
      '-1',
      'if',
      'else',
      'end',
      'range',
      'with',
      'break',
      'continue',
      'and',
      'or',
      'not',
      'len',
      'index',
      'eq',
      'lt',
      'print',
      'printf',
      '"%s"',
      'nil',
      'true',
      '.Series',
      '.GroupBySlice',
      '.LabelValuesByName',
      '.LabelValuesByName.pod',
      'x',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 24 }), (words) => {
        try {
          compile(words.join('')).execute(DATA);
          return true;
        } catch (err) {
          return err instanceof TemplateError;
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
