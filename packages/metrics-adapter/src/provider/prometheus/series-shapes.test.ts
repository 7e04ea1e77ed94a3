// Series discovery at a large cluster's scale: what a relist keeps of the series Prometheus lists.
// A table is built from each series' name and label names alone, so the lists and the relist grace
// hold one series per shape, not one per pod (20,000 pods: ~500,000 series, ~210 MiB of heap).
import { distinctShapes, listSeries, SeriesGrace } from './discovery';
import { parseAdapterConfig } from './config';
import type { PrometheusClient } from './client';

const QUERY = '{namespace!="",pod!=""}';
const { rules } = parseAdapterConfig(
  `
rules:
- seriesQuery: '${QUERY}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^(.*)_bytes$"}
`,
  'shapes.yaml',
);

/** `count` pods' series of `name`, as /api/v1/series lists them (labels sorted, __name__ first). */
const podSeries = (name: string, count: number, from = 0, extra: Record<string, string> = {}) =>
  Array.from({ length: count }, (_, i) => ({
    __name__: name,
    ...extra,
    namespace: `ns-${(from + i) % 200}`,
    pod: `pod-${from + i}`,
  }));

const answering = (list: Record<string, string>[]): PrometheusClient => ({
  query: () => Promise.reject(new Error('not used')),
  series: async () => list,
});

describe('series discovery keeps one series per shape', () => {
  it('lists one series for each name and set of label names, the last of it listed', async () => {
    const listed = [
      ...podSeries('memory_bytes', 10_000),
      ...podSeries('memory_bytes', 3, 0, { container: 'main' }),
      ...podSeries('rss_bytes', 10_000),
    ];
    const lists = await listSeries(answering(listed), rules, new Date(0));
    // Three shapes: memory_bytes{namespace,pod}, memory_bytes{container,namespace,pod},
    // rss_bytes{namespace,pod}; each the last series of it listed.
    expect(lists.get(QUERY)).toEqual([
      { __name__: 'memory_bytes', namespace: 'ns-199', pod: 'pod-9999' },
      { __name__: 'memory_bytes', container: 'main', namespace: 'ns-2', pod: 'pod-2' },
      { __name__: 'rss_bytes', namespace: 'ns-199', pod: 'pod-9999' },
    ]);
  });

  it('carries no stale pod through the grace when every pod is replaced', () => {
    const grace = new SeriesGrace();
    grace.carry(new Map([[QUERY, podSeries('memory_bytes', 10_000)]]));
    // A rollout replaced every pod: none of the 10,000 series is listed again, one shape is.
    const carried = grace.carry(new Map([[QUERY, podSeries('memory_bytes', 10_000, 10_000)]]));
    expect(carried.get(QUERY)).toEqual([
      { __name__: 'memory_bytes', namespace: 'ns-199', pod: 'pod-19999' },
    ]);
  });
});

describe('distinctShapes', () => {
  it('gives the event loop a turn every 20,000 series', async () => {
    const pause = jest.fn(async () => undefined);
    const shapes = await distinctShapes(podSeries('memory_bytes', 50_000), pause);
    expect(shapes).toEqual([{ __name__: 'memory_bytes', namespace: 'ns-199', pod: 'pod-49999' }]);
    expect(pause).toHaveBeenCalledTimes(2);
  });
});
