// go-template-engine.ts against Go's text/template itself: random metricsQuery templates, built
// by a grammar here (not by the engine), some of them mutated a character at a time, are run by
// Go (testdata/template-oracle, run with `go run`, set up as prometheus-adapter sets up a
// metricsQuery) and by compileGoTemplate, on the data prometheus-adapter would give them. Both
// must parse a template or both refuse it; both must run it or both fail; and what they write
// must be the same. The e2e suite needs Go too; without it this test fails, naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from '../../testing/go-oracle';
import { oneCharOff } from '../../testing/near-miss';
import { METRICS_QUERY_FIELDS } from './config';
import { TemplateError, type TemplateValue } from './go-template';
import { compileGoTemplate, type GoTemplate } from './go-template-engine';

interface Data {
  Series: string;
  LabelMatchers: string;
  LabelValuesByName: Record<string, string>;
  GroupBy: string;
  GroupBySlice: string[];
}
interface Answer {
  parse?: string;
  exec?: string;
  out?: string;
}

function askGo(questions: { template: string; data: Data }[]): Answer[] {
  const dir = join(__dirname, 'testdata', 'template-oracle');
  return askGoOracle('the Go text/template oracle', dir, questions);
}

// The data upstream's Build gives a query: for two pods; for none (an external metric with no
// selector: no matchers, no values, nothing to group by); for two queues.
const DATA: readonly Data[] = [
  {
    Series: 'http_requests_total',
    LabelMatchers: 'namespace="ns",pod=~"a|b"',
    LabelValuesByName: { pod: 'a|b', namespace: 'ns' },
    GroupBy: 'pod,container',
    GroupBySlice: ['pod', 'container'],
  },
  {
    Series: 'queue_length',
    LabelMatchers: '',
    LabelValuesByName: {},
    GroupBy: '',
    GroupBySlice: [],
  },
  // An external metric's, with a value past ASCII (len and index count UTF-8 bytes).
  {
    Series: 'jobs_queue_length',
    LabelMatchers: 'queue=~"emails|café"',
    LabelValuesByName: { queue: 'emails|café' },
    GroupBy: 'queue',
    GroupBySlice: ['queue'],
  },
];

// A grammar of the text/template subset the engine takes (its header lists it): what a
// metricsQuery author writes, and the corners around it.
const value = fc.constantFrom(
  '.',
  '.Series',
  '.LabelMatchers',
  '.GroupBy',
  '.GroupBySlice',
  '.LabelValuesByName',
  '.LabelValuesByName.pod',
  '.LabelValuesByName.queue',
  '$',
  '$.Series',
  '$.GroupBySlice',
  '$.LabelValuesByName',
  '$.LabelValuesByName.namespace',
  '(index .LabelValuesByName.queue 9)',
  '(index .LabelValuesByName "queue")',
  '(index $.GroupBySlice 1)',
  '.LabelValuesByName.nope',
  '$x.nope',
  '(len .GroupBySlice)',
  '"é"',
  '"\\u00e9\\x41"',
  '`a\nb`',
  '-0',
  '(print)',
  '(and)',
  '$x',
  '$x.pod',
  '$i',
  '$v',
  '"a"',
  '""',
  '"pod"',
  '"%s"',
  '"%v|%d"',
  '"%t%%"',
  '"%s-%s"',
  '"%d%"',
  '`r`',
  '"a\\tb"',
  '0',
  '1',
  '-1',
  '2',
  '+3',
  'true',
  'false',
  'nil',
);
// Go's builtins that the engine runs, named here rather than taken from the engine under test.
const FUNCS = [
  'and',
  'or',
  'not',
  'len',
  'index',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'print',
  'println',
  'printf',
];
const func = fc.constantFrom(...FUNCS);
const text = fc.constantFrom('', 'x', ' ', '\n', ' a ', 'sum(', ')', '{', ',');

const { template } = fc.letrec<{
  operand: string;
  command: string;
  pipeline: string;
  node: string;
  template: string;
}>((tie) => ({
  operand: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    value,
    value,
    value,
    tie('pipeline').map((p) => `(${p})`),
    tie('pipeline').map((p) => `(${p}).pod`),
  ),
  command: fc.oneof(
    tie('operand'),
    fc
      .tuple(func, fc.array(tie('operand'), { maxLength: 3 }))
      .map(([f, args]) => [f, ...args].join(' ')),
  ),
  pipeline: fc
    .tuple(
      fc.constantFrom('', '', '', '$x := ', '$x = ', '$v := '),
      tie('command'),
      fc.array(
        fc
          .tuple(func, fc.array(tie('operand'), { maxLength: 2 }))
          .map(([f, args]) => [f, ...args].join(' ')),
        { maxLength: 2 },
      ),
    )
    .map(([decl, first, rest]) => decl + [first, ...rest].join(' | ')),
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    text,
    tie('pipeline').map((p) => `<<${p}>>`),
    fc
      .tuple(fc.constantFrom('<<- ', '<<'), tie('pipeline'), fc.constantFrom(' ->>', '>>'))
      .map(([l, p, r]) => l + p + r),
    fc.constantFrom('<</* c */>>', '<<- /* c */ ->>', '<<-3>>', '<<- /* " */ ->>'),
    fc
      .tuple(
        fc.constantFrom('if', 'with'),
        tie('pipeline'),
        tie('template'),
        fc.option(
          fc.oneof(
            tie('template').map((t) => `<<else>>${t}`),
            fc
              .tuple(fc.constantFrom('if', 'with'), tie('pipeline'), tie('template'))
              .map(([k, p, t]) => `<<else ${k} ${p}>>${t}`),
          ),
          { nil: '' },
        ),
      )
      .map(([k, p, t, e]) => `<<${k} ${p}>>${t}${e}<<end>>`),
    fc
      .tuple(
        fc.constantFrom('', '', '$v := ', '$i, $v := ', '$i, $v = '),
        fc.oneof(
          fc.constantFrom(
            '.GroupBySlice',
            '.LabelValuesByName',
            '$.GroupBySlice',
            '3',
            '0',
            '-2',
            '.Series',
            'nil',
          ),
          tie('pipeline'),
        ),
        tie('template'),
        fc.constantFrom('', '', '<<break>>', '<<continue>>', '<<if $v>><<break>><<end>>'),
        tie('template'),
        fc.option(
          tie('template').map((t) => `<<else>>${t}`),
          { nil: '' },
        ),
      )
      .map(([decl, p, t, stop, u, e]) => `<<range ${decl}${p}>>${t}${stop}${u}${e}<<end>>`),
  ),
  template: fc.array(tie('node'), { maxLength: 4 }).map((nodes) => nodes.join('')),
}));

