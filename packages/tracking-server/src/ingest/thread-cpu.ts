// The CPU time the calling thread has run, in ms: the first field of Linux's
// /proc/thread-self/schedstat (nanoseconds on a CPU), read through a descriptor each thread opens
// once (a worker loads this module anew, and /proc/thread-self names the thread that opens it).
// Node 20 has no clock of its own for this: process.cpuUsage() counts every thread of the process.
import { closeSync, openSync, readSync } from 'node:fs';

/** The descriptor, once opened; null where the file cannot be read (not Linux): no clock. */
let schedstat: number | null | undefined;
const text = Buffer.alloc(64);

/** CPU ms this thread has run, from an arbitrary origin; undefined where it cannot be known. */
export function threadCpuMs(): number | undefined {
  if (schedstat === undefined) {
    try {
      schedstat = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedstat = null;
    }
  }
  if (schedstat === null) return undefined;
  try {
    // Read from the start each time: the kernel writes the figures afresh for each read.
    const n = readSync(schedstat, text, 0, text.length, 0);
    const ns = Number(text.toString('latin1', 0, n).split(' ', 1)[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    const fd = schedstat;
    schedstat = null;
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    return undefined;
  }
}
