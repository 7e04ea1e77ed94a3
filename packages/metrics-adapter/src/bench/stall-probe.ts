// A stall probe for the bench: a small process that asks to wake every millisecond and records
// how late each wake comes. It needs ~1 % of a core, and during the bench's rounds (one request
// at a time) a core is mostly free, so it should wake on time; a late wake is a moment this
// machine ran nothing of a process that was ready to run (the hypervisor had the CPU, or every
// core was busy). Printed next to the latencies, it tells the requests that met such a moment
// from the servers' own slowness. Beside it, the share of the CPUs' time the hypervisor took
// (steal, from /proc/stat) over the same span says which of the two it was.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface Stalls {
  readonly wakes: number;
  /** Wakes later than asked by over 2 ms, and over 5 ms. */
  readonly over2ms: number;
  readonly over5ms: number;
  readonly maxMs: number;
  /** Of the CPUs' time while the probe ran, the share the hypervisor gave to other guests. */
  readonly stolen: number;
}

/** Seconds of steal in a /proc/stat text: its `cpu` line's eighth figure, in USER_HZ (100). */
export function stealSeconds(procStat: string): number {
  const cpu = /^cpu\s+(.*)$/m.exec(procStat)?.[1]?.trim().split(/\s+/);
  const steal = Number(cpu?.[7]);
  if (!Number.isFinite(steal)) throw new Error('/proc/stat has no steal figure on its cpu line');
  return steal / 100;
}

const machineSteal = () => stealSeconds(readFileSync('/proc/stat', 'utf8'));

const PROBE = `
const { performance } = require('node:perf_hooks');
let last = performance.now(), wakes = 0, over2ms = 0, over5ms = 0, maxMs = 0;
const tick = () => {
  const now = performance.now();
  const late = now - last - 1;
  last = now;
  wakes++;
  if (late > 2) over2ms++;
  if (late > 5) over5ms++;
  if (late > maxMs) maxMs = late;
  timer = setTimeout(tick, 1);
};
let timer = setTimeout(tick, 1);
process.stdout.write('ready\\n');
process.stdin.on('end', () => {
  clearTimeout(timer);
  process.stdout.write(JSON.stringify({ wakes, over2ms, over5ms, maxMs }));
});
process.stdin.resume();
`;

/** Starts the probe, resolving once it runs; `stop()` ends it and resolves with what it saw. */
export async function startStallProbe(): Promise<{ pid: number; stop(): Promise<Stalls> }> {
  const child = spawn(process.execPath, ['-e', PROBE], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`the stall probe exited early (${code})`)));
  });
  const started = { at: performance.now(), steal: machineSteal() };
  return {
    pid: child.pid as number,
    async stop() {
      const seconds = (performance.now() - started.at) / 1000;
      const stolen = (machineSteal() - started.steal) / (seconds * cpus().length);
      child.stdin.end();
      const code = await exited;
      const summary = out.slice('ready\n'.length);
      if (code !== 0) throw new Error(`the stall probe exited with ${code}: ${summary}`);
      return { ...(JSON.parse(summary) as Omit<Stalls, 'stolen'>), stolen };
    },
  };
}

export const describeStalls = (s: Stalls) =>
  `${s.over2ms} of ${s.wakes} wakes late by over 2 ms, ${s.over5ms} by over 5 ms, the latest by ${s.maxMs.toFixed(1)} ms; the hypervisor took ${(s.stolen * 100).toFixed(0)} % of the CPUs' time (steal)`;
