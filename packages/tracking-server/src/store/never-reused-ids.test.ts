// The ids the API names — issues, attachments, feedback and its attachments — are never given
// again once retention has deleted their rows (sqlite-schema.ts, NEVER_REUSED): on a new store,
// and on one made by the schema before (testdata/schema-before-autoincrement.sql), migrated once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import type { SentFeedback } from '../ingest/feedback';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import { openSqlite } from './sqlite';

const DAY = 86_400_000;
const NOW = Date.now();
const scrub = createScrubber({ enabled: true });
const eventId = (n: number) => n.toString(16).padStart(32, '0');
/** Words that group apart (digits in a message are grouped as one). */
const WORDS = ['', 'alpha', 'bravo', 'charlie', '', '', '', '', '', 'india', 'juliett'];
/** Event `n` of project 1, an issue of its own (its message), received `daysAgo` days back. */
const event = (n: number, daysAgo: number, attachment?: string) => ({
  ...readEvent(
    { event_id: eventId(n), message: `issue ${WORDS[n]}` },
    1,
    scrub,
    NOW - daysAgo * DAY,
  ),
  ...(attachment === undefined
    ? {}
    : {
        attachments: [
          {
            filename: `${attachment}.txt`,
            contentType: 'text/plain',
            type: 'event.attachment',
            size: attachment.length,
            data: Buffer.from(attachment),
          },
        ],
      }),
});
/** Feedback about event `n`, with a screenshot of these bytes where given. */
const about = (n: number, message: string, shot?: string): SentFeedback => ({
  eventId: eventId(n),
  name: '',
  email: '',
  message,
  ...(shot === undefined
    ? {}
    : {
        attachments: [
          {
            filename: 'shot.png',
            contentType: 'image/png',
            type: 'event.attachment',
            size: shot.length,
            data: Buffer.from(shot),
          },
        ],
      }),
});
const NEVER_REUSED = ['issues', 'attachments', 'feedback', 'feedback_attachments'] as const;
const OLD_SCHEMA = readFileSync(
  join(__dirname, 'testdata', 'schema-before-autoincrement.sql'),
  'utf8',
);

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-never-reused-ids-'));
  file = join(dir, 'tracker.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `read` on a connection of the test's own. */
function inDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}
const ids = (db: Database.Database, table: string) =>
  db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[];
const sweep = (repo: Repository, before: number) => {
  while (repo.deleteEventsBefore(before, 500) > 0);
};

it('gives no new issue, attachment or piece of feedback the id of one retention deleted', () => {
  const repo = openSqlite(file);
  try {
    repo.ingest([event(1, 0, 'kept'), event(2, 40, 'swept')]);
    repo.ingestFeedback(1, NOW, [about(1, 'kept')]);
    const old = NOW - 40 * DAY;
    repo.ingestFeedback(1, old, [about(2, 'swept', 'x')]);
    // The newest of each (issue 2, attachment 2, feedback 2 and its attachment 1) go.
    sweep(repo, NOW - 30 * DAY);
    expect(inDb((db) => NEVER_REUSED.map((t) => ids(db, t)))).toEqual([[1], [1], [1], []]);
    repo.ingest([event(3, 0, 'new')]);
    repo.ingestFeedback(1, NOW, [about(3, 'new', 'y')]);
    expect(inDb((db) => NEVER_REUSED.map((t) => ids(db, t)))).toEqual([
      [1, 3],
      [1, 3],
      [1, 3],
      [2],
    ]);
    expect(repo.getIssue(2, NOW)).toBeUndefined();
    expect(repo.attachment(2)).toBeUndefined();
    expect(repo.setStatus([2], 'resolved', NOW)).toEqual([]);
  } finally {
    repo.close();
  }
});

