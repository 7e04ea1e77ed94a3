import fc from 'fast-check';
import { assertLabelName, assertMetricName, labelNameProblem, metricNameProblem } from './names';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const chars = (s: string) => fc.constantFrom(...s.split(''));

describe('metric names', () => {
  it.each([
    'up',
    'http_requests_total',
    'DCGM_FI_DEV_GPU_UTIL',
    'job:http_requests:rate5m',
    '_private',
    ':leading_colon',
    'node_memory_MemTotal_bytes',
  ])('accepts %s', (name) => {
    expect(metricNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['1st_metric', 'first character "1"'],
    ['http-requests', 'character 5 "-"'],
    ['cpu usage', 'character 4 " "'],
    ['métrique', 'character 2 "é"'],
    ['requests{}', 'character 9 "{"'],
    // OpenTelemetry's dotted names are no classic Prometheus names.
    ['http.server.duration', 'character 5 "."'],
  ])('rejects %j and says why (%s)', (name, why) => {
    expect(metricNameProblem(name)).toContain(why);
    expect(() => assertMetricName(name)).toThrow(`invalid metric name ${JSON.stringify(name)}`);
  });

  it('accepts every name built from the grammar [a-zA-Z_:][a-zA-Z0-9_:]*', () => {
    const name = fc
      .tuple(chars(LETTERS + '_:'), fc.array(chars(LETTERS + DIGITS + '_:'), { maxLength: 40 }))
      .map(([first, rest]) => first + rest.join(''));
    fc.assert(
      fc.property(name, (n) => metricNameProblem(n) === undefined),
      { numRuns: 2000 },
    );
  });

  it('rejects a name with any character outside the grammar, naming that character', () => {
    const bad = fc
      .string({ minLength: 1, maxLength: 1, unit: 'binary' })
      .filter((c) => !/^[a-zA-Z0-9_:]$/.test(c));
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }).map((s) => s.replace(/[^a-z]/g, 'a')),
        bad,
        (prefix, c) => {
          const problem = metricNameProblem(`a${prefix}${c}`);
          return problem !== undefined && problem.includes(JSON.stringify(c));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('label names', () => {
  it.each(['service', 'le', 'UUID', 'exported_pod', '_x', 'label_app_kubernetes_io_name'])(
    'accepts %s',
    (name) => {
      expect(labelNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ['', 'must not be empty'],
    ['__name__', 'reserved for Prometheus'],
    ['9lives', 'first character "9"'],
    ['app.kubernetes.io/name', 'character 4 "."'],
    ['job:rate', 'character 4 ":"'],
  ])('rejects %j and says why (%s)', (name, why) => {
    expect(labelNameProblem(name)).toContain(why);
  });

  it('names the metric a bad label belongs to', () => {
    expect(() => assertLabelName('bad-label', 'http_requests_total')).toThrow(
      'invalid label name "bad-label" of metric "http_requests_total": character 4 "-" is not allowed',
    );
  });

  it('rejects every name with a character outside [a-zA-Z0-9_]', () => {
    const bad = fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/^[a-zA-Z0-9_]$/.test(c));
    fc.assert(
      fc.property(bad, fc.nat({ max: 8 }), (c, at) => {
        const name = 'abcdefgh'.slice(0, at) + c + 'xyz';
        return labelNameProblem(name) !== undefined;
      }),
      { numRuns: 2000 },
    );
  });
});