const PRELUDES = [
  '',
  '<<$x := .LabelValuesByName>>',
  '<<$x := 2>><<$v := .Series>>',
  '<<$x := .GroupBySlice>><<$i := 0>><<$v := "pod">>',
];

/** A template one character off: a near miss of the grammar. */
const mutated = oneCharOff(
  template,
  fc.constantFrom(
    ...['<', '>', '(', ')', '|', '$', '.', '-', '+', '"', '`', ' ', '\t', '\n', ':', '='],
    ...[',', 'x', '/', '*', '%', '0'],
  ),
);

// Where the engine refuses a template that Go parses, it is one it refuses by design, when the
// config is read rather than at each request: an action sure to fail whenever it runs (a field
// of a string or one the data lacks, an argument given to a value, a value piped into one, an
// index of the data's own field by a constant of the wrong type, a variable used in its own
// declaration or assigned before any declaration of it), or what its header lists as not
// supported (define, character and float constants, printf's other verbs, …). Go fails each
// when it runs, and only then: where the action sits in a branch not taken, Go writes the rest.
const REFUSED_EARLY = [
  /has no field/,
  /takes no arguments/,
  /only a function can take the value piped into it/,
  /can only pipe into a function/,
  /index takes a map field and a quoted key/,
  /does not exist/,
  /undefined variable/,
  /is not supported here/,
];

/** What a template came to: refused when read, failed when run, or what it wrote. */
type Outcome = { parse: string } | { exec: string } | { out: string };

/**
 * Whether the engine refused a template by design: as REFUSED_EARLY says, or, run, a printf
 * format built at run time with what it does not support (`printf (print "%5d")`).
 */
const byDesign = (o: Outcome) =>
  'parse' in o
    ? REFUSED_EARLY.some((r) => r.test(o.parse))
    : 'exec' in o && /is not supported here/.test(o.exec);

function runOurs(source: string, data: Data): Outcome {
  let compiled: GoTemplate;
  try {
    compiled = compileGoTemplate(source, METRICS_QUERY_FIELDS);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { parse: err.message };
  }
  try {
    return { out: compiled.execute(data as unknown as Record<string, TemplateValue>) };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { exec: err.message };
  }
}

const outcomeOf = (a: Answer): Outcome =>
  a.parse !== undefined
    ? { parse: a.parse }
    : a.exec !== undefined
      ? { exec: a.exec }
      : { out: a.out as string };

/** The outcome without its error text: Go's and the engine's words differ. */
const shape = (o: Outcome) => ('out' in o ? o : 'parse' in o ? 'refused' : 'failed');

describe("compileGoTemplate against Go's text/template", () => {
  it('parses, runs and writes what Go does, for 5,000 random templates', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const questions = fc.sample(
      fc.record({
        // Most with a variable or two declared first, which the grammar's operands use.
        template: fc
          .tuple(fc.constantFrom(...PRELUDES), fc.oneof(template, template, mutated))
          .map(([prelude, t]) => prelude + t),
        data: fc.constantFrom(...DATA),
      }),
      { numRuns: 5_000, seed },
    );
    const answers = askGo(questions);
    const differ: unknown[] = [];
    const seen = { written: 0, failed: 0, refused: 0, byDesign: 0 };
    for (const [i, q] of questions.entries()) {
      const go = outcomeOf(answers[i] as Answer);
      const ours = runOurs(q.template, q.data);
      if (byDesign(ours) && !('parse' in go)) {
        seen.byDesign++;
        continue;
      }
      if (JSON.stringify(shape(ours)) !== JSON.stringify(shape(go))) {
        differ.push({ template: q.template, series: q.data.Series, go, ours });
        continue;
      }
      if ('out' in go) seen.written++;
      else if ('exec' in go) seen.failed++;
      else seen.refused++;
    }
    expect({ seed, differ: differ.slice(0, 20) }).toEqual({ seed, differ: [] });
    // The grammar reaches each outcome often enough for the comparison to mean something.
    expect(seen.written).toBeGreaterThan(1_000);
    expect(seen.failed).toBeGreaterThan(200);
    expect(seen.refused).toBeGreaterThan(200);
    // …and the refusals by design stay what they are, few.
    expect(seen.byDesign).toBeLessThan(500);
  });
});
