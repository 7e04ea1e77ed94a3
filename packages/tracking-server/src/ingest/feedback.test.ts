// User feedback items: `user_report` items as the Sentry SDK's own envelope writer serialises
// them (@sentry/core's createEnvelope and serializeEnvelope, as the browser SDK's
// captureUserFeedback sent them), read back as they were given; `feedback` items as
// captureFeedback writes its event; and any JSON at all read or refused, never thrown past.
import { createEnvelope, serializeEnvelope } from '@sentry/core';
import fc from 'fast-check';
import { createScrubber } from '../scrub/scrub';
import { EnvelopeError, parseEnvelope, type EnvelopeItem } from './envelope';
import { FEEDBACK_LIMITS, readFeedback } from './feedback';

const scrubbing = createScrubber({ enabled: true });
const notScrubbing = createScrubber({ enabled: false });
const ID = '4cec9f3e1f214073b816e0f4de5f59b1';

const itemOf = (type: string, payload: unknown): EnvelopeItem => ({
  type,
  headers: { type },
  payload: Buffer.from(JSON.stringify(payload), 'utf8'),
});
const feedbackEvent = (feedback: object, extra: object = {}) =>
  itemOf('feedback', { type: 'feedback', level: 'info', contexts: { feedback }, ...extra });

describe('user_report items', () => {
  it('reads what the SDK writes, as it was given', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 60 });
    fc.assert(
      fc.property(fc.uuid(), text, text, text, (uuid, name, email, comments) => {
        const envelope = serializeEnvelope(
          createEnvelope({ event_id: uuid }, [
            [{ type: 'user_report' }, { event_id: uuid, name, email, comments }],
          ]),
        );
        const [item] = parseEnvelope(Buffer.from(envelope)).items;
        const id = uuid.split('-').join('').toLowerCase();
        // What it was sent as is the event it names: Sentry keeps one report an event.
        expect(readFeedback(item as EnvelopeItem, 1, notScrubbing)).toEqual({
          eventId: id,
          sentId: id,
          name,
          email,
          message: comments,
        });
      }),
    );
  });

  it('reads null or absent text as none, and refuses text of another kind, naming it', () => {
    expect(readFeedback(itemOf('user_report', { event_id: ID, name: null }), 3, scrubbing)).toEqual(
      {
        eventId: ID,
        sentId: ID,
        name: '',
        email: '',
        message: '',
      },
    );
    const refusals: [unknown, string][] = [
      [{ event_id: ID, email: ['a@b.c'] }, 'item 3 (user_report) email is a list, not a string'],
      [
        { event_id: ID, comments: { text: 'x' } },
        'item 3 (user_report) comments is an object, not a string',
      ],
      [{ event_id: 12 }, 'item 3 (user_report) event_id is 12, not a string'],
      [{ event_id: null }, 'item 3 (user_report) has no event_id'],
      [{ event_id: `${ID}0` }, `item 3 (user_report) event_id "${ID}0" is not an event id`],
      [[ID], 'item 3 (user_report) payload'],
    ];
    for (const [payload, message] of refusals) {
      const read = () => readFeedback(itemOf('user_report', payload), 3, scrubbing);
      expect(read).toThrow(EnvelopeError);
      expect(read).toThrow(message);
    }
  });

  it("cuts text at the lengths Sentry's model keeps, counting characters as Python does: an emoji is one", () => {
    const read = readFeedback(
      itemOf('user_report', {
        event_id: ID,
        name: `${'😀'.repeat(128)}x`,
        email: `${'e'.repeat(74)}😀😀`,
        comments: 'c'.repeat(5000),
      }),
      1,
      notScrubbing,
    );
    expect(read.name).toBe('😀'.repeat(128));
    expect(read.email).toBe(`${'e'.repeat(74)}😀`);
    expect(read.message).toBe('c'.repeat(4096));
  });

  it('scrubs the text before it is cut: a card number across the cut is still filtered', () => {
    const comments = `${'x'.repeat(4090)} 4111 1111 1111 1111`;
    const read = readFeedback(itemOf('user_report', { event_id: ID, comments }), 1, scrubbing);
    expect(read.message).toBe(`${'x'.repeat(4090)} [Filt`);
  });
});

