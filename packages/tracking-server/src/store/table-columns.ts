// What a migration asks of a table's shape before it changes it, and how it runs once.
import type Database from 'better-sqlite3';

/** The names of a table's columns; none where there is no such table. */
export const columnsOf = (db: Database.Database, table: string): string[] =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

/** Whether a table has the column (an earlier version's has not). */
export const hasColumn = (db: Database.Database, table: string, column: string): boolean =>
  columnsOf(db, table).includes(column);

/**
 * Runs a migration once: unless `done()`, in an immediate transaction that asks `done()` again
 * (another connection, the reader's or a second process's, may have got there first).
 */
export function migrateOnce(db: Database.Database, done: () => boolean, migrate: () => void) {
  if (done()) return;
  db.transaction(() => {
    if (!done()) migrate();
  }).immediate();
}
