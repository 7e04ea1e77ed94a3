// Client reports as the Sentry SDK writes them (@sentry/core's createClientReportEnvelope and
// serializeEnvelope, what every JavaScript SDK's transport sends), read back as the SDK was given
// them; Relay's own example; and what Relay's serde reading refuses, refused here.
import { createClientReportEnvelope, serializeEnvelope } from '@sentry/core';
import type { ClientReport } from '@sentry/core';
import fc from 'fast-check';
import { readClientReport } from './client-report';
import { parseEnvelope } from './envelope';

const bytes = (s: string) => Buffer.from(s, 'utf8');

/** Reasons the SDKs send, and any other text (a new SDK's), some over Relay's 200 bytes. */
const reason = fc.oneof(
  fc.constantFrom(
    'before_send',
    'event_processor',
    'network_error',
    'queue_overflow',
    'ratelimit_backoff',
    'sample_rate',
    'send_error',
    'internal_sdk_error',
    'buffer_overflow',
  ),
  fc.string({ unit: 'binary', maxLength: 120 }),
);
const category = fc.oneof(
  fc.constantFrom('error', 'transaction', 'span', 'internal', 'log_item', 'replay', 'feedback'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const discard = fc.record({
  reason,
  category,
  quantity: fc.nat(),
});

describe('readClientReport', () => {
  it('reads what the SDK writes, as the SDK was given it, less reasons over 200 bytes', () => {
    fc.assert(
      fc.property(fc.array(discard, { maxLength: 8 }), fc.nat(), (given, timestamp) => {
        const envelope = createClientReportEnvelope(
          given as ClientReport['discarded_events'],
          undefined,
          timestamp,
        );
        const written = serializeEnvelope(envelope);
        const parsed = parseEnvelope(Buffer.from(written));
        expect(parsed.items.map((i) => i.type)).toEqual(['client_report']);
        const expected = given.filter((d) => Buffer.byteLength(d.reason, 'utf8') <= 200);
        expect(readClientReport(parsed.items[0]?.payload as Buffer)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads Relay’s own example (client_report.rs), the Relay lists checked and left out', () => {
    const relay = `{
      "timestamp": "2020-02-07T15:17:00Z",
      "discarded_events": [
        {"reason": "foo_reason", "category": "error", "quantity": 42},
        {"reason": "foo_reason", "category": "transaction", "quantity": 23}
      ],
      "rate_limited_events" : [
          {"reason": "bar_reason", "category": "session", "quantity": 456}
      ]
    }`;
    expect(readClientReport(bytes(relay))).toEqual([
      { reason: 'foo_reason', category: 'error', quantity: 42 },
      { reason: 'foo_reason', category: 'transaction', quantity: 23 },
    ]);
  });

  it('skips an entry whose reason is over 200 bytes, as Relay counts a Rust string', () => {
    const entry = (reason: string) => ({ reason, category: 'error', quantity: 1 });
    const given = [entry('€'.repeat(67)), entry('é'.repeat(100)), entry('x'.repeat(201))];
    expect(readClientReport(bytes(JSON.stringify({ discarded_events: given })))).toEqual([
      entry('é'.repeat(100)), // 200 bytes; the euros are 201 in 67 characters
    ]);
  });

  it('takes unknown keys, an empty list and any category, as serde does', () => {
    expect(readClientReport(bytes('{"discarded_events":[],"sdk":"x"}'))).toEqual([]);
    expect(
      readClientReport(
        bytes(
          '{"discarded_events":[{"reason":"r","category":"not_a_category","quantity":0,"x":1}]}',
        ),
      ),
    ).toEqual([{ reason: 'r', category: 'not_a_category', quantity: 0 }]);
  });

  it.each([
    ['not JSON', 'discarded'],
    ['a list', '[]'],
    ['no discarded_events', '{"timestamp":1}'],
    ['discarded_events null', '{"discarded_events":null}'],
    ['discarded_events an object', '{"discarded_events":{}}'],
    ['an entry not an object', '{"discarded_events":[1]}'],
    ['no quantity', '{"discarded_events":[{"reason":"r","category":"error"}]}'],
    [
      'a negative quantity',
      '{"discarded_events":[{"reason":"r","category":"error","quantity":-1}]}',
    ],
    ['a fraction', '{"discarded_events":[{"reason":"r","category":"error","quantity":0.5}]}'],
    [
      'a quantity past u64',
      '{"discarded_events":[{"reason":"r","category":"error","quantity":1e20}]}',
    ],
    [
      'a quantity as text',
      '{"discarded_events":[{"reason":"r","category":"error","quantity":"1"}]}',
    ],
    ['a reason not text', '{"discarded_events":[{"reason":1,"category":"error","quantity":1}]}'],
    ['no category', '{"discarded_events":[{"reason":"r","quantity":1}]}'],
    ['rate_limited_events null', '{"discarded_events":[],"rate_limited_events":null}'],
    ['filtered_events bad', '{"discarded_events":[],"filtered_events":[{"reason":"r"}]}'],
    ['filtered_sampling_events text', '{"discarded_events":[],"filtered_sampling_events":"x"}'],
  ])('refuses %s, as Relay’s serde reading does', (_what, payload) => {
    expect(readClientReport(bytes(payload))).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8, which serde_json does not read', () => {
    const payload = Buffer.concat([
      bytes('{"discarded_events":[{"reason":"'),
      Buffer.from([0xff]),
      bytes('","category":"error","quantity":1}]}'),
    ]);
    expect(readClientReport(payload)).toBeUndefined();
  });

  it('never throws, whatever the bytes or JSON', () => {
    const check = (payload: Buffer) => {
      const read = readClientReport(payload);
      if (read === undefined) return;
      for (const d of read) {
        expect(typeof d.reason).toBe('string');
        expect(typeof d.category).toBe('string');
        expect(Number.isInteger(d.quantity) && d.quantity >= 0).toBe(true);
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => check(Buffer.from(b))),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => check(bytes(JSON.stringify(v) ?? 'null'))),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (list) =>
        check(bytes(JSON.stringify({ discarded_events: list }))),
      ),
      { numRuns: 5000 },
    );
  });
});
