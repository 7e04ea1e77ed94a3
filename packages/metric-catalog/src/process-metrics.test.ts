import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics';

/**
 * How often an idle event loop woke in `ms`: a worker thread (an event loop of its own) loads
 * this module's source, registers the process metrics on a registry of its own when `collect`,
 * and counts its own thread's voluntary context switches (/proc/thread-self/status): each is a
 * time its event loop slept and was woken.
 */
function idleWakeups(collect: boolean, ms: number): Promise<number> {
  const source = join(__dirname, 'process-metrics.ts');
  const script = `
    const fs = require('node:fs');
    const { parentPort } = require('node:worker_threads');
    const swc = require(require.resolve('@swc/core', { paths: [${JSON.stringify(__dirname)}] }));
    require.extensions['.ts'] = (module, filename) => {
      const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
        filename, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      });
      module._compile(code, filename);
    };
    const { Registry } = require(require.resolve('prom-client', { paths: [${JSON.stringify(__dirname)}] }));
    if (${collect}) require(${JSON.stringify(source)}).collectProcessMetrics(new Registry());
    const switches = () =>
      Number(/^voluntary_ctxt_switches:\\s+(\\d+)$/m.exec(fs.readFileSync('/proc/thread-self/status', 'utf8'))[1]);
    // A first second to settle (compilation, the first collections), then the idle span.
    setTimeout(() => {
      const before = switches();
      setTimeout(() => parentPort.postMessage(switches() - before), ${ms});
    }, 1000);
  `;
  const worker = new Worker(script, { eval: true });
  return new Promise<number>((resolve, reject) => {
    worker.once('message', (n: number) => {
      resolve(n);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('collectProcessMetrics', () => {
  it('serves the runtime metrics with no gauge named as a counter', async () => {
    const registry = new Registry();
    collectProcessMetrics(registry);
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    expect(text).toMatch(/^# TYPE nodejs_active_handles gauge$/m);
    expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
  });

  it('reads the event-loop delay past its 100 ms sampling, not the interval itself', async () => {
    const registry = new Registry();
    collectProcessMetrics(registry);
    const read = async () => {
      const text = await registry.metrics();
      const value = (stat: string) =>
        Number(new RegExp(`^nodejs_eventloop_lag_${stat}_seconds (\\S+)$`, 'm').exec(text)?.[1]);
      return { p50: value('p50'), max: value('max') };
    };
    // Idle for a second (ten samples): each sample is the 100 ms interval and a few ms past it.
    await new Promise((r) => setTimeout(r, 1000));
    const idle = await read();
    expect(idle.p50).toBeGreaterThanOrEqual(0);
    expect(idle.p50).toBeLessThan(0.05);
    // A stall of 400 ms is seen as about that much past the interval (the span read above ended).
    await new Promise((r) => setTimeout(r, 150));
    const until = Date.now() + 400;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 250));
    const stalled = await read();
    expect(stalled.max).toBeGreaterThan(0.25);
    expect(stalled.max).toBeLessThan(1);
  });

  it('wakes an idle event loop about ten times a second for its lag, not a hundred', async () => {
    const ms = 2000;
    // Each sample of the lag is a timer the loop wakes for: every 100 ms is 20 in 2 s, where
    // prom-client's default (every 10 ms) is 200. The process metrics' other parts wake nothing.
    const [without, withMetrics] = await Promise.all([
      idleWakeups(false, ms),
      idleWakeups(true, ms),
    ]);
    const added = withMetrics - without;
    expect(added).toBeGreaterThanOrEqual(10);
    expect(added).toBeLessThanOrEqual(60);
  });
});
