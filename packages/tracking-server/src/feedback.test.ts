// User feedback over HTTP: what users wrote about an error, listed with its event whichever of
// the two arrived first. First the real @sentry/node SDK (its own process, unmodified) sending
// both forms; then raw envelopes for the edges.
import { join } from 'node:path';
import { dsnFor, type Project } from './projects';
import type { AttachmentInfo } from './store/repository';
import { openSqlite } from './store/sqlite';
import { rawPost } from './testing/raw-post';
import { runTestApp } from './testing/test-app';
import { startTestTracker, type TestTracker } from './testing/test-tracker';
import { apiGet, metricsText, onlyEvent, sample, tableRows } from './testing/tracker-reads';

type Name = 'sdk' | 'raw' | 'other' | 'limited' | 'limitedSdk';
let setup: TestTracker<Name>;
let projects: Record<Name, Project>;

beforeAll(async () => {
  setup = await startTestTracker('feedback', {
    sdk: {},
    raw: {},
    other: {},
    limited: { eventsPerMinute: 3 },
    limitedSdk: { eventsPerMinute: 2 },
  });
  ({ projects } = setup);
});

afterAll(() => setup?.close());

interface Listed {
  id: number;
  receivedAt: string;
  name: string;
  email: string;
  message: string;
  url?: string;
  attachments: AttachmentInfo[];
}

/** The one event of the one issue with this title: its id and its feedback. */
const eventOf = (title: string) =>
  onlyEvent<{ id: string; feedback: Listed[] }>(setup.tracker.url, title);

/** The id of the first issue whose title has `title` in it. */
async function issueIdOf(title: string): Promise<number | undefined> {
  const issues = await apiGet(setup.tracker.url, `/issues?q=${encodeURIComponent(title)}`);
  return ((await issues.json()) as { items: { id: number }[] }).items[0]?.id;
}

/** The feedback linked to the one issue titled `title`, newest first, as its route lists it. */
async function issueFeedbackOf(title: string): Promise<(Listed & { eventId: string })[]> {
  const page = await apiGet(setup.tracker.url, `/issues/${await issueIdOf(title)}/feedback`);
  expect(page.status).toBe(200);
  return ((await page.json()) as { items: (Listed & { eventId: string })[] }).items;
}

/** What the list of all feedback adds to an item. */
interface Entry {
  projectId: number;
  eventId?: string;
  issue?: { id: number; title: string };
}

/**
 * The feedback as a test writes it down: what the user gave, without the ids and times made, and
 * its attachments by name (what they hold is read from GET /feedback/attachments/{id}).
 */
const written = (list: readonly (Listed & { eventId?: string })[]) =>
  list
    .map(({ id: _, receivedAt: __, eventId: ___, attachments, ...rest }) => ({
      ...rest,
      ...(attachments.length > 0 ? { attachments: attachments.map((a) => a.filename) } : {}),
    }))
    .sort((a, b) => (a.message < b.message ? -1 : 1));

/** The bytes GET /feedback/attachments/{id} answers, and the answer. */
const download = async (id: number) => {
  const res = await apiGet(setup.tracker.url, `/feedback/attachments/${id}`);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
};

const eventId = (n: number) => n.toString(16).padStart(32, '0');
const item = (type: string, payload: object) => `{"type":"${type}"}\n${JSON.stringify(payload)}\n`;
const eventItem = (title: string) => item('event', { message: title });

/** An attachment item of these headers and bytes. */
const attachmentItem = (headers: object, bytes: Buffer) =>
  Buffer.concat([
    Buffer.from(`${JSON.stringify({ type: 'attachment', length: bytes.length, ...headers })}\n`),
    bytes,
    Buffer.from('\n'),
  ]);
/** An envelope of this header and these items (text, or an attachment's bytes). */
const send = (p: Project, header: object, ...items: (string | Buffer)[]) =>
  rawPost(
    `${setup.tracker.url}/api/${p.id}/envelope/?sentry_key=${p.key}`,
    Buffer.concat([
      Buffer.from(`${JSON.stringify(header)}\n`),
      ...items.map((i) => Buffer.from(i)),
    ]),
  );

/** The feedback whose text has `q` in it, as the list of all of it has it. */
const findFeedback = async (q: string) =>
  (
    (await (await apiGet(setup.tracker.url, `/feedback?q=${encodeURIComponent(q)}`)).json()) as {
      items: (Listed & Entry)[];
    }
  ).items;

