import fc from 'fast-check';
import { createScrubber, FILTERED } from '../scrub/scrub';
import { readEvent } from './event';

const scrub = createScrubber({ enabled: true });
const NOW = 1_700_000_000_000;
const read = (text: string) => readEvent(JSON.parse(text), 7, scrub, NOW, text);

describe('reading a Sentry event', () => {
  it('stores the text as sent when scrubbing changed nothing', () => {
    const text = `{"event_id":"${'ab'.repeat(16)}","message":"Cannot connect",  "level":"warning"}`;
    expect(read(text).payload).toBe(text);
  });

  it('serialises again when something was filtered', () => {
    const e = read(`{"event_id":"${'ab'.repeat(16)}","extra":{"password":"hunter2"}}`);
    expect(JSON.parse(e.payload)).toEqual({
      event_id: 'ab'.repeat(16),
      extra: { password: FILTERED },
    });
  });

  it('serialises again when the text repeats a key, so no value JSON.parse dropped is stored', () => {
    const id = 'ab'.repeat(16);
    const e = read(
      `{"event_id":"${id}","message":"m","extra":{"note":"Bearer abc.def.ghi","note":"ok"}}`,
    );
    expect(e.payload).not.toContain('abc.def');
    expect(JSON.parse(e.payload)).toEqual({ event_id: id, message: 'm', extra: { note: 'ok' } });
    const again = read(
      `{"event_id":"${id}","user":{"password":"hunter2","password":"${FILTERED}"}}`,
    );
    expect(again.payload).not.toContain('hunter2');
  });

  it('stores no secret a repeated key held, wherever the key and whatever follows it', () => {
    // Each secret is one the scrubber filters wherever it is found.
    const secrets = [
      'Bearer Zk3qWv8Xp2Lr9Tn4',
      '4111 1111 1111 1111',
      'https://x.io/?api_key=Zk3qWv8Xp2',
    ];
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(...secrets),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.constantFrom('', ' ', '\n  '),
        (key, secret, between, last, blank) => {
          const k = JSON.stringify(key);
          const text =
            `{"event_id":"${'ab'.repeat(16)}","message":"m",${blank}"extra":{${k}${blank}:${blank}${JSON.stringify(secret)},` +
            `"between":${JSON.stringify(between)},${k}:${JSON.stringify(last)}}}`;
          const { payload } = read(text);
          expect(payload).not.toContain('Zk3qWv8Xp2');
          expect(payload).not.toContain('4111 1111');
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('serialises again when the event id is rewritten to 32 lower-case hex digits', () => {
    const e = read('{"event_id":"9EC79C33-EC99-42AB-8353-589FCB2E04DC","message":"m"}');
    expect(e.eventId).toBe('9ec79c33ec9942ab8353589fcb2e04dc');
    expect(JSON.parse(e.payload)).toEqual({
      event_id: '9ec79c33ec9942ab8353589fcb2e04dc',
      message: 'm',
    });
    const generated = read('{"message":"no id"}');
    expect(generated.eventId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(generated.payload)).toEqual({
      message: 'no id',
      event_id: generated.eventId,
    });
  });

  // getsentry/sentry src/sentry/utils/eventuser.py: KEYWORD_MAP's order, and tag_value's
  // `<key>:<value>`, where ip_address is `ip`.
  it.each<[object, string | undefined]>([
    [{ id: 'alice', username: 'al', email: 'a@example.com', ip_address: '10.0.0.1' }, 'id:alice'],
    [{ id: 42 }, 'id:42'],
    [{ username: 'alice', email: 'a@example.com' }, 'username:alice'],
    [{ email: 'a@example.com', ip_address: '10.0.0.1' }, 'email:a@example.com'],
    [{ ip_address: '10.0.0.1' }, 'ip:10.0.0.1'],
    [{ id: '', username: 'alice' }, 'username:alice'],
    [{ segment: 'pro' }, undefined],
  ])("names the user %j as Sentry's user tag does: %s", (user, expected) => {
    expect(read(JSON.stringify({ message: 'm', user })).user).toBe(expected);
  });

  it('counts user id `alice` and username `alice` as two users', () => {
    const a = read(JSON.stringify({ message: 'm', user: { id: 'alice' } }));
    const b = read(JSON.stringify({ message: 'm', user: { username: 'alice' } }));
    expect(a.user).not.toBe(b.user);
  });

  it('takes the service from the service tag, else server_name, and both session ids', () => {
    const e = read(
      JSON.stringify({
        server_name: 'pod-1',
        tags: [['correlation_id', 'req-9']],
        contexts: { trace: { trace_id: 'A'.repeat(32) } },
      }),
    );
    expect([e.service, e.correlationId, e.traceId]).toEqual(['pod-1', 'req-9', 'a'.repeat(32)]);
    expect(read('{"server_name":"pod-1","tags":{"service":"checkout"}}').service).toBe('checkout');
    // A trace id written as a UUID (Relay's TraceId reads one) joins the trace in 32 digits.
    const uuid = read('{"contexts":{"trace":{"trace_id":"0AF76519-16CD-43DD-8448-EB211C80319C"}}}');
    expect(uuid.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('leaves out a tag whose value is null, an object or a list, as Relay reads tags; numbers and bools are text', () => {
    const e = read(
      JSON.stringify({
        server_name: 'host-1',
        tags: { service: null, correlation_id: null, environment: { x: 1 }, release: ['a'] },
      }),
    );
    expect([e.service, e.correlationId]).toEqual(['host-1', undefined]);
    const pairs = read(
      JSON.stringify({
        server_name: 'host-1',
        tags: [
          ['service', { name: 'x' }],
          [null, 'v'],
          ['correlation_id', 42],
        ],
      }),
    );
    expect([pairs.service, pairs.correlationId]).toEqual(['host-1', '42']);
    expect(read('{"tags":{"service":true}}').service).toBe('true');
  });

  it('takes the arrival time for an event dated over a minute ahead or 30 days before, as Relay does', () => {
    const at = (t: number) => read(JSON.stringify({ message: 'm', timestamp: t / 1000 })).timestamp;
    expect(at(NOW + 30_000)).toBe(NOW + 30_000);
    expect(at(NOW + 61_000)).toBe(NOW);
    expect(at(NOW + 365 * 86_400_000)).toBe(NOW);
    expect(at(NOW - 29 * 86_400_000)).toBe(NOW - 29 * 86_400_000);
    expect(at(NOW - 31 * 86_400_000)).toBe(NOW);
    expect(at(0)).toBe(NOW);
  });

  it('keeps UUID ids whose digits look like a Luhn-valid card number', () => {
    // 12345678-1234-1232: 16 digits, Luhn-valid, bounded by dashes.
    const id = '12345678-1234-1232-abcd-0123456789ab';
    const e = read(JSON.stringify({ event_id: id, tags: { correlation_id: `req-${id}` } }));
    expect(e.eventId).toBe('1234567812341232abcd0123456789ab');
    expect(e.correlationId).toBe(`req-${id}`);
  });
});
