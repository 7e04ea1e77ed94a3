// The store writer thread (see writer.ts): opens its own connection to the database and makes
// the main thread's write calls on it, each one transaction.
import { parentPort, workerData } from 'node:worker_threads';
import { serveWrites } from './write-calls';
import { openSqlite } from './sqlite';

if (parentPort) {
  serveWrites(openSqlite((workerData as { dbFile: string }).dbFile), parentPort);
}
