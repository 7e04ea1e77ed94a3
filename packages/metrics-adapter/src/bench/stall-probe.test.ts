import { startStallProbe } from './stall-probe';

describe('the stall probe', () => {
  it('reports the time the machine ran nothing of it as a late wake', async () => {
    const probe = await startStallProbe();
    // Stopped by a signal for 60 ms: to the probe, a machine that gave it no CPU that long.
    process.kill(probe.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 60));
    process.kill(probe.pid, 'SIGCONT');
    await new Promise((r) => setTimeout(r, 50));
    const stalls = await probe.stop();
    expect(stalls.maxMs).toBeGreaterThanOrEqual(50);
    expect(stalls.over5ms).toBeGreaterThanOrEqual(1);
    expect(stalls.over2ms).toBeGreaterThanOrEqual(stalls.over5ms);
    expect(stalls.wakes).toBeGreaterThan(10);
  });
});
