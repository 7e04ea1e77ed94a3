// Envelopes as the Sentry SDK itself writes them, read here item for item. Every JavaScript SDK's
// transport sends what @sentry/core's serializeEnvelope makes of the envelope its
// createEventEnvelope, createAttachmentEnvelopeItem and createEnvelope build, so random events,
// attachments (bytes or text, empty ones too), sessions and client reports are written by that
// code, not by a generator of this repository, and what the parser must find is what the SDK was
// given: each item's type, its JSON payload as JSON.parse reads the SDK's JSON.stringify, an
// attachment's bytes as TextEncoder encodes them.
import {
  addItemToEnvelope,
  createAttachmentEnvelopeItem,
  createEnvelope,
  createEventEnvelope,
  makeDsn,
  serializeEnvelope,
  type Envelope as SdkEnvelope,
  type Event,
} from '@sentry/core';
import fc from 'fast-check';
import { parseEnvelope } from './envelope';

const DSN = makeDsn('https://e12d836b15bb49d7bbf99e64295d995b@sentry.example.com/42');
if (!DSN) throw new Error('the test DSN does not parse');

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
/** Any UTF-16 text, lone surrogates, newlines and U+2028 among it. */
const text = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
});

const event = fc.record(
  {
    event_id: hex32,
    message: text,
    level: fc.constantFrom('fatal', 'error', 'warning', 'info', 'debug'),
    timestamp: fc.double({ min: 0, max: 4e9, noNaN: true }),
    extra: fc.dictionary(text, fc.jsonValue(), { maxKeys: 4 }),
    tags: fc.dictionary(text, text, { maxKeys: 3 }),
  },
  { requiredKeys: ['event_id'] },
);

/** An item the SDK adds to an envelope, and what a reader must find in it. */
type Written = { item: SdkEnvelope[1][number]; type: string; json?: unknown; bytes?: Uint8Array };

const attachment = fc
  .record({
    data: fc.oneof(text, fc.uint8Array({ maxLength: 300 })),
    filename: text,
    contentType: fc.option(fc.constantFrom('text/plain', 'application/octet-stream'), {
      nil: undefined,
    }),
  })
  .map(({ data, filename, contentType }): Written => {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : Uint8Array.from(data);
    const item = createAttachmentEnvelopeItem({ data, filename, contentType });
    return { item, type: 'attachment', bytes };
  });

/** A JSON item the SDK writes without a length: its payload runs to the newline. */
const jsonItem = (type: string, payload: fc.Arbitrary<object>) =>
  payload.map((p): Written => ({
    item: [{ type }, p] as unknown as SdkEnvelope[1][number],
    type,
    json: JSON.parse(JSON.stringify(p)),
  }));

const session = jsonItem(
  'session',
  fc.record({
    sid: hex32,
    status: fc.constantFrom('ok', 'exited', 'crashed'),
    errors: fc.nat(),
    init: fc.boolean(),
  }),
);
const clientReport = jsonItem(
  'client_report',
  fc.record({
    timestamp: fc.nat(),
    discarded_events: fc.array(fc.record({ reason: text, category: text, quantity: fc.nat() }), {
      maxLength: 3,
    }),
  }),
);

describe('envelopes as the Sentry SDK writes them (@sentry/core serializeEnvelope)', () => {
  it('are read item for item: an event, then attachments, sessions and client reports in any order', () => {
    fc.assert(
      fc.property(
        event,
        fc.array(fc.oneof(attachment, session, clientReport), { maxLength: 5 }),
        (ev, more) => {
          const expectedEvent = JSON.parse(JSON.stringify(ev));
          let envelope: SdkEnvelope = createEventEnvelope({ ...ev } as Event, DSN);
          for (const w of more) envelope = addItemToEnvelope(envelope, w.item as never);
          const written = serializeEnvelope(envelope);
          const bytes = Buffer.from(
            typeof written === 'string' ? new TextEncoder().encode(written) : written,
          );

          const read = parseEnvelope(bytes);
          // The SDK names the event and when it was sent; the DSN only when sent through a tunnel.
          expect(read.headers).toEqual({ event_id: ev.event_id, sent_at: expect.any(String) });
          expect(read.items.map((i) => i.type)).toEqual(['event', ...more.map((w) => w.type)]);
          expect(JSON.parse(read.items[0]!.payload.toString('utf8'))).toEqual(expectedEvent);
          more.forEach((w, k) => {
            const payload = read.items[k + 1]!.payload;
            if (w.bytes) expect(new Uint8Array(payload)).toEqual(w.bytes);
            else expect(JSON.parse(payload.toString('utf8'))).toEqual(w.json);
          });
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('are read when they hold attachments only, the last one empty or ending in a newline', () => {
    const header = { event_id: 'a'.repeat(32), sent_at: '2026-12-05T20:00:00.000Z' };
    const items = [
      createAttachmentEnvelopeItem({ data: 'line one\nline two\n', filename: 'log.txt' }),
      createAttachmentEnvelopeItem({
        data: new Uint8Array([0x0a, 0x00, 0xff, 0x0a]),
        filename: 'dump.bin',
      }),
      createAttachmentEnvelopeItem({ data: '', filename: 'empty.txt' }),
    ];
    const written = serializeEnvelope(createEnvelope(header, items));
    const read = parseEnvelope(Buffer.from(written as Uint8Array));
    expect(read.items.map((i) => [i.headers.filename, [...i.payload]])).toEqual([
      ['log.txt', [...Buffer.from('line one\nline two\n')]],
      ['dump.bin', [0x0a, 0x00, 0xff, 0x0a]],
      ['empty.txt', []],
    ]);
  });
});
