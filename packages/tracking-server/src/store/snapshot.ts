// One read, one snapshot. A read that runs several SELECTs in SQLite's autocommit mode takes a
// snapshot for each, so under ingest one answer mixed commits: /stats' lastDay counted events its
// bySeverity, byService and trend did not (16 % of answers while six SDKs sent), and an issue's
// hourly counts summed above its count. Each read here runs inside one transaction: BEGIN
// (better-sqlite3's default, deferred) starts none, the first SELECT takes the snapshot of the
// WAL, and the read sees it alone until COMMIT (sqlite.org/isolation.html, "read transaction"),
// whatever is committed meanwhile. Nothing in a read writes, so the transaction stays a read one:
// it never takes the write lock, never waits for the writer, and the writer never waits for it.
// What a read throws (a bad cursor) rolls it back and is thrown on. Made inside a transaction
// already (a write calling a read), a read is a savepoint of it.
import type Database from 'better-sqlite3';

/** `reads`, each made inside one read transaction of `db`: what it answers is of one snapshot. */
export function inOneSnapshot<T extends Record<string, (...args: never[]) => unknown>>(
  db: Database.Database,
  reads: T,
): T {
  const inSnapshot: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, read] of Object.entries(reads)) inSnapshot[name] = db.transaction(read);
  return inSnapshot as T;
}
