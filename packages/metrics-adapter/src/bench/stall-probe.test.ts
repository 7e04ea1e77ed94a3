import { startStallProbe, stealSeconds } from './stall-probe';

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
    expect(stalls.stolen).toBeGreaterThanOrEqual(0);
    expect(stalls.stolen).toBeLessThanOrEqual(1);
  });
});

describe('steal from /proc/stat', () => {
  it("is the cpu line's eighth figure, in hundredths of a second", () => {
    // A line as Linux 6.1 writes it: user nice system idle iowait irq softirq steal guest guest_nice.
    const stat =
      'cpu  4705 12 1210 93651 52 0 61 3775 0 0\ncpu0 2352 6 605 46825 26 0 30 1887 0 0\n';
    expect(stealSeconds(stat)).toBe(37.75);
  });

  it('is refused, naming it, when the line has no steal figure (a kernel before 2.6.11)', () => {
    expect(() => stealSeconds('cpu  4705 12 1210 93651 52 0 61\n')).toThrow(
      '/proc/stat has no steal figure on its cpu line',
    );
  });
});
