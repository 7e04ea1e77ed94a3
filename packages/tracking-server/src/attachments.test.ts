// Sentry attachments over HTTP: kept with their event, scrubbed, listed with the events
// and downloaded from /api/v1/attachments/{id}. First the real @sentry/node SDK (its own process,
// unmodified) adding attachments to its scope; then raw envelopes for the edges.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dsnFor, type Project } from './projects';
import { openSqlite } from './store/sqlite';
import { rawPost } from './testing/raw-post';
import { startTestTracker, type TestTracker } from './testing/test-tracker';
import { runTestApp } from './testing/test-app';
import { apiGet, onlyEvent, tableRows } from './testing/tracker-reads';

type Name = 'sdk' | 'raw' | 'plain';
let setup: TestTracker<Name>;
let projects: Record<Name, Project>;

beforeAll(async () => {
  setup = await startTestTracker('attachments', {
    sdk: {},
    raw: {},
    plain: { scrub: { enabled: false } },
  });
  ({ projects } = setup);
});

afterAll(() => setup?.close());

interface Listed {
  id: number;
  filename: string;
  contentType: string;
  type: string;
  size: number;
  filtered: boolean;
}

const api = (path: string, token = 't') => apiGet(setup.tracker.url, path, token);

/** The attachments of the one event of the one issue with this title. */
const attachmentsOf = async (title: string) =>
  (await onlyEvent<{ attachments: Listed[] }>(setup.tracker.url, title)).attachments;

const download = async (id: number) => {
  const res = await api(`/attachments/${id}`);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
};

const eventId = (n: number) => n.toString(16).padStart(32, '0');
/** An envelope of one event titled `title` and these items (header JSON, payload). */
const envelope = (n: number, title: string, items: [object, Buffer | string][]) =>
  Buffer.concat([
    Buffer.from(
      `{"event_id":"${eventId(n)}"}\n{"type":"event"}\n${JSON.stringify({ message: title })}\n`,
    ),
    ...items.map(([header, payload]) => {
      const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
      return Buffer.concat([
        Buffer.from(`${JSON.stringify({ type: 'attachment', length: bytes.length, ...header })}\n`),
        bytes,
        Buffer.from('\n'),
      ]);
    }),
  ]);
const send = (p: Project, body: Buffer, headers: Record<string, string> = {}) =>
  rawPost(`${setup.tracker.url}/api/${p.id}/envelope/?sentry_key=${p.key}`, body, headers);

const attachmentRows = () => tableRows(setup.dir, 'attachments');

