// A read-only connection to a store that records the SQL of every statement prepared on it, and
// SQLite's plan for such a statement: what the store's reads are checked by (an index searched,
// not a table scanned).
import Database from 'better-sqlite3';

export interface RecordingConnection {
  readonly db: Database.Database;
  /** The SQL prepared since the last call, taken out of the record. */
  take(): string[];
  /** SQLite's plan for `sql`, its steps joined by `; `, every parameter bound to NULL. */
  plan(sql: string): string;
}

export function recordingConnection(file: string): RecordingConnection {
  const db = new Database(file, { readonly: true });
  const prepare = db.prepare.bind(db);
  let prepared: string[] = [];
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  return {
    db,
    take() {
      const sql = prepared;
      prepared = [];
      return sql;
    },
    plan(sql) {
      const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((n) => [n.slice(1), null]);
      const positional = (sql.match(/\?/g) ?? []).map(() => null);
      const statement = prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const rows = (
        named.length > 0
          ? statement.all(...positional, Object.fromEntries(named))
          : statement.all(...positional)
      ) as { detail: string }[];
      return rows.map((r) => r.detail).join('; ');
    },
  };
}