/** What a schema object is, its SQL as SQLite keeps it without the quotes a rename adds. */
const schemaOf = (db: Database.Database) =>
  (
    db
      .prepare(
        `SELECT type, name, tbl_name, sql FROM sqlite_master
         WHERE sql IS NOT NULL AND name NOT LIKE '%autoindex%' ORDER BY type, name`,
      )
      .all() as { type: string; name: string; tbl_name: string; sql: string }[]
  ).map((o) => ({ ...o, sql: o.sql.replace(/"/g, '').replace(/\s+/g, ' ') }));

describe('a database made by the schema before', () => {
  /** The old tables, as its versions wrote them: two issues, an event each, their attachments. */
  function oldDatabase() {
    inDb((db) => {
      db.exec(OLD_SCHEMA);
      const issue = db.prepare(
        `INSERT INTO issues (id, project_id, hash, title, culprit, severity, type, service, environment, release, grouped_by, components, first_seen, last_seen, count)
         VALUES (?, 1, ?, ?, '', 'error', 'application', 'api', '', '', 'message', '[]', ?, ?, 1)`,
      );
      const evt = db.prepare(
        `INSERT INTO events (rowid, id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, payload)
         VALUES (?, ?, ?, 1, ?, ?, 'error', 'error', 'api', '', '', '{}')`,
      );
      const attachment = db.prepare(
        `INSERT INTO attachments (id, event, filename, content_type, type, size, data)
         VALUES (?, ?, ?, 'text/plain', 'event.attachment', 1, x'00')`,
      );
      const feedback = db.prepare(
        `INSERT INTO feedback (id, project_id, event_id, issue_id, received_at, name, email, message)
         VALUES (?, 1, ?, ?, ?, '', '', ?)`,
      );
      const shot = db.prepare(
        `INSERT INTO feedback_attachments (id, feedback, filename, content_type, type, size, data)
         VALUES (?, ?, ?, 'image/png', 'event.attachment', 1, x'00')`,
      );
      const t = NOW - DAY;
      issue.run(1, 'a', 'old one', t, t);
      issue.run(5, 'b', 'old five', t, t);
      evt.run(1, eventId(1), 1, t, t);
      evt.run(2, eventId(5), 5, t, t);
      attachment.run(1, 1, 'one.txt');
      attachment.run(4, 2, 'four.txt');
      // The same report sent twice about event 5 (both kept, before, the first linked to its
      // issue), another about it, and one about event 1.
      feedback.run(1, eventId(5), 5, t, 'the same words');
      feedback.run(2, eventId(1), null, t, 'about one');
      feedback.run(3, eventId(5), null, t + 1000, 'the same words');
      feedback.run(4, eventId(5), null, t + 2000, 'other words');
      shot.run(1, 1, 'first.png');
      shot.run(2, 3, 'second.png');
    });
  }

  it('is rebuilt once with ids that are never given again, its rows, indexes and triggers as they were', () => {
    oldDatabase();
    openSqlite(file).close();
    // Its tables are as a new store's: every index and trigger there, none lost.
    const fresh = join(dir, 'fresh.db');
    openSqlite(fresh).close();
    const freshSchema = (() => {
      const db = new Database(fresh, { readonly: true });
      try {
        return schemaOf(db);
      } finally {
        db.close();
      }
    })();
    expect(inDb(schemaOf)).toEqual(freshSchema);
    inDb((db) => {
      expect(NEVER_REUSED.map((t) => ids(db, t))).toEqual([[1, 5], [1, 4], [2, 3, 4], [2]]);
      // Each sequence starts at its table's highest id.
      expect(db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').raw().all()).toEqual(
        [
          ['attachments', 4],
          ['feedback', 4],
          ['feedback_attachments', 2],
          ['issues', 5],
        ],
      );
      // Of the two sendings, the newest is kept (with its screenshot), linked to the issue the
      // first one was; what says otherwise is another piece. None knows what it was sent as.
      expect(
        db.prepare('SELECT id, issue_id, message, sent_id FROM feedback ORDER BY id').raw().all(),
      ).toEqual([
        [2, null, 'about one', null],
        [3, 5, 'the same words', null],
        [4, null, 'other words', null],
      ]);
      expect(
        db.prepare('SELECT feedback FROM feedback_attachments ORDER BY id').pluck().all(),
      ).toEqual([3]);
    });
    // The triggers work: an event deleted takes its attachments, feedback its screenshots.
    const repo = openSqlite(file);
    try {
      sweep(repo, NOW);
      expect(inDb((db) => NEVER_REUSED.map((t) => ids(db, t)))).toEqual([[], [], [], []]);
      // Ids go on above the highest the old tables held, though every row of them has gone.
      repo.ingest([event(9, 0, 'new')]);
      repo.ingestFeedback(1, NOW, [about(9, 'new', 'y')]);
      expect(inDb((db) => NEVER_REUSED.map((t) => ids(db, t)))).toEqual([[6], [5], [5], [3]]);
    } finally {
      repo.close();
    }
  });

  it('continues above its highest id after the row holding it is deleted', () => {
    oldDatabase();
    const repo = openSqlite(file);
    try {
      inDb((db) => {
        db.exec('DELETE FROM events WHERE id = ' + `'${eventId(5)}'`);
        db.exec('DELETE FROM issues WHERE id = 5');
        db.exec('DELETE FROM feedback WHERE id IN (3, 4)');
      });
      repo.ingest([event(10, 0, 'ten')]);
      repo.ingestFeedback(1, NOW, [about(10, 'ten')]);
      expect(inDb((db) => NEVER_REUSED.map((t) => ids(db, t)))).toEqual([
        [1, 6],
        [1, 5],
        [2, 5],
        [],
      ]);
    } finally {
      repo.close();
    }
    // Opened again, nothing is rebuilt: the sequences stay where they are.
    openSqlite(file).close();
    expect(
      inDb((db) =>
        db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'issues'").pluck().get(),
      ),
    ).toBe(6);
  });
});
