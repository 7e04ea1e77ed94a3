// User feedback linked to the issue of the event it names (issue-ingest.ts), at the store: the
// event first or the feedback first, across a restart, not once the hour is over, and gone with
// its issue; and the list of all feedback, linked or not.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../ingest/event';
import type { SentFeedback } from '../ingest/feedback';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import { issueReads } from './issue-reads';
import { openSqlite } from './sqlite';
import { recordingConnection } from '../testing/query-plans';

const HOUR = 3_600_000;
const scrub = createScrubber({ enabled: true });
const eventId = (n: number) => n.toString(16).padStart(32, '0');
/** Event `n` of project 1, titled `title`, received at `at`. */
const event = (n: number, title: string, at = Date.now()) =>
  readEvent({ event_id: eventId(n), message: title }, 1, scrub, at);
const about = (n: number, message: string): SentFeedback => ({
  eventId: eventId(n),
  name: '',
  email: '',
  message,
});

let dir: string;
let repo: Repository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-feedback-links-'));
  repo = openSqlite(join(dir, 'tracker.db'));
});
afterEach(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The messages of an issue's feedback, newest first, and of the issue with this title. */
function issueFeedback(title: string): string[] {
  const issue = repo.listIssues({ q: title, sort: 'last_seen', limit: 10 }, Date.now()).items;
  expect(issue).toHaveLength(1);
  return repo.issueFeedback(issue[0]!.id, undefined, 100)!.items.map((f) => f.message);
}

it('links feedback to the issue of an event stored before it, or after it within the hour', () => {
  const now = Date.now();
  repo.ingest([event(1, 'first event')]);
  repo.ingestFeedback(1, now, [about(1, 'after the event'), about(2, 'before the event')]);
  repo.ingestFeedback(2, now, [about(1, 'another project')]);
  repo.ingest([event(2, 'first event')]);
  // Newest first: both were received at once, so by id.
  expect(issueFeedback('first event')).toEqual(['before the event', 'after the event']);
});

it('links the feedback still waiting for its event after a restart', () => {
  repo.ingestFeedback(1, Date.now(), [about(3, 'waited')]);
  repo.close();
  repo = openSqlite(join(dir, 'tracker.db'));
  repo.ingest([event(3, 'after a restart')]);
  expect(issueFeedback('after a restart')).toEqual(['waited']);
});

it('does not link feedback whose event comes more than an hour after it, which its event still lists', () => {
  repo.ingestFeedback(1, Date.now() - HOUR - 1000, [about(4, 'too early')]);
  repo.ingest([event(4, 'an hour late')]);
  expect(issueFeedback('an hour late')).toEqual([]);
  const issue = repo.listIssues({ q: 'an hour late', sort: 'last_seen', limit: 1 }, Date.now());
  const events = repo.issueEvents(issue.items[0]!.id, undefined, 10)!.items;
  expect(events[0]!.feedback.map((f) => f.message)).toEqual(['too early']);
});

it('pages an issue feedback newest first', () => {
  const now = Date.now();
  repo.ingest([event(5, 'paged')]);
  for (let i = 0; i < 5; i++) repo.ingestFeedback(1, now + i, [about(5, `#${i}`)]);
  const first = repo.issueFeedback(1, undefined, 2)!;
  expect(first.items.map((f) => [f.message, f.eventId])).toEqual([
    ['#4', eventId(5)],
    ['#3', eventId(5)],
  ]);
  const rest = repo.issueFeedback(1, first.nextCursor!, 10)!;
  expect(rest.items.map((f) => f.message)).toEqual(['#2', '#1', '#0']);
  expect(rest.nextCursor).toBeNull();
  expect(repo.issueFeedback(999, undefined, 10)).toBeUndefined();
});

it('deletes the feedback of an issue retention empties, so a later issue given its id has none', () => {
  const old = Date.now() - 40 * 24 * HOUR;
  repo.ingest([event(6, 'expired', old)]);
  repo.ingestFeedback(1, Date.now(), [about(6, 'about an old event')]);
  while (repo.deleteEventsBefore(Date.now() - 24 * HOUR, 100) > 0);
  repo.ingest([event(7, 'new issue')]);
  expect(issueFeedback('new issue')).toEqual([]);
});

describe('a piece of feedback sent again', () => {
  const T = Date.now();
  const MINUTE = 60_000;
  /** A user report about event 30 (what it is sent as: that event), with a file where given. */
  const report = (message: string, file?: string, n = 30): SentFeedback => ({
    ...about(n, message),
    sentId: eventId(n),
    ...(file === undefined
      ? {}
      : {
          attachments: [
            {
              filename: `${file}.txt`,
              contentType: 'text/plain',
              type: 'event.attachment',
              size: file.length,
              data: Buffer.from(file),
            },
          ],
        }),
  });
  /** Each piece listed: its text, when it was first received, and its files by name. */
  const pieces = () =>
    repo
      .listFeedback({ limit: 10 })
      .items.map((f) => [f.message, f.receivedAt, f.attachments.map((a) => a.filename)]);

  it('overwrites the first sending within 5 minutes of it, its files where it brings some, and is refused after', () => {
    expect(repo.ingestFeedback(1, T, [report('first', 'a')])).toBe(1);
    expect(repo.ingestFeedback(1, T + MINUTE, [report('second')])).toBe(0);
    expect(pieces()).toEqual([['second', new Date(T).toISOString(), ['a.txt']]]);
    // Five minutes on, still; its time stays the first sending's, so the window does not move.
    expect(repo.ingestFeedback(1, T + 5 * MINUTE, [report('third', 'b')])).toBe(0);
    expect(pieces()).toEqual([['third', new Date(T).toISOString(), ['b.txt']]]);
    expect(repo.ingestFeedback(1, T + 5 * MINUTE + 1, [report('too late', 'c')])).toBe(0);
    expect(pieces()).toEqual([['third', new Date(T).toISOString(), ['b.txt']]]);
    const [file] = repo.listFeedback({ limit: 1 }).items[0]!.attachments;
    expect(repo.feedbackAttachment(file!.id)).toEqual({
      filename: 'b.txt',
      data: Buffer.from('b'),
    });
  });

  it('is one piece sent twice in one request, its own in another project, and never one without what it was sent as', () => {
    expect(
      repo.ingestFeedback(1, T, [report('once', undefined, 31), report('twice', undefined, 31)]),
    ).toBe(1);
    expect(repo.ingestFeedback(2, T, [report('elsewhere', undefined, 31)])).toBe(1);
    const unnamed = { name: '', email: '', message: 'same words' };
    expect(repo.ingestFeedback(1, T, [unnamed, unnamed])).toBe(2);
    expect(
      repo
        .listFeedback({ limit: 10 })
        .items.map((f) => f.message)
        .sort(),
    ).toEqual(['elsewhere', 'same words', 'same words', 'twice']);
  });

  it('keeps its link to the issue of its event, the event having come between the sendings', () => {
    repo.ingestFeedback(1, T, [report('before the event', undefined, 32)]);
    repo.ingest([event(32, 'between the sendings')]);
    repo.ingestFeedback(1, T + MINUTE, [report('after the event', undefined, 32)]);
    expect(issueFeedback('between the sendings')).toEqual(['after the event']);
  });
});

describe('the list of all feedback', () => {
  const T = Date.now();
  const at = (ms: number) => new Date(T + ms).toISOString();
  /** An item as a test writes it down: without the id the store made. */
  const listed = (page: ReturnType<Repository['listFeedback']>) =>
    page.items.map(({ id: _, ...rest }) => rest);

  it('lists every project’s feedback newest first, with its event and linked issue where there are', () => {
    repo.ingest([event(8, 'listed')]);
    repo.ingestFeedback(1, T, [about(8, 'linked')]);
    const page = { url: 'https://shop.example/' };
    const png = { contentType: 'image/png', type: 'event.attachment' };
    repo.ingestFeedback(2, T + 1, [
      {
        name: 'Di',
        email: 'di@example.com',
        message: 'alone',
        ...page,
        attachments: [
          { filename: 'shot.png', ...png, size: 3, data: new Uint8Array([1, 2, 3]) },
          { filename: 'card.png', ...png, size: 3, data: new Uint8Array([4, 5, 6]) },
        ],
      },
    ]);
    repo.ingestFeedback(1, T + 2, [about(9, 'its event never came')]);
    // As an earlier version stored a binary attachment with a sensitive shape: filtered whole.
    const raw = new Database(join(dir, 'tracker.db'));
    raw.prepare("UPDATE feedback_attachments SET data = NULL WHERE filename = 'card.png'").run();
    raw.close();
    const first = repo.listFeedback({ limit: 2 });
    expect(listed(first)).toEqual([
      {
        receivedAt: at(2),
        projectId: 1,
        eventId: eventId(9),
        name: '',
        email: '',
        message: 'its event never came',
        attachments: [],
      },
      {
        receivedAt: at(1),
        projectId: 2,
        name: 'Di',
        email: 'di@example.com',
        message: 'alone',
        url: 'https://shop.example/',
        attachments: [
          { id: 1, filename: 'shot.png', ...png, size: 3, filtered: false },
          { id: 2, filename: 'card.png', ...png, size: 3, filtered: true },
        ],
      },
    ]);
    expect(repo.feedbackAttachment(1)).toEqual({
      filename: 'shot.png',
      data: Buffer.from([1, 2, 3]),
    });
    expect(repo.feedbackAttachment(2)).toEqual({ filename: 'card.png', data: null });
    expect(repo.feedbackAttachment(3)).toBeUndefined();
    const rest = repo.listFeedback({ cursor: first.nextCursor!, limit: 2 });
    expect(listed(rest)).toEqual([
      {
        receivedAt: at(0),
        projectId: 1,
        eventId: eventId(8),
        issue: { id: 1, title: 'listed' },
        name: '',
        email: '',
        message: 'linked',
        attachments: [],
      },
    ]);
    expect(rest.nextCursor).toBeNull();
  });

  it('pages feedback received at one time by id, each once', () => {
    for (let i = 0; i < 5; i++) repo.ingestFeedback(1, T, [about(10 + i, `#${i}`)]);
    const messages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = repo.listFeedback({ ...(cursor ? { cursor } : {}), limit: 2 });
      messages.push(...page.items.map((f) => f.message));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(messages).toEqual(['#4', '#3', '#2', '#1', '#0']);
  });

  it("refuses an issue's feedback cursor, naming what it pages", () => {
    repo.ingest([event(20, 'cursor')]);
    for (let i = 0; i < 2; i++) repo.ingestFeedback(1, T + i, [about(20, `#${i}`)]);
    const cursor = repo.issueFeedback(1, undefined, 1)!.nextCursor!;
    expect(() => repo.listFeedback({ cursor, limit: 1 })).toThrow(
      `cursor ${JSON.stringify(cursor)} is for feedback of issue 1, not all feedback: start again without it`,
    );
  });

  it('finds what a search names in the message, the name or the address, ignoring case in every script', () => {
    const from = (name: string, email: string, message: string): SentFeedback => ({
      name,
      email,
      message,
    });
    repo.ingestFeedback(1, T, [
      from('Ana', 'ana@example.com', 'The PAY button spun'),
      from('Bo', '', 'Оплата не прошла'),
      from('Σοφία', 'sofia@example.gr', 'ok'),
      from('Cy', '', '100% broken_again'),
    ]);
    const found = (q: string) => repo.listFeedback({ q, limit: 10 }).items.map((f) => f.name);
    expect(found('pay')).toEqual(['Ana']);
    expect(found('EXAMPLE')).toEqual(['Σοφία', 'Ana']);
    expect(found('ОПЛАТА')).toEqual(['Bo']);
    expect(found('σοφια')).toEqual([]); // accents are kept
    expect(found('ΣΟΦΊΑ')).toEqual(['Σοφία']);
    // % and _ are the characters they are, not LIKE's wildcards.
    expect(found('0% b')).toEqual(['Cy']);
    expect(found('n_a')).toEqual(['Cy']);
    expect(found('n%a')).toEqual([]);
    expect(() => repo.listFeedback({ q: 'x'.repeat(50_000), limit: 1 })).toThrow(/^q is too long/);
  });

  it('lists the feedback of any of the projects named, searched too, and pages within them', () => {
    const by = (name: string, message = 'fine'): SentFeedback => ({ name, email: '', message });
    repo.ingestFeedback(1, T, [by('Ana', 'the PAY button spun')]);
    repo.ingestFeedback(2, T + 1, [by('Bo', 'pay page blank')]);
    repo.ingestFeedback(3, T + 2, [by('Cy')]);
    repo.ingestFeedback(1, T + 3, [by('Di')]);
    const names = (project: number[], q?: string) =>
      repo.listFeedback({ project, ...(q ? { q } : {}), limit: 10 }).items.map((f) => f.name);
    expect(names([1])).toEqual(['Di', 'Ana']);
    expect(names([3, 2])).toEqual(['Cy', 'Bo']);
    expect(names([1, 2], 'pay')).toEqual(['Bo', 'Ana']);
    expect(names([4])).toEqual([]);
    expect(names([])).toEqual([]);
    const first = repo.listFeedback({ project: [1, 3], limit: 2 });
    expect(first.items.map((f) => [f.name, f.projectId])).toEqual([
      ['Di', 1],
      ['Cy', 3],
    ]);
    const rest = repo.listFeedback({ project: [1, 3], cursor: first.nextCursor!, limit: 2 });
    expect(rest.items.map((f) => f.name)).toEqual(['Ana']);
    expect(rest.nextCursor).toBeNull();
  });

  it('reads a page in index order, sorting nothing, of every project or of some', () => {
    repo.ingestFeedback(1, T, [about(30, 'one')]);
    const raw = recordingConnection(join(dir, 'tracker.db'));
    try {
      issueReads(raw.db).listFeedback({ limit: 10 });
      issueReads(raw.db).listFeedback({ project: [1, 2], limit: 10 });
      const statements = raw.take();
      const pages = statements.filter((s) => /FROM feedback AS f/.test(s));
      expect(pages).toHaveLength(2);
      for (const sql of pages) {
        const plan = raw.plan(sql);
        expect(plan).toContain('SCAN f USING INDEX feedback_received');
        expect(plan).not.toContain('TEMP B-TREE');
      }
      // The page's attachments, by their index: not a scan of every screenshot kept.
      const [files] = statements.filter((s) => /FROM feedback_attachments WHERE/.test(s));
      expect(raw.plan(files!)).toContain('USING INDEX feedback_attachments_by_feedback');
    } finally {
      raw.db.close();
    }
  });
});
