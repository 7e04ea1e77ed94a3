// `npm run bench:retention`: how long retention holds the writer when a project's own retention
// is shorter than another's (or the other keeps data for ever), so the other's old events lie
// in the way of its deletes. A store of OTHERS events of project 2, all older than project 1's
// cutoff, and OWN old events of project 1 after them; project 1's sweep in batches of 500, timed
// a call at a time: through the repository (age-walk.ts), and with the one statement it ran
// before (each call asked afresh for the scope's oldest rows, stepping over project 2's again),
// on a copy of the same store. Rows are written straight into the events table, payloads empty:
// the walk reads the age index, never a payload.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite } from '../store/sqlite';
import { timeCalls } from './timed-calls';

const DAY = 86_400_000;
const OTHERS = Number(process.env.BENCH_OTHERS ?? 1_000_000);
const OWN = Number(process.env.BENCH_OWN ?? 10_000);
const BATCH = 500;
const NOW = Date.UTC(2026, 11, 1);
const BEFORE = NOW - 7 * DAY;

function build(file: string) {
  openSqlite(file).close(); // the schema
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO events (id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, payload)
     VALUES (?, ?, ?, ?, ?, 'error', 'error', 'api', 'production', '', x'')`,
  );
  db.transaction(() => {
    for (let i = 0; i < OTHERS; i++) {
      const t = NOW - 30 * DAY + Math.floor((i * 20 * DAY) / OTHERS);
      insert.run(`o${i}`, 2, 2, t, t);
    }
    for (let i = 0; i < OWN; i++) insert.run(`p${i}`, 1, 1, BEFORE - DAY + i, BEFORE - DAY + i);
  })();
  db.close();
}

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-retention-'));
  try {
    const walked = join(dir, 'walked.db');
    const before = join(dir, 'before.db');
    build(walked);
    copyFileSync(walked, before);

    const repo = openSqlite(walked);
    const now = timeCalls(() => repo.deleteEventsBefore(BEFORE, BATCH, 1));
    repo.close();

    const db = new Database(before);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const del = db.prepare(
      'DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE received_at < ? AND project_id = 1 LIMIT ?)',
    );
    const then = timeCalls(() => db.transaction(() => del.run(BEFORE, BATCH).changes).immediate());
    db.close();

    const count = (file: string) => {
      const d = new Database(file, { readonly: true });
      const rows = d.prepare('SELECT project_id, COUNT(*) AS n FROM events GROUP BY 1').all();
      d.close();
      return JSON.stringify(rows);
    };
    const f = (n: number) => n.toFixed(2).padStart(9);
    console.log(
      `retention of project 1 (7 days) past ${OTHERS.toLocaleString('en')} older events of project 2, ${OWN.toLocaleString('en')} of its own to delete, batches of ${BATCH}`,
    );
    console.log('                      calls   p50 ms   max ms  total ms');
    for (const [name, r] of [
      ['walked (age-walk.ts)', now],
      ['asked afresh (before)', then],
    ] as const)
      console.log(
        `${name.padEnd(21)} ${String(r.calls).padStart(6)} ${f(r.p50)} ${f(r.max)} ${f(r.total)}`,
      );
    console.log(
      `max call: ${(then.max / now.max).toFixed(1)}× shorter walked; sweep: ${(now.total / then.total).toFixed(2)}× the time`,
    );
    console.log(`rows left by project: walked ${count(walked)}, before ${count(before)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