const feedbackRows = () => tableRows(setup.dir, 'feedback');
const feedbackAttachmentRows = () => tableRows(setup.dir, 'feedback_attachments');
/** The pieces of feedback /metrics counts for the project named `project`. */
const counted = async (project: Name) =>
  sample(
    await metricsText(setup.tracker.url),
    `beacon_tracker_feedback_ingested_total{project="${project}"}`,
  );

describe('the real @sentry/node SDK', () => {
  it('sends captureFeedback and a user report about an error: both listed with its event, the text scrubbed', async () => {
    const stdout = await runTestApp('sentry-feedback.cjs', dsnFor(projects.sdk, setup.tracker.url));
    const [sent, flushed] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(flushed).toEqual({ flushed: true });
    const event = await eventOf('Error: checkout failed for feedback');
    expect(event.id).toBe((sent as { eventId: string }).eventId);
    expect(written(event.feedback)).toEqual([
      { name: 'Bo', email: '', message: 'Second try failed too.' },
      {
        name: 'Ana',
        email: 'ana@example.com',
        message: 'The pay button spun forever; was my card [Filtered] charged?',
        url: 'https://shop.example/checkout?step=pay',
        attachments: ['console.log'],
      },
    ]);
    for (const f of event.feedback) expect(Date.parse(f.receivedAt)).toBeGreaterThan(0);
    // Ana's log, scrubbed as an event's attachment is.
    const [log] = event.feedback.find((f) => f.name === 'Ana')!.attachments;
    expect(log).toMatchObject({ contentType: 'application/octet-stream', size: 45 });
    const logged = await download(log!.id);
    expect(logged.bytes.toString('utf8')).toBe('POST /pay\nAuthorization: Bearer [Filtered]\n');
    expect(logged.res.headers.get('content-disposition')).toBe(
      'attachment; filename="console.log"',
    );
    // The issue lists the same two, each naming the event.
    const linked = await issueFeedbackOf('Error: checkout failed for feedback');
    expect(linked.map((f) => f.eventId)).toEqual([event.id, event.id]);
    expect(written(linked)).toEqual(written(event.feedback));
    // The list of all feedback has the two with their issue, and a third about no error. (The
    // SDK sends each on its own request: they may come in any order.)
    const all = await apiGet(setup.tracker.url, '/feedback');
    const items = ((await all.json()) as { items: (Listed & Entry)[] }).items;
    const title = 'Error: checkout failed for feedback';
    const issue = { id: await issueIdOf(title), title };
    expect(
      items
        .map(({ projectId, eventId, issue, name }) => ({ projectId, eventId, issue, name }))
        .sort((x, y) => (x.name < y.name ? -1 : 1)),
    ).toEqual([
      { projectId: projects.sdk.id, eventId: event.id, issue, name: 'Ana' },
      { projectId: projects.sdk.id, eventId: event.id, issue, name: 'Bo' },
      { projectId: projects.sdk.id, name: 'Cy' },
    ]);
    expect(await counted('sdk')).toBe(3);
    expect(written(items.filter((f) => f.name === 'Cy'))).toEqual([
      {
        projectId: projects.sdk.id,
        name: 'Cy',
        email: '',
        message: 'Love the new checkout page',
        attachments: ['screenshot.png'],
      },
    ]);
    // The widget's screenshot, byte for byte: a PNG holds nothing the scrubber takes.
    const [shot] = items.find((f) => f.name === 'Cy')!.attachments;
    expect(shot).toMatchObject({
      contentType: 'image/png',
      type: 'event.attachment',
      size: 70,
      filtered: false,
    });
    expect((await download(shot!.id)).bytes.toString('base64')).toBe(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    );
  });
});

