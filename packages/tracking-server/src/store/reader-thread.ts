// The store reader thread (see reader.ts): opens its own connection to the database and makes
// the main thread's reads on it. It never checkpoints: the writer thread does.
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { READER_NICE, serveReads } from './reader';
import { openSqlite } from './sqlite';

if (parentPort) {
  // On Linux a nice value is a thread's own (setpriority(2) with 0 names the calling thread):
  // this thread's alone is lowered — never raised, which takes a privilege (a process started
  // nicer than READER_NICE keeps its value).
  if (getPriority() < READER_NICE) setPriority(READER_NICE);
  serveReads(
    openSqlite((workerData as { dbFile: string }).dbFile, { checkpoint: false }),
    parentPort,
  );
}
