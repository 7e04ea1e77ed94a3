// Attachment items as the Sentry SDK writes them (@sentry/core's createAttachmentEnvelopeItem and
// serializeEnvelope), read back as the SDK was given them; and what scrubbing keeps of their
// bytes, the expected bytes written by hand.
import { createAttachmentEnvelopeItem, createEnvelope, serializeEnvelope } from '@sentry/core';
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { createScrubber, FILTERED } from '../scrub/scrub';
import {
  DEFAULT_ATTACHMENT_TYPE,
  DEFAULT_CONTENT_TYPE,
  readAttachment,
  scrubAttachment,
  type SentAttachment,
  UNNAMED_ATTACHMENT,
} from './attachment';
import { EnvelopeError, parseEnvelope } from './envelope';

const scrubbing = createScrubber({ enabled: true });
const notScrubbing = createScrubber({ enabled: false });
const sent = (data: string | Uint8Array, filename = 'a.bin'): SentAttachment => ({
  filename,
  contentType: DEFAULT_CONTENT_TYPE,
  type: DEFAULT_ATTACHMENT_TYPE,
  data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
});
const textOf = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : Buffer.from(data).toString('utf8');

describe('readAttachment', () => {
  it('reads what the SDK writes, as the SDK was given it', () => {
    const header = fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        header,
        header,
        header,
        fc.uint8Array({ maxLength: 300 }),
        (filename, contentType, attachmentType, data) => {
          const item = createAttachmentEnvelopeItem({
            filename: filename as string, // the SDK's type says required; JavaScript sends none
            data,
            ...(contentType !== undefined ? { contentType } : {}),
            ...(attachmentType !== undefined
              ? { attachmentType: attachmentType as 'event.attachment' }
              : {}),
          });
          const written = serializeEnvelope(createEnvelope({}, [item]));
          const [parsed] = parseEnvelope(Buffer.from(written)).items;
          expect(parsed?.type).toBe('attachment');
          const read = readAttachment(parsed!, 1);
          expect(read.filename).toBe(filename ?? 'Unnamed Attachment');
          expect(read.contentType).toBe(contentType ?? 'application/octet-stream');
          expect(read.type).toBe(attachmentType ?? 'event.attachment');
          expect(Buffer.from(read.data).equals(Buffer.from(data))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('names an attachment without a filename as Relay does, and cuts long header values', () => {
    const payload = Buffer.from('x');
    expect(readAttachment({ type: 'attachment', headers: {}, payload }, 1).filename).toBe(
      UNNAMED_ATTACHMENT,
    );
    expect(
      readAttachment({ type: 'attachment', headers: { filename: null }, payload }, 1).filename,
    ).toBe('Unnamed Attachment');
    const long = readAttachment(
      { type: 'attachment', headers: { filename: 'f'.repeat(300) }, payload },
      1,
    );
    expect(long.filename).toBe('f'.repeat(256));
  });

  it.each(['filename', 'content_type', 'attachment_type'])(
    'refuses a %s that is not a string, naming the item and the header',
    (name) => {
      for (const value of [42, true, ['a'], { a: 1 }]) {
        const item = { type: 'attachment', headers: { [name]: value }, payload: Buffer.from('') };
        expect(() => readAttachment(item, 3)).toThrow(EnvelopeError);
        expect(() => readAttachment(item, 3)).toThrow(
          `item 3 (attachment) header ${name} is not a string`,
        );
      }
    },
  );
});

describe('scrubAttachment', () => {
  it('filters the sensitive shapes of text, leaving the rest of it as it was', () => {
    const log = [
      'GET /orders?page=2&api_key=sk_live_51Habc HTTP/1.1',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
      'card 4111 1111 1111 1111 declined',
      'Authentication failed for user 7',
    ].join('\n');
    const kept = scrubAttachment(sent(log, 'request.log'), scrubbing);
    expect(textOf(kept.data)).toBe(
      [
        `GET /orders?page=2&api_key=${FILTERED} HTTP/1.1`,
        `Authorization: Bearer ${FILTERED}`,
        `card ${FILTERED} declined`,
        'Authentication failed for user 7',
      ].join('\n'),
    );
    expect(kept.size).toBe(Buffer.byteLength(log));
    expect(kept.filename).toBe('request.log');
  });

  it('filters JSON by its keys, as an event is', () => {
    const config = '{"db": {"host": "db.internal", "password": "hunter2"}, "retries": 3}';
    const kept = scrubAttachment(sent(config, 'config.json'), scrubbing);
    expect(JSON.parse(textOf(kept.data) as string)).toEqual({
      db: { host: 'db.internal', password: FILTERED },
      retries: 3,
    });
  });

  it('writes JSON that repeats a key again, without the values its parse dropped', () => {
    const config = '{"db": {"dsn": "postgres://app:s3cret@db/app", "dsn": "postgres://db/app"}}';
    const kept = scrubAttachment(sent(config, 'config.json'), scrubbing);
    expect(textOf(kept.data)).toBe('{"db":{"dsn":"postgres://db/app"}}');
  });

  it('keeps text and JSON with nothing to filter byte for byte, spacing and all', () => {
    for (const text of ['{ "a" :  1 }\n', '[1, 2,\n 3]', 'plain text\r\n', '"a string"', '']) {
      const data = Buffer.from(text, 'utf8');
      expect(scrubAttachment(sent(data), scrubbing).data).toBe(data);
    }
  });

  it('keeps bytes that are not text as they are when nothing in them is sensitive', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00, 0xfe]);
    const kept = scrubAttachment(sent(png, 'screen.png'), scrubbing);
    expect(kept.data).toBe(png);
    expect(kept.size).toBe(11);
  });

  it('masks what is sensitive in bytes that are not text in place, each character a "*", keeping every other byte', () => {
    // A minidump's memory with a card number, a bearer token and a secret parameter in it, as
    // single-byte text and as UTF-16LE (Windows' strings), between binary bytes; the UTF-16LE
    // at an even offset and at an odd one (after a byte of its own, as a packed record puts it).
    const head = [0x4d, 0x44, 0x4d, 0x50, 0xff, 0xfe];
    const tail = [0x00, 0x81];
    const dump = (text: string, [encoding, odd]: (typeof readings)[number]) =>
      Buffer.from([...head, ...(odd ? [0x07] : []), ...Buffer.from(text, encoding), ...tail]);
    const readings = [
      ['latin1', false],
      ['utf16le', false],
      ['utf16le', true],
    ] as const;
    const cases: [string, string][] = [
      [' 4111111111111111 ', ' **************** '],
      [' Bearer abcdefghijklmnopqrstuvwxyz ', ' Bearer ************************** '],
      [' ?user=7&password=hunter2 ', ' ?user=7&password=******* '],
    ];
    for (const reading of readings)
      for (const [secret, masked] of cases) {
        const sentBytes = dump(secret, reading);
        const kept = scrubAttachment(
          { ...sent(sentBytes, 'crash.dmp'), type: 'event.minidump' },
          scrubbing,
        );
        expect(kept).toEqual({
          filename: 'crash.dmp',
          contentType: 'application/octet-stream',
          type: 'event.minidump',
          size: sentBytes.length,
          data: dump(masked, reading),
        });
        // The bytes sent are not written over.
        expect(sentBytes.equals(dump(secret, reading))).toBe(true);
      }
  });

  it('keeps every byte as sent when the project does not scrub', () => {
    const secret = Buffer.from('password=hunter2 4111111111111111', 'utf8');
    expect(scrubAttachment(sent(secret), notScrubbing).data).toBe(secret);
  });

  it('never throws, keeps the size sent, and changes only what it filters: in bytes, to "*" in place', () => {
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
      fc.json().map((s) => Buffer.from(s, 'utf8')),
    );
    fc.assert(
      fc.property(data, (bytes) => {
        const kept = scrubAttachment(sent(bytes), scrubbing);
        expect(kept.size).toBe(bytes.length);
        if (Buffer.from(kept.data).equals(Buffer.from(bytes))) return;
        if (isUtf8(bytes)) {
          expect(textOf(kept.data)).toContain(FILTERED);
          return;
        }
        // Masked: as long as sent, each changed byte a "*" (0x2a) or the 0x00 after one in
        // UTF-16LE.
        expect(kept.data.length).toBe(bytes.length);
        kept.data.forEach((b, i) => {
          if (b !== bytes[i]) expect([0x2a, 0x00]).toContain(b);
        });
      }),
      { numRuns: 3000 },
    );
  });
});
