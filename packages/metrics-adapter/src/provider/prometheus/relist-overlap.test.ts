// A relist asked for while one is in flight (main.ts retries every 5 s until the first one lands;
// the relist interval may be shorter than a large cluster's listing) joins it rather than listing
// every series again beside it, as upstream's lister, run by wait.Until, never overlaps itself.
import { createPrometheusProvider } from './provider';
import { parseAdapterConfig } from './config';

const config = parseAdapterConfig(
  `
rules:
- seriesQuery: '{__name__=~"^container_.*",namespace!="",pod!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^container_(.*)$"}
- seriesQuery: '{namespace!="",__name__!~"^container_.*"}'
  resources: {template: "<<.Resource>>"}
  name: {matches: ""}
`,
  'overlap.yaml',
);

describe('relist', () => {
  it('joins the relist in flight instead of listing the series again beside it', async () => {
    const asked: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const provider = createPrometheusProvider({
      client: {
        query: () => Promise.reject(new Error('not used')),
        series: async ([query]) => {
          asked.push(query as string);
          await held;
          return [{ __name__: 'container_memory_bytes', namespace: 'ns', pod: 'p' }];
        },
      },
      config,
      lister: { names: async () => new Set() },
      relistIntervalMs: 60_000,
      maxAgeMs: 1,
      cacheTtlMs: 1,
    });
    const first = provider.relist();
    const second = provider.relist(); // the 5 s retry, the first relist still listing
    release();
    await Promise.all([first, second]);
    // Two distinct seriesQuery: two calls, once each.
    expect(asked).toHaveLength(2);
    expect(provider.ready()).toBe(true);
    // Once it has landed, a relist lists again.
    await provider.relist();
    expect(asked).toHaveLength(4);
  });
});
