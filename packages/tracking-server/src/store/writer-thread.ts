// The store writer thread (see writer.ts): opens its own connection to the database, reads
// and commits the main thread's batches of Sentry events, and answers its other calls.
import { parentPort, workerData } from 'node:worker_threads';
import { sentEventReader } from '../ingest/sent-events';
import { serveWrites } from './pipeline';
import { openSqlite } from './sqlite';

if (parentPort) {
  serveWrites(openSqlite((workerData as { dbFile: string }).dbFile), sentEventReader(), parentPort);
}
