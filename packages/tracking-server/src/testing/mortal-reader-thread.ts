// A store reader thread (store/reader-thread.ts) that a test can make die: asked for the session
// MORTAL_SESSION, it exits with code 3, as a thread that met an error it did not catch ends.
// workerReader runs it given `threadModule: MORTAL_READER_THREAD`.
import { parentPort, workerData } from 'node:worker_threads';
import { serveReads } from '../store/reader';
import { openSqlite } from '../store/sqlite';

/** The session whose read ends the thread. */
export const MORTAL_SESSION = 'exit-the-reader-thread';
/** This module, named as workerReader's threadModule (from src/store). */
export const MORTAL_READER_THREAD = '../testing/mortal-reader-thread';

if (parentPort) {
  const repo = openSqlite((workerData as { dbFile: string }).dbFile, { checkpoint: false });
  const getSession = repo.getSession.bind(repo);
  serveReads(
    {
      ...repo,
      getSession: (id) => (id === MORTAL_SESSION ? process.exit(3) : getSession(id)),
    },
    parentPort,
  );
}