describe('the real @sentry/node SDK', () => {
  it('sends the attachments of its scope with the error: listed, scrubbed, downloaded', async () => {
    const stdout = await runTestApp(
      'sentry-attachments.cjs',
      dsnFor(projects.sdk, setup.tracker.url),
    );
    expect(JSON.parse(stdout)).toEqual({ flushed: true });
    const listed = await attachmentsOf('Error: failed with files');
    expect(listed.map(({ id: _, ...rest }) => rest)).toEqual([
      {
        filename: 'config.json',
        contentType: 'application/json',
        type: 'event.attachment',
        size: 62,
        filtered: false,
      },
      {
        filename: 'request.log',
        contentType: 'application/octet-stream',
        type: 'event.attachment',
        size: 63,
        filtered: false,
      },
      {
        filename: 'state.bin',
        contentType: 'application/octet-stream',
        type: 'event.attachment',
        size: 6,
        filtered: false,
      },
    ]);
    const [config, log, state] = await Promise.all(listed.map((a) => download(a.id)));
    expect(JSON.parse(config!.bytes.toString('utf8'))).toEqual({
      db: { host: 'db.internal', password: '[Filtered]' },
      retries: 3,
    });
    expect(log!.bytes.toString('utf8')).toBe('GET /orders\nAuthorization: Bearer [Filtered]\n');
    expect([...state!.bytes]).toEqual([0, 1, 2, 253, 254, 255]);
    // Always a download of bytes, never a page the browser renders.
    expect(config!.res.headers.get('content-type')).toBe('application/octet-stream');
    expect(config!.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(config!.res.headers.get('content-disposition')).toBe(
      'attachment; filename="config.json"',
    );
  });
});

describe('attachments in raw envelopes', () => {
  it('keeps binary bytes as sent, empty ones too, and masks the card number in a binary attachment in place', async () => {
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x80]);
    const dump = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from(' 4111111111111111 '),
    ]);
    const answer = await send(
      projects.raw,
      envelope(1, 'three files', [
        [{ filename: 'screen.png', content_type: 'image/png' }, image],
        [{ filename: 'crash.dmp', attachment_type: 'event.minidump' }, dump],
        [{ filename: 'empty.txt' }, ''],
      ]),
    );
    expect([answer.status, answer.text]).toEqual([200, `{"id":"${eventId(1)}"}`]);
    const [png, dmp, empty] = await attachmentsOf('three files');
    expect(empty).toMatchObject({ filename: 'empty.txt', size: 0, filtered: false });
    const none = await download(empty!.id);
    expect([none.res.status, none.bytes.length]).toEqual([200, 0]);
    expect(png).toMatchObject({ filename: 'screen.png', contentType: 'image/png', size: 8 });
    expect(dmp).toMatchObject({ type: 'event.minidump', size: dump.length, filtered: false });
    expect((await download(png!.id)).bytes.equals(image)).toBe(true);
    expect([...(await download(dmp!.id)).bytes]).toEqual([
      0xff,
      0xfe,
      0x00,
      ...Buffer.from(' **************** '),
    ]);
    // One an earlier version filtered whole (no bytes kept) is listed so, and not downloaded.
    const db = new Database(join(setup.dir, 'tracker.db'));
    db.prepare('UPDATE attachments SET data = NULL WHERE id = ?').run(dmp!.id);
    db.close();
    expect((await attachmentsOf('three files'))[1]).toMatchObject({ filtered: true });
    const filtered = await download(dmp!.id);
    expect(filtered.res.status).toBe(404);
    expect(JSON.parse(filtered.bytes.toString('utf8'))).toEqual({
      error: `attachment ${dmp!.id} was filtered whole by an earlier version's scrubbing: it is not text, and held a sensitive shape`,
    });
  });

  it('names a download whose name is not ASCII in filename* (RFC 8187), its filename ASCII', async () => {
    // A name of Latin-1 letters went out in filename alone, and clients saved Grýýe.csv.
    await send(
      projects.raw,
      envelope(4, 'named files', [
        [{ filename: 'Größe.csv' }, 'a;b'],
        [{ filename: '日本.log' }, 'x'],
      ]),
    );
    const [latin, cjk] = await attachmentsOf('named files');
    expect([latin?.filename, cjk?.filename]).toEqual(['Größe.csv', '日本.log']);
    const dispositions = await Promise.all(
      [latin!, cjk!].map(async (a) =>
        (await download(a.id)).res.headers.get('content-disposition'),
      ),
    );
    expect(dispositions).toEqual([
      `attachment; filename="Gr??e.csv"; filename*=UTF-8''Gr%C3%B6%C3%9Fe.csv`,
      `attachment; filename="??.log"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.log`,
    ]);
  });

  it('keeps every byte of a project that does not scrub', async () => {
    const secret = 'password=hunter2 Bearer abcdefghijklmnopqrstuvwxyz';
    await send(projects.plain, envelope(2, 'plain file', [[{ filename: 'x.txt' }, secret]]));
    const [only] = await attachmentsOf('plain file');
    expect((await download(only!.id)).bytes.toString('utf8')).toBe(secret);
  });

  it('does not keep attachments sent without an event', async () => {
    const before = attachmentRows();
    const alone = await send(
      projects.raw,
      Buffer.from(`{"event_id":"${eventId(3)}"}\n{"type":"attachment","filename":"a.txt"}\nabc\n`),
    );
    expect([alone.status, alone.text]).toEqual([200, `{"id":"${eventId(3)}"}`]);
    expect(attachmentRows()).toBe(before);
  });

  it('refuses an envelope whose attachments exceed 20 MB together (413), and stores nothing of it', async () => {
    const before = attachmentRows();
    const half = Buffer.alloc(10 * 1024 * 1024 + 1);
    const body = gzipSync(
      envelope(4, 'too much', [
        [{ filename: 'a' }, half],
        [{ filename: 'b' }, half],
      ]),
    );
    const answer = await send(projects.raw, body, { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
    expect(answer.headers['x-sentry-error']).toBe(
      'the attachments of one envelope exceed the 20 MB limit together',
    );
    expect(attachmentRows()).toBe(before);
    // 20 MB exactly are taken.
    const exactly = gzipSync(
      envelope(5, 'twenty', [
        [{ filename: 'a' }, half.subarray(1)],
        [{ filename: 'b' }, half.subarray(1)],
      ]),
    );
    expect((await send(projects.raw, exactly, { 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await attachmentsOf('twenty')).map((a) => a.size)).toEqual([10485760, 10485760]);
  });

  it('refuses a header that is not a string (400), naming the item', async () => {
    const answer = await send(projects.raw, envelope(6, 'bad header', [[{ filename: 7 }, 'x']]));
    expect(answer.status).toBe(400);
    expect(answer.headers['x-sentry-error']).toBe(
      'invalid envelope: item 2 (attachment) header filename is not a string',
    );
  });
});

describe('GET /api/v1/attachments/{id}', () => {
  it('answers 401 without the token, 400 for an id that is none, 404 for one not stored', async () => {
    expect((await api('/attachments/1', 'wrong')).status).toBe(401);
    const bad = await api('/attachments/abc');
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { error: 'attachment id must be a positive integer of up to 15 digits; got "abc"' },
    ]);
    const missing = await api('/attachments/999999');
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: 'attachment 999999 not found' },
    ]);
  });

  it('no longer finds an attachment once retention deleted its event', async () => {
    await send(projects.raw, envelope(7, 'short lived', [[{ filename: 'gone.txt' }, 'bye']]));
    const [listed] = await attachmentsOf('short lived');
    expect((await download(listed!.id)).res.status).toBe(200);
    const repo = openSqlite(join(setup.dir, 'tracker.db'));
    try {
      while (repo.deleteEventsBefore(Date.now() + 60_000, 1000) > 0);
    } finally {
      repo.close();
    }
    expect((await download(listed!.id)).res.status).toBe(404);
    expect(attachmentRows()).toBe(0);
  });
});
