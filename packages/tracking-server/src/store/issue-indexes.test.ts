// The plans of two statements that read a whole table without an index, found by the scale audit
// of 2026-12-07 (a store of 100,000 ingested issues): retention's delete of an issue's rows from
// the service and environment lists, which walked every value for each issue (a sweep held
// ingest up to 2.5 s a batch with a service a pod), and the open-issue count every /metrics
// scrape reads (0.18–0.42 s, past the scrape's 250 ms wait). Read on a new store and on one made
// by an earlier schema, then opened.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPEN_ISSUE_COUNTS } from './issue-reads';
import { ISSUE_ROWS, openSqlite } from './sqlite';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'beacon-issue-indexes-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const OLD_SCHEMA = readFileSync(
  join(__dirname, 'testdata', 'schema-before-autoincrement.sql'),
  'utf8',
);

/** A store's file once openSqlite has made or migrated it: new, or written by the old schema. */
function storeFile(made: 'new' | 'old'): string {
  const file = join(dir, `${made}.db`);
  if (made === 'old') {
    const db = new Database(file);
    db.exec(OLD_SCHEMA);
    db.close();
  }
  openSqlite(file).close();
  return file;
}

/** SQLite's plan for `sql`, one line a step (`SEARCH t USING INDEX i (c=?)`, `SCAN t`). */
function planOf(file: string, sql: string, ...params: unknown[]): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail,
    );
  } finally {
    db.close();
  }
}

describe.each(['new', 'old'] as const)('a %s store', (made) => {
  it("deletes an issue's rows from each of its tables by the issue's id, never by a scan", () => {
    const file = storeFile(made);
    for (const table of ISSUE_ROWS) {
      const plan = planOf(
        file,
        `DELETE FROM ${table} WHERE issue_id IN (SELECT value FROM json_each(?))`,
        '[1, 2]',
      );
      expect({ table, plan }).toEqual({
        table,
        plan: expect.arrayContaining([
          expect.stringMatching(/^SEARCH \w+ USING .*\(issue_id=\?\)$/),
        ]),
      });
      expect(plan.filter((step) => step.startsWith(`SCAN ${table}`))).toEqual([]);
    }
  });

  it('counts the open issues from an index alone, never reading the issues', () => {
    const plan = planOf(storeFile(made), OPEN_ISSUE_COUNTS);
    expect(plan).toContainEqual(
      expect.stringMatching(
        /^SEARCH issues USING COVERING INDEX issues_open_counts \(status=\?\)$/,
      ),
    );
    expect(plan.filter((step) => step.startsWith('SCAN issues'))).toEqual([]);
  });
});
