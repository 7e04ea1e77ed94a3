import { defineMetric, definitionProblems, type MetricDefinition } from './definition';

const valid = {
  name: 'widgets_made_total',
  type: 'counter',
  help: 'Widgets made.',
  unit: 'count',
  labels: ['color'],
  exporter: 'platform-service',
} as const;

describe('defineMetric', () => {
  it('keeps what it was given and freezes it', () => {
    const def = defineMetric(valid);
    expect(def).toMatchObject({ name: 'widgets_made_total', labels: ['color'], targetLabels: [] });
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.labels)).toBe(true);
  });

  it.each<[string, Partial<MetricDefinition>, string]>([
    [
      'a bad metric name',
      { name: 'widgets-made_total' },
      'invalid metric name "widgets-made_total"',
    ],
    ['a bad label name', { labels: ['col-or'] }, 'invalid label name "col-or" of metric'],
    ['a reserved label', { labels: ['__meta'] }, 'reserved for Prometheus'],
    [
      'a label declared twice',
      { labels: ['job'], targetLabels: ['job'] },
      'label "job" is declared twice',
    ],
    ['empty help', { help: '  ' }, 'help must not be empty'],
    ['a counter without _total', { name: 'widgets_made' }, 'counter names end in "_total"'],
    [
      'a gauge with _total',
      { type: 'gauge', name: 'widgets_total' },
      'only counters end in "_total"',
    ],
    [
      'a colon in our own metric',
      { name: 'widgets:made_total' },
      'colons are reserved for recording rules',
    ],
    [
      'seconds without the suffix',
      { type: 'gauge', name: 'widget_age', unit: 'seconds' },
      'ends in "_seconds"',
    ],
    ['a reserved suffix', { type: 'gauge', name: 'widget_count' }, 'suffix "_count" is reserved'],
    [
      '"le" on a histogram',
      { type: 'histogram', name: 'widget_size_bytes', unit: 'bytes', labels: ['le'] },
      '"le" is reserved',
    ],
    [
      '"quantile" on a summary',
      { type: 'summary', name: 'widget_size_bytes', unit: 'bytes', labels: ['quantile'] },
      '"quantile" is reserved',
    ],
    [
      'buckets on a gauge',
      { type: 'gauge', name: 'widgets', buckets: [1, 2] },
      'only histograms have buckets',
    ],
    [
      'unsorted buckets',
      { type: 'histogram', name: 'widget_size_bytes', unit: 'bytes', buckets: [2, 1] },
      'strictly increasing',
    ],
    [
      'an empty bucket list',
      { type: 'histogram', name: 'widget_size_bytes', unit: 'bytes', buckets: [] },
      'buckets must be non-empty',
    ],
    [
      'values of a label it does not have',
      { values: { shade: ['dark'] } } as Partial<MetricDefinition>,
      'values are given for "shade", not one of its labels',
    ],
    [
      'no values for a label',
      { values: { color: [] } } as Partial<MetricDefinition>,
      'the values of "color" must be non-empty and distinct',
    ],
    [
      'a value twice',
      { values: { color: ['red', 'red'] } } as Partial<MetricDefinition>,
      'the values of "color" must be non-empty and distinct',
    ],
  ])('rejects %s, naming the problem', (_what, change, message) => {
    const def = { ...valid, targetLabels: [], ...change } as MetricDefinition;
    expect(definitionProblems(def).join('\n')).toContain(message);
    expect(() => defineMetric(def as never)).toThrow(message);
  });

  it('takes exporters\u2019 names as they are (no _total, upper case, unit not in the name)', () => {
    const dcgm = {
      ...valid,
      name: 'DCGM_FI_DEV_FB_USED',
      type: 'gauge',
      unit: 'mebibytes',
      exporter: 'dcgm-exporter',
      targetLabels: [],
    } as const;
    const pg = {
      ...valid,
      name: 'pg_stat_database_blks_hit',
      exporter: 'postgres_exporter',
      targetLabels: [],
    } as const;
    expect(definitionProblems(dcgm)).toEqual([]);
    expect(definitionProblems(pg)).toEqual([]);
  });

  it('still applies Prometheus naming rules to exporters', () => {
    const bad = { ...valid, name: 'DCGM-FI', exporter: 'dcgm-exporter', targetLabels: [] } as const;
    expect(definitionProblems(bad)[0]).toContain('invalid metric name "DCGM-FI"');
  });
});
