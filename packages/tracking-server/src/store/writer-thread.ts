// The store writer thread (see writer.ts): opens its own connection to the database and
// commits what the main thread sends.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite';
import { serveWrites } from './writer';

if (parentPort) serveWrites(openSqlite((workerData as { dbFile: string }).dbFile), parentPort);
