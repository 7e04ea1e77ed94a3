import fc from 'fast-check';
import { EnvelopeError, parseEnvelope, TooManyItemsError } from './envelope';
// Valid envelopes from a generator that does not use the parser: what an SDK would write.
import { envelope, randomOrMutatedEnvelope } from './testdata/envelopes';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('envelope parser', () => {
  it('reads the header and items with and without length, as in Sentry’s protocol docs', () => {
    const env = parseEnvelope(
      b(
        '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42"}\n' +
          '{"type":"attachment","length":10,"content_type":"text/plain","filename":"hello.txt"}\n' +
          '\ufeffHello\r\n\n' + // a BOM (3 bytes) + Hello + CRLF = 10 bytes
          '{"type":"event","length":41,"content_type":"application/json","filename":"application.log"}\n' +
          '{"message":"hello world","level":"error"}\n',
      ),
    );
    expect(env.headers.event_id).toBe('9ec79c33ec9942ab8353589fcb2e04dc');
    expect(env.items.map((i) => [i.type, i.payload.length])).toEqual([
      ['attachment', 10],
      ['event', 41],
    ]);
    expect(JSON.parse(env.items[1]?.payload.toString() ?? '')).toEqual({
      message: 'hello world',
      level: 'error',
    });
  });

  it('counts length in bytes, so multi-byte payloads and payloads with newlines are exact', () => {
    const payload = '{"message":"naïve\\nline","x":"€"}';
    const env = parseEnvelope(
      b(`{}\n{"type":"event","length":${Buffer.byteLength(payload)}}\n${payload}`),
    );
    expect(env.items[0]?.payload.toString()).toBe(payload);
  });

  it('reads payloads without length up to the newline, and an empty header and no items', () => {
    const env = parseEnvelope(
      b('{}\n{"type":"session"}\n{"sid":"x"}\n{"type":"unknown_future_type"}\n{"a":1}'),
    );
    expect(env.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ['session', '{"sid":"x"}'],
      ['unknown_future_type', '{"a":1}'],
    ]);
    expect(parseEnvelope(b('{}')).items).toEqual([]);
  });

  it.each([
    ['', 'empty envelope'],
    ['not json\n', 'envelope header is not JSON'],
    ['[1]\n', 'envelope header must be a JSON object'],
    ['{}\n{"length":2}\n{}', 'item 1 header has no "type"'],
    [
      '{}\n{"type":"event","length":99}\n{}',
      'item 1 (event): "length" is 99 bytes but only 2 remain',
    ],
    ['{}\n{"type":"event","length":-1}\n{}', '"length" must be a non-negative integer'],
    ['{}\n{"type":"event","length":1}\n{}', 'payload is longer than its "length" 1'],
    // Windows line endings: the length is right, and "\r\n" follows the payload (Relay: 400 too).
    [
      '{}\r\n{"type":"event","length":2}\r\n{}\r\n',
      'item 1 (event): payload of "length" 2 is followed by "\\r\\n", not "\\n"',
    ],
    ['{}\n{"type":"event"\n{}', 'item 1 header is not JSON'],
  ])('rejects %j with %j', (text, message) => {
    expect(() => parseEnvelope(b(text))).toThrow(EnvelopeError);
    expect(() => parseEnvelope(b(text))).toThrow(message);
  });

  it('reads every generated valid envelope item for item, byte for byte', () => {
    fc.assert(
      fc.property(envelope, ({ bytes, expected }) => {
        const env = parseEnvelope(bytes);
        expect(env.items.map((i) => ({ type: i.type, payload: Buffer.from(i.payload) }))).toEqual(
          expected,
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it('never fails on random or mutated bytes with anything but an EnvelopeError (100k cases)', () => {
    fc.assert(
      fc.property(randomOrMutatedEnvelope, (bytes) => {
        try {
          parseEnvelope(bytes);
        } catch (err) {
          if (!(err instanceof EnvelopeError)) throw err;
        }
      }),
      { numRuns: 100_000 },
    );
  });
});

describe('the number of items', () => {
  it('is at most 1,000: the 1,001st is refused as too many, blank lines not counted', () => {
    const item = '{"type":"session"}\n{}\n\n';
    expect(parseEnvelope(b(`{}\n${item.repeat(1000)}`)).items).toHaveLength(1000);
    expect(() => parseEnvelope(b(`{}\n${item.repeat(1001)}`))).toThrow(
      new TooManyItemsError('more than 1000 items'),
    );
  });
});

describe('whitespace before the envelope header', () => {
  it('is skipped, blank lines too, as Relay’s JSON reader skips it', () => {
    const env = parseEnvelope(b('\n \r\n\t{"event_id":null}\n{"type":"event"}\n{"message":"x"}\n'));
    expect(env.headers).toEqual({ event_id: null });
    expect(env.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ['event', '{"message":"x"}'],
    ]);
  });

  it('with nothing after it is a missing header', () => {
    expect(() => parseEnvelope(b(' \n\r\n'))).toThrow(new EnvelopeError('missing envelope header'));
  });
});

describe('item headers as Relay reads them (relay-server envelope/item.rs, Item::parse)', () => {
  it('skips a line of only spaces or a carriage return between items, as serde_json skips whitespace', () => {
    const env = parseEnvelope(
      b('{}\n{"type":"event"}\n{"message":"a"}\n  \n\r\n{"type":"event"}\n{"message":"b"}\n'),
    );
    expect(env.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ['event', '{"message":"a"}'],
      ['event', '{"message":"b"}'],
    ]);
  });

  it('reads "length": null as no length (an Option<u32> in ItemHeaders): the payload runs to the newline', () => {
    const env = parseEnvelope(b('{}\n{"type":"event","length":null}\n{"message":"x"}\n'));
    expect(env.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ['event', '{"message":"x"}'],
    ]);
  });
});
