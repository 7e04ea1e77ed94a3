// Test support: the heap in use once a full garbage collection has run, for tests of what a
// structure keeps (not timed: a retained megabyte per entry is told from none by far).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function heapUsedAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
