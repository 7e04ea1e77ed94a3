// Prometheus naming rules (https://prometheus.io/docs/concepts/data_model/):
//   metric names  [a-zA-Z_:][a-zA-Z0-9_:]*
//   label names   [a-zA-Z_][a-zA-Z0-9_]*, and names starting with "__" are reserved.
// Checks return a problem description (or undefined) so callers can add their own subject.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function firstBadChar(value: string, first: RegExp, rest: RegExp): string | undefined {
  const chars = [...value];
  const i = chars.findIndex((c, idx) => !(idx === 0 ? first : rest).test(c));
  if (i < 0) return undefined;
  const where = i === 0 ? 'first character' : `character ${i + 1}`;
  return `${where} ${JSON.stringify(chars[i])} is not allowed`;
}

/** Why `name` is not a valid Prometheus metric name, or undefined when it is. */
export function metricNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (METRIC_NAME.test(name)) return undefined;
  const why = firstBadChar(name, /[a-zA-Z_:]/, /[a-zA-Z0-9_:]/);
  return `${why ?? 'is not allowed'} (must match [a-zA-Z_:][a-zA-Z0-9_:]*)`;
}

/** Why `name` is not a valid Prometheus label name, or undefined when it is. */
export function labelNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.startsWith('__')) return 'names starting with "__" are reserved for Prometheus';
  if (LABEL_NAME.test(name)) return undefined;
  const why = firstBadChar(name, /[a-zA-Z_]/, /[a-zA-Z0-9_]/);
  return `${why ?? 'is not allowed'} (must match [a-zA-Z_][a-zA-Z0-9_]*)`;
}

export function assertMetricName(name: string): void {
  const problem = metricNameProblem(name);
  if (problem) throw new Error(`invalid metric name ${JSON.stringify(name)}: ${problem}`);
}

export function assertLabelName(name: string, metric?: string): void {
  const problem = labelNameProblem(name);
  if (problem) {
    const of = metric ? ` of metric ${JSON.stringify(metric)}` : '';
    throw new Error(`invalid label name ${JSON.stringify(name)}${of}: ${problem}`);
  }
}
