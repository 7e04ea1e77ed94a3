// PromQL analysis on Prometheus' own grammar (@prometheus-io/lezer-promql): syntax errors,
// the series a query selects, and the range functions it applies to them.
import { parser } from '@prometheus-io/lezer-promql';

export interface RangeCall {
  /** `rate`, `irate`, `increase`, or `changes` or `resets` (counts of events, like increase). */
  fn: string;
  /** Series name the function is applied to, when its argument is a plain range selector. */
  series?: string;
  /** The range window as written, e.g. `$__rate_interval` or `5m`. */
  window: string;
}

export interface LabelMatcher {
  name: string;
  /** `=`, `!=`, `=~` or `!~`. */
  op: string;
  /** The value as written between the quotes (variables not substituted). */
  value: string;
}

export interface Selector {
  /** Series name, when the selector names one. */
  series?: string;
  matchers: LabelMatcher[];
}

export interface PromqlAnalysis {
  /** One line per syntax error; empty when the expression parses. */
  errors: string[];
  /** Series names the expression selects, in order of appearance. */
  series: string[];
  /** Every vector selector with its label matchers, in order of appearance. */
  selectors: Selector[];
  rangeCalls: RangeCall[];
}

/** Grafana variable references: `$name`, `${name}`, `${name:fmt}`, `[[name]]`. */
export const VARIABLE_REF = /\$\{(\w+)(?:[.:][^}]*)?\}|\$(\w+)|\[\[(\w+)(?:[.:][^\]]*)?\]\]/g;

/**
 * The names of the variables `text` refers to. A name of digits alone is no variable of these
 * dashboards but a capture group of label_replace's replacement (`"$1"`), which Grafana leaves as
 * written, as it leaves every reference to a variable the dashboard does not define.
 */
export function variableRefs(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(VARIABLE_REF)) {
    const name = (m[1] ?? m[2] ?? m[3]) as string;
    if (!/^\d+$/.test(name)) names.push(name);
  }
  return names;
}

/**
 * Replaces each variable reference with a duration literal of the same length (`$x` → `9s`), so
 * the result parses wherever Grafana would substitute a duration or a string, and every position
 * in the parse tree still points at the same text in `expr`.
 */
export function substituteVariables(expr: string): string {
  return expr.replace(VARIABLE_REF, (ref) => '9'.repeat(ref.length - 1) + 's');
}

/**
 * The range functions whose window promql/rate-interval checks: per-second rates, and counts of
 * events per window (increase, and changes/resets, which count value changes and counter resets).
 */
const RANGE_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'changes', 'resets']);

export function analyzePromql(expr: string): PromqlAnalysis {
  const text = substituteVariables(expr);
  const result: PromqlAnalysis = { errors: [], series: [], selectors: [], rangeCalls: [] };
  if (text.trim() === '') {
    result.errors.push('empty expression');
    return result;
  }
  parser.parse(text).iterate({
    enter: (ref) => {
      const node = ref.node;
      if (node.type.isError) {
        result.errors.push(
          `syntax error at offset ${node.from} near ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`,
        );
        return;
      }
      if (node.name === 'VectorSelector') {
        const id = node.getChild('Identifier');
        const selector: Selector = { matchers: [] };
        if (id) {
          selector.series = text.slice(id.from, id.to);
          result.series.push(selector.series);
        }
        const matchers = node.getChild('LabelMatchers');
        for (const m of matchers ? matchers.getChildren('UnquotedLabelMatcher') : []) {
          const name = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (!name || !op || !value) continue;
          selector.matchers.push({
            name: text.slice(name.from, name.to),
            op: text.slice(op.from, op.to),
            // Original text, so variable references survive; quotes stripped.
            value: expr.slice(value.from + 1, value.to - 1),
          });
        }
        result.selectors.push(selector);
        return;
      }
      if (node.name === 'FunctionCall') {
        const ident = node.getChild('FunctionIdentifier');
        const fn = ident ? text.slice(ident.from, ident.to) : '';
        if (!RANGE_FUNCTIONS.has(fn)) return;
        const matrix = node.getChild('FunctionCallBody')?.getChild('MatrixSelector');
        if (!matrix) return;
        const id = matrix.getChild('VectorSelector')?.getChild('Identifier');
        const window = matrix.getChild('DurationExpr');
        const call: RangeCall = { fn, window: window ? expr.slice(window.from, window.to) : '' };
        if (id) call.series = text.slice(id.from, id.to);
        result.rangeCalls.push(call);
      }
    },
  });
  return result;
}