describe('feedback in raw envelopes', () => {
  it('lists feedback that came before its event once the event comes, and only in its project', async () => {
    const report = { event_id: eventId(1), name: 'Cy', email: 'cy@example.com', comments: 'early' };
    const first = await send(projects.raw, { event_id: eventId(1) }, item('user_report', report));
    expect([first.status, first.text]).toEqual([200, `{"id":"${eventId(1)}"}`]);
    // The same event id in another project is another event.
    await send(projects.other, {}, item('user_report', { ...report, comments: 'elsewhere' }));
    await send(projects.raw, { event_id: eventId(1) }, eventItem('came second'));
    expect(written((await eventOf('came second')).feedback)).toEqual([
      { name: 'Cy', email: 'cy@example.com', message: 'early' },
    ]);
    expect(written(await issueFeedbackOf('came second'))).toEqual([
      { name: 'Cy', email: 'cy@example.com', message: 'early' },
    ]);
  });

  it('reads an event id with hyphens or capitals as the event it names', async () => {
    await send(projects.raw, { event_id: eventId(2) }, eventItem('hyphenated'));
    const hyphenated = '00000000-0000-0000-0000-000000000002'.toUpperCase();
    await send(
      projects.raw,
      {},
      item('feedback', {
        contexts: { feedback: { message: 'hi', associated_event_id: hyphenated } },
      }),
    );
    expect(written((await eventOf('hyphenated')).feedback)).toEqual([
      { name: '', email: '', message: 'hi' },
    ]);
  });

  it('keeps feedback that names no event, and feedback sent beside its event', async () => {
    const before = feedbackRows();
    const countedBefore = await counted('raw');
    const alone = await send(
      projects.raw,
      {},
      item('feedback', { contexts: { feedback: { message: 'love the new page' } } }),
    );
    expect(alone.status).toBe(200);
    expect(feedbackRows()).toBe(before + 1);
    expect(await counted('raw')).toBe(countedBefore + 1);
    const newest = (
      (await (await apiGet(setup.tracker.url, '/feedback?limit=1')).json()) as {
        items: (Listed & Entry)[];
      }
    ).items;
    expect(newest.map(({ id: _, receivedAt: __, ...rest }) => rest)).toEqual([
      {
        projectId: projects.raw.id,
        name: '',
        email: '',
        message: 'love the new page',
        attachments: [],
      },
    ]);
    await send(
      projects.raw,
      { event_id: eventId(3) },
      eventItem('together'),
      item('user_report', { event_id: eventId(3), comments: 'same envelope' }),
    );
    expect(written((await eventOf('together')).feedback)).toEqual([
      { name: '', email: '', message: 'same envelope' },
    ]);
  });

  it("keeps what is sent with one piece of feedback as its attachments, scrubbed; beside an event they are the event's", async () => {
    const card = '4111 1111 1111 1111';
    const before = feedbackAttachmentRows();
    const answer = await send(
      projects.raw,
      { event_id: eventId(20) },
      item('feedback', { contexts: { feedback: { message: 'see the files' } } }),
      attachmentItem({ filename: 'notes.txt' }, Buffer.from(`card ${card}`)),
      // No UTF-8: a binary file's bytes.
      attachmentItem({ filename: 'dump.bin' }, Buffer.from(`\xff\xfe${card}`, 'latin1')),
    );
    expect(answer.status).toBe(200);
    const [withFiles] = await findFeedback('see the files');
    expect(withFiles!.attachments.map(({ id: _, ...rest }) => rest)).toEqual([
      {
        filename: 'notes.txt',
        contentType: 'application/octet-stream',
        type: 'event.attachment',
        size: 24,
        filtered: false,
      },
      {
        filename: 'dump.bin',
        contentType: 'application/octet-stream',
        type: 'event.attachment',
        size: 21,
        filtered: false,
      },
    ]);
    const [notes, dump] = withFiles!.attachments;
    expect((await download(notes!.id)).bytes.toString('utf8')).toBe('card [Filtered]');
    // Bytes that are not text keep their length: the card number masked where it is.
    expect((await download(dump!.id)).bytes.toString('latin1')).toBe(
      `\xff\xfe${'*'.repeat(card.length)}`,
    );
    expect(feedbackAttachmentRows()).toBe(before + 2);

    // Beside an event, the attachment is the event's; beside two pieces of feedback, no one's.
    await send(
      projects.raw,
      { event_id: eventId(21) },
      eventItem('with its report'),
      item('user_report', { event_id: eventId(21), comments: 'the log is attached' }),
      attachmentItem({ filename: 'event.log' }, Buffer.from('log')),
    );
    const event = await onlyEvent<{ attachments: { filename: string }[]; feedback: Listed[] }>(
      setup.tracker.url,
      'with its report',
    );
    expect(event.attachments.map((a) => a.filename)).toEqual(['event.log']);
    expect(written(event.feedback)).toEqual([
      { name: '', email: '', message: 'the log is attached' },
    ]);
    const two = await send(
      projects.raw,
      {},
      item('feedback', { contexts: { feedback: { message: 'first of two' } } }),
      item('feedback', { contexts: { feedback: { message: 'second of two' } } }),
      attachmentItem({ filename: 'whose.txt' }, Buffer.from('?')),
    );
    expect(two.status).toBe(200);
    expect(written(await findFeedback('of two'))).toEqual([
      { projectId: projects.raw.id, name: '', email: '', message: 'first of two' },
      { projectId: projects.raw.id, name: '', email: '', message: 'second of two' },
    ]);
    expect(feedbackAttachmentRows()).toBe(before + 2);
  });

  it('answers GET /feedback/attachments/{id}: 400 for an id that is none, 404 for one not stored', async () => {
    const bad = await apiGet(setup.tracker.url, '/feedback/attachments/abc');
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { error: 'feedback attachment id must be a positive integer of up to 15 digits; got "abc"' },
    ]);
    const missing = await apiGet(setup.tracker.url, '/feedback/attachments/999999');
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: 'feedback attachment 999999 not found' },
    ]);
    expect((await apiGet(setup.tracker.url, '/feedback/attachments/1', 'wrong')).status).toBe(401);
  });

  it('refuses feedback that is not feedback (400), naming the item, and stores nothing of the envelope', async () => {
    const before = feedbackRows();
    const countedBefore = await counted('raw');
    const cases: [string, string][] = [
      [
        item('user_report', { event_id: eventId(4), name: 7 }),
        'invalid envelope: item 2 (user_report) name is 7, not a string',
      ],
      [
        item('user_report', { comments: 'x' }),
        'invalid envelope: item 2 (user_report) has no event_id',
      ],
      [
        item('user_report', { event_id: 'last-one' }),
        'invalid envelope: item 2 (user_report) event_id "last-one" is not an event id',
      ],
      [
        item('feedback', { contexts: { feedback: { message: ' ' } } }),
        'invalid envelope: item 2 (feedback) has no contexts.feedback.message',
      ],
      [
        item('feedback', { message: 'where?' }),
        'invalid envelope: item 2 (feedback) has no contexts.feedback object',
      ],
      ['{"type":"user_report"}\nnot json\n', 'invalid envelope: item 2 (user_report) payload'],
    ];
    for (const [bad, message] of cases) {
      const answer = await send(
        projects.raw,
        { event_id: eventId(4) },
        eventItem('never stored'),
        bad,
      );
      expect(answer.status).toBe(400);
      expect(answer.headers['x-sentry-error']).toContain(message);
    }
    expect(feedbackRows()).toBe(before);
    expect(await counted('raw')).toBe(countedBefore);
    const issues = await apiGet(setup.tracker.url, '/issues?q=never%20stored');
    expect(((await issues.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('refuses an envelope whose feedback exceeds 1 MB (413)', async () => {
    const long = 'x'.repeat(1024 * 1024);
    const answer = await send(
      projects.raw,
      {},
      item('feedback', { contexts: { feedback: { message: long } } }),
    );
    expect(answer.status).toBe(413);
    expect(answer.headers['x-sentry-error']).toBe(
      'the user feedback of one envelope exceeds the 1 MB limit on one event',
    );
  });

  it('keeps a piece of feedback sent again once, overwritten by the second sending, counted once', async () => {
    const before = [feedbackRows(), await counted('raw')];
    // A user report is known by the event it names (Sentry keeps one report an event).
    const report = (comments: string) =>
      item('user_report', { event_id: eventId(40), name: 'Di', email: 'di@example.com', comments });
    for (const comments of ['it broke', 'it broke when I paid'])
      expect((await send(projects.raw, {}, report(comments))).status).toBe(200);
    // A feedback item by its own id: another user's about the same error is a piece of its own;
    // the same one sent again is that piece.
    const widget = item('feedback', {
      event_id: 'f0'.repeat(16),
      contexts: {
        feedback: {
          message: 'paid twice',
          url: 'https://shop.example/pay',
          associated_event_id: eventId(40),
        },
      },
    });
    for (let i = 0; i < 2; i++) expect((await send(projects.raw, {}, widget)).status).toBe(200);
    expect([feedbackRows(), await counted('raw')]).toEqual([before[0]! + 2, before[1]! + 2]);
    await send(projects.raw, { event_id: eventId(40) }, eventItem('reported twice'));
    expect(written((await eventOf('reported twice')).feedback)).toEqual([
      { name: 'Di', email: 'di@example.com', message: 'it broke when I paid' },
      { name: '', email: '', message: 'paid twice', url: 'https://shop.example/pay' },
    ]);
    // The same event id in another project is another event's.
    const other = await counted('other');
    await send(projects.other, {}, report('elsewhere'));
    expect(await counted('other')).toBe(other + 1);
  });

  it('lets retention take feedback by its age, whether or not its event is still kept, and its attachments with it', async () => {
    expect(feedbackRows()).toBeGreaterThan(0);
    expect(feedbackAttachmentRows()).toBeGreaterThan(0);
    const repo = openSqlite(join(setup.dir, 'tracker.db'));
    try {
      // Before every piece was received: nothing goes.
      while (repo.deleteEventsBefore(Date.now() - 3_600_000, 1000) > 0);
      const kept = feedbackRows();
      expect(kept).toBeGreaterThan(0);
      while (repo.deleteEventsBefore(Date.now() + 60_000, 2) > 0);
    } finally {
      repo.close();
    }
    expect(feedbackRows()).toBe(0);
    expect(feedbackAttachmentRows()).toBe(0);
  });
});

describe('the rate limit of user feedback', () => {
  const rateLimited = async () =>
    sample(
      await metricsText(setup.tracker.url),
      'beacon_tracker_rejected_requests_total{reason="rate_limited"}',
    );
  const piece = (message: string) => item('feedback', { contexts: { feedback: { message } } });
  /** The messages of the limited project's feedback, oldest first. */
  const limitedMessages = async () =>
    (await findFeedback('limited:'))
      .filter((f) => f.projectId === projects.limited.id)
      .map((f) => f.message)
      .reverse();

  it('refuses feedback past the events per minute with a 429 naming its category, in a window apart from the events', async () => {
    const p = projects.limited;
    // Two events count in the events' window, not the feedback's.
    for (const n of [40, 41])
      expect(
        (await send(p, { event_id: eventId(n) }, eventItem(`limited: event ${n}`))).status,
      ).toBe(200);
    for (const n of [1, 2, 3]) expect((await send(p, {}, piece(`limited: ${n}`))).status).toBe(200);
    const before = feedbackRows();
    const filesBefore = feedbackAttachmentRows();
    // Refused with its screenshot: neither is kept.
    const refused = await send(
      p,
      {},
      piece('limited: 4'),
      attachmentItem({ filename: 'screenshot.png' }, Buffer.from([0x89, 0x50, 0x4e, 0x47])),
    );
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['x-sentry-rate-limits']).toBe(`${retryAfter}:feedback:project`);
    expect(refused.headers['x-sentry-error']).toBe(
      `project ${p.id} is over its limit of 3 pieces of user feedback per minute`,
    );
    // A user report is the SDKs' `default` category; an event beside refused feedback is kept.
    const beside = await send(
      p,
      { event_id: eventId(42) },
      eventItem('limited: beside feedback'),
      item('user_report', { event_id: eventId(42), comments: 'limited: 5' }),
    );
    expect(beside.status).toBe(429);
    expect(beside.headers['x-sentry-rate-limits']).toBe(
      `${beside.headers['retry-after']}:default:project`,
    );
    expect(feedbackRows()).toBe(before);
    expect(feedbackAttachmentRows()).toBe(filesBefore);
    expect(await limitedMessages()).toEqual(['limited: 1', 'limited: 2', 'limited: 3']);
    expect(await counted('limited')).toBe(3);
    expect((await eventOf('limited: beside feedback')).feedback).toEqual([]);
  });

  it('names both categories when an envelope is over both limits, and the longer wait', async () => {
    const p = projects.limited;
    const both = await send(
      p,
      { event_id: eventId(43) },
      eventItem('limited: over both'),
      piece('limited: 6'),
    );
    expect(both.status).toBe(429);
    const retryAfter = both.headers['retry-after'];
    expect(both.headers['x-sentry-rate-limits']).toMatch(
      /^(\d+):error;default:project, (\d+):feedback:project$/,
    );
    const waits = /^(\d+):.*, (\d+):/.exec(both.headers['x-sentry-rate-limits'] as string)!;
    expect(Number(retryAfter)).toBe(Math.max(Number(waits[1]), Number(waits[2])));
    expect(await limitedMessages()).toEqual(['limited: 1', 'limited: 2', 'limited: 3']);
  });

  it('is read by the real @sentry/node SDK as a limit on feedback only: the fourth piece is held back, the error sent', async () => {
    const before = await rateLimited();
    const stdout = await runTestApp(
      'sentry-feedback-limited.cjs',
      dsnFor(projects.limitedSdk, setup.tracker.url),
    );
    expect(JSON.parse(stdout)).toEqual({ flushed: true });
    // The third piece was sent and refused; the fourth never left the SDK.
    expect((await rateLimited()) - before).toBe(1);
    const kept = (await findFeedback('limited feedback')).map((f) => f.message).sort();
    expect(kept).toEqual(['limited feedback 1', 'limited feedback 2']);
    expect(await counted('limitedSdk')).toBe(2);
    await eventOf('Error: after the feedback limit');
  });
});
