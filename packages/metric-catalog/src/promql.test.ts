import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { catalog } from './catalog';
import { defineMetric, type MetricDefinition } from './definition';
import { by, dcgmWorkload, eq, histogramSelector, neq, nre, quote, re, selector } from './promql';

const { httpRequests, httpRequestDuration, websocketConnections } = catalog.platform;

/** Parses with Prometheus' own grammar; returns the names of error nodes (none when valid). */
function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`error at ${node.from}: ${expr.slice(node.from, node.to + 5)}`);
    },
  });
  return errors;
}

describe('selector', () => {
  it('writes a bare name when there are no matchers', () => {
    expect(selector(websocketConnections)).toBe('websocket_connections');
  });

  it('writes each kind of matcher', () => {
    expect(
      selector(httpRequests, {
        service: 'api-gateway',
        code: re('5..'),
        method: neq('OPTIONS'),
        route: nre('/health.*'),
        namespace: eq('platform'),
      }),
    ).toBe(
      'http_requests_total{service="api-gateway", code=~"5..", method!="OPTIONS", route!~"/health.*", namespace="platform"}',
    );
  });

  it('escapes quotes, backslashes and newlines in values', () => {
    expect(selector(httpRequests, { route: 'a"b\\c\nd' })).toBe(
      'http_requests_total{route="a\\"b\\\\c\\nd"}',
    );
  });

  it('skips labels given as undefined', () => {
    expect(selector(httpRequests, { service: undefined, code: '200' })).toBe(
      'http_requests_total{code="200"}',
    );
  });

  it('rejects at run time a label the metric does not declare, naming it', () => {
    const untyped = selector as (d: MetricDefinition, m: Record<string, string>) => string;
    expect(() => untyped(websocketConnections, { queue: 'render' })).toThrow(
      'label "queue" is not declared by metric "websocket_connections"',
    );
  });

  it('produces valid PromQL for any label values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'grapheme' }), (a, b) => {
        const expr = selector(httpRequests, { service: a, route: re(b) });
        return promqlErrors(expr).length === 0;
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips values through PromQL string syntax', () => {
    // For \\, \", \n and \uFFFD, PromQL's Go escapes and JSON's are the same, so JSON.parse is
    // an independent reader (other control characters are not escaped: JSON would refuse them
    // raw). A lone surrogate reads back as U+FFFD, as its UTF-8 (Buffer's) is written.
    const text = fc
      .string({ unit: 'binary' })
      .filter((s) => [...s].every((c) => c === '\n' || c.charCodeAt(0) >= 0x20));
    const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
    fc.assert(
      fc.property(text, (s) => JSON.parse(quote(s)) === wellFormed(s)),
      { numRuns: 3000 },
    );
  });

  it('writes values Prometheus itself parses, U+FFFD and lone surrogates too (promtool check rules)', () => {
    // lezer-promql takes a raw U+FFFD; Prometheus' lexer refuses it ("invalid UTF-8 rune"), and a
    // label value holds one where it was cut mid-character.
    const values = [
      'a\uFFFDb',
      'cut at 64 \uD83D',
      '\uDE00 low first',
      'emoji 😀',
      'tab\tcr\r',
      'quote " back \\ nl \n',
      ...fc.sample(fc.string({ unit: 'binary', maxLength: 20 }), { numRuns: 200, seed: 7 }),
    ];
    const rules = values.map((v, i) => ({
      record: `beacon:quoted_${i}`,
      expr: selector(httpRequests, { service: v, route: re(v) }),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'beacon-promql-'));
    try {
      const file = join(dir, 'quoted.rules.yml');
      // JSON is YAML: each expression written as one JSON string.
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'quoted', rules }] }));
      const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      if (run.error)
        throw new Error(
          `promtool could not be run (${run.error.message}); install it with apt-get install prometheus (npm test's setup does)`,
        );
      expect([run.status, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toContain(`SUCCESS: ${values.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('histogramSelector', () => {
  it('selects buckets, which may be matched on le', () => {
    expect(
      histogramSelector(httpRequestDuration, 'bucket', { service: 'api-gateway', le: '0.5' }),
    ).toBe('http_request_duration_seconds_bucket{service="api-gateway", le="0.5"}');
  });

  it('selects _sum and _count', () => {
    expect(histogramSelector(httpRequestDuration, 'count')).toBe(
      'http_request_duration_seconds_count',
    );
    expect(histogramSelector(httpRequestDuration, 'sum', { route: '/api' })).toBe(
      'http_request_duration_seconds_sum{route="/api"}',
    );
  });

  it('refuses a metric that is not a histogram', () => {
    const untyped = histogramSelector as (d: MetricDefinition, s: string) => string;
    expect(() => untyped(httpRequests, 'bucket')).toThrow(
      '"http_requests_total" is a counter, not a histogram',
    );
  });
});

describe('by', () => {
  it('lists grouping labels, le included for histograms', () => {
    expect(by(httpRequestDuration, ['service', 'le'])).toBe('by (service, le)');
  });

  it('rejects at run time a label the metric lacks', () => {
    const untyped = by as (d: MetricDefinition, l: string[]) => string;
    expect(() => untyped(websocketConnections, ['le'])).toThrow('cannot group by "le"');
  });

  // A summary's quantiles are series `<basename>{quantile="<φ>"}` (Prometheus docs, metric types).
  it('lets a summary be grouped by quantile, as its series carry that label', () => {
    const gcPause = defineMetric({
      name: 'widget_gc_pause_seconds',
      type: 'summary',
      help: 'GC pauses.',
      unit: 'seconds',
      labels: ['service'],
      exporter: 'platform-service',
    });
    expect(by(gcPause, ['service', 'quantile'])).toBe('by (service, quantile)');
  });

  it('builds expressions Prometheus parses', () => {
    const expr = `histogram_quantile(0.95, sum ${by(httpRequestDuration, ['service', 'le'])} (rate(${histogramSelector(httpRequestDuration, 'bucket', { namespace: 'platform' })}[5m])))`;
    expect(promqlErrors(expr)).toEqual([]);
  });
});

describe('dcgmWorkload', () => {
  it("reads the GPU's pod from exported_* or, scraped with honor_labels, from its own labels", () => {
    expect(dcgmWorkload(catalog.dcgmExporter.gpuUtilization, re('$namespace'))).toBe(
      '(DCGM_FI_DEV_GPU_UTIL{exported_namespace=~"$namespace"} or ' +
        'label_replace(label_replace(label_replace(' +
        'DCGM_FI_DEV_GPU_UTIL{exported_namespace="", namespace=~"$namespace"}, ' +
        '"exported_namespace", "$1", "namespace", "(.*)"), ' +
        '"exported_pod", "$1", "pod", "(.*)"), ' +
        '"exported_container", "$1", "container", "(.*)"))',
    );
  });

  it('refuses a metric of another exporter', () => {
    expect(() => dcgmWorkload(catalog.platform.websocketConnections, 'platform')).toThrow(
      'dcgmWorkload: websocket_connections is not a DCGM exporter metric',
    );
  });
});