describe('feedback items', () => {
  it('reads the feedback context as captureFeedback writes it', () => {
    const item = feedbackEvent({
      message: 'It broke at checkout',
      name: 'Ana',
      contact_email: 'ana@example.com',
      url: 'https://shop.example/cart?token=abc123',
      source: 'api',
      associated_event_id: ID.toUpperCase(),
    });
    expect(readFeedback(item, 2, scrubbing)).toEqual({
      eventId: ID,
      name: 'Ana',
      email: 'ana@example.com',
      message: 'It broke at checkout',
      url: 'https://shop.example/cart?token=[Filtered]',
    });
  });

  it('is known by its own event id, not the one it names: two pieces about one error are two', () => {
    const own = '7d1a0c2e-5b3f-4a69-9c1e-0f2b3c4d5e6f';
    const about = { message: 'm', associated_event_id: ID };
    expect(
      readFeedback(feedbackEvent(about, { event_id: own.toUpperCase() }), 1, scrubbing),
    ).toEqual({ eventId: ID, sentId: own.split('-').join(''), name: '', email: '', message: 'm' });
    // An id Relay would not read is none, and no reason to refuse the feedback.
    for (const event_id of [undefined, 'abc', 7])
      expect(readFeedback(feedbackEvent(about, { event_id }), 1, scrubbing)).not.toHaveProperty(
        'sentId',
      );
  });

  it("takes the name and address from the event's user where the form left them out", () => {
    const user = { user: { name: 'Bo', email: 'bo@example.com' } };
    expect(readFeedback(feedbackEvent({ message: 'm' }, user), 1, scrubbing)).toEqual({
      name: 'Bo',
      email: 'bo@example.com',
      message: 'm',
    });
    expect(
      readFeedback(
        feedbackEvent({ message: 'm', name: 'Cy', contact_email: 'cy@x.io' }, user),
        1,
        scrubbing,
      ),
    ).toMatchObject({ name: 'Cy', email: 'cy@x.io' });
    // A user field that is no string is not the form's, and not a reason to refuse it.
    expect(
      readFeedback(feedbackEvent({ message: 'm' }, { user: { name: 5 } }), 1, scrubbing),
    ).toMatchObject({ name: '' });
  });

  it('refuses feedback without a message, or with fields of another kind, naming them', () => {
    const refusals: [EnvelopeItem, string][] = [
      [feedbackEvent({ name: 'Ana' }), 'item 1 (feedback) has no contexts.feedback.message'],
      [feedbackEvent({ message: '\n' }), 'item 1 (feedback) has no contexts.feedback.message'],
      [
        feedbackEvent({ message: 4 }),
        'item 1 (feedback) contexts.feedback.message is 4, not a string',
      ],
      [
        feedbackEvent({ message: 'm', associated_event_id: 'abc' }),
        'item 1 (feedback) contexts.feedback.associated_event_id "abc" is not an event id',
      ],
      [
        itemOf('feedback', { contexts: { feedback: 'm' } }),
        'item 1 (feedback) has no contexts.feedback object',
      ],
      [itemOf('feedback', { message: 'm' }), 'item 1 (feedback) has no contexts.feedback object'],
    ];
    for (const [item, message] of refusals) {
      const read = () => readFeedback(item, 1, scrubbing);
      expect(read).toThrow(EnvelopeError);
      expect(read).toThrow(message);
    }
  });
});

describe('any JSON', () => {
  it('is read within the limits or refused with an EnvelopeError, never thrown past', () => {
    const field = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 5000 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const payload = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        { event_id: fc.oneof(fc.uuid(), field), name: field, email: field, comments: field },
        { requiredKeys: [] },
      ),
      fc.record({
        contexts: fc.record(
          {
            feedback: fc.record(
              {
                message: field,
                name: field,
                contact_email: field,
                associated_event_id: field,
                url: field,
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
        user: fc.jsonValue({ maxDepth: 2 }),
        event_id: fc.oneof(fc.uuid(), field),
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('user_report', 'feedback'), payload, (type, json) => {
        let read;
        try {
          read = readFeedback(itemOf(type, json), 1, scrubbing);
        } catch (err) {
          expect(err).toBeInstanceOf(EnvelopeError);
          expect((err as Error).message).toMatch(/^item 1 \((user_report|feedback)\) /);
          return;
        }
        for (const key of ['name', 'email', 'message', 'url'] as const) {
          const value = read[key] ?? '';
          expect([...value].length).toBeLessThanOrEqual(FEEDBACK_LIMITS[key]);
          // Never cut between the halves of a surrogate pair (the strings sent are whole).
          expect(value).not.toMatch(/[\ud800-\udbff]$/);
        }
        if (read.eventId !== undefined) expect(read.eventId).toMatch(/^[0-9a-f]{32}$/);
        if (read.sentId !== undefined) expect(read.sentId).toMatch(/^[0-9a-f]{32}$/);
        // A user report is known by the event it names.
        if (type === 'user_report') expect(read.sentId).toBe(read.eventId);
      }),
      { numRuns: 300 },
    );
  });
});
