import { createScrubber, FILTERED, scrubString } from './scrub';

describe('PII scrubbing', () => {
  const scrub = createScrubber({ enabled: true });

  it('filters values under sensitive keys, at any depth, keeping the shape', () => {
    expect(
      scrub({
        extra: { password: 'hunter2', api_key: 'k', nested: { AuthToken: 'x', ok: 'fine' } },
        request: {
          headers: { Authorization: 'Basic abc', 'X-Request-Id': '42' },
          cookies: { sid: 'abc' },
        },
        user: { id: 'u1' },
      }),
    ).toEqual({
      extra: { password: FILTERED, api_key: FILTERED, nested: { AuthToken: FILTERED, ok: 'fine' } },
      request: {
        headers: { Authorization: FILTERED, 'X-Request-Id': '42' },
        cookies: { sid: FILTERED },
      },
      user: { id: 'u1' },
    });
  });

  it('filters card numbers only when Luhn-valid', () => {
    expect(scrubString('paid with 4111 1111 1111 1111 today')).toBe(`paid with ${FILTERED} today`);
    expect(scrubString('card 5500-0000-0000-0004')).toBe(`card ${FILTERED}`);
    expect(scrubString('order 4111 1111 1111 1112 shipped')).toBe(
      'order 4111 1111 1111 1112 shipped',
    );
  });

  it('filters bearer tokens, PEM private keys and secret URL parameters anywhere', () => {
    expect(scrubString('call failed: Bearer eyJhbGciOi.J9.x-y_z')).toBe(
      `call failed: Bearer ${FILTERED}`,
    );
    expect(
      scrubString('key: -----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY----- end'),
    ).toBe(`key: ${FILTERED} end`);
    expect(scrubString('GET https://api.example.com/v1?user=3&access_token=abc123&x=1')).toBe(
      `GET https://api.example.com/v1?user=3&access_token=${FILTERED}&x=1`,
    );
  });

  it('rewrites the event in place rather than copying it', () => {
    const event = { extra: { password: 'p' } };
    expect(scrub(event)).toBe(event);
    expect(event.extra.password).toBe(FILTERED);
  });

  it('leaves ordinary words alone', () => {
    expect(
      scrub({ message: 'Authentication failed for user jane', note: 'token bucket empty' }),
    ).toEqual({
      message: 'Authentication failed for user jane',
      note: 'token bucket empty',
    });
  });

  it('takes per-project extra and safe keys, and can be turned off', () => {
    const custom = createScrubber({ enabled: true, extraKeys: ['ssn'], safeKeys: ['session_id'] });
    expect(custom({ ssn: '123-45-6789', session_id: 's-1', session: 'x' })).toEqual({
      ssn: FILTERED,
      session_id: 's-1',
      session: FILTERED,
    });
    expect(createScrubber({ enabled: false })({ password: 'p' })).toEqual({ password: 'p' });
  });

  it('reports whether it changed anything, so an untouched event can be stored as sent', () => {
    const report = { changed: true };
    scrub({ message: 'Cannot read properties of undefined', tags: { n: 4 } }, report);
    expect(report.changed).toBe(false);
    scrub({ message: 'paid with 4111 1111 1111 1111' }, report);
    expect(report.changed).toBe(true);
    scrub({ extra: { cookie: { sid: 'abc' } } }, report);
    expect(report.changed).toBe(true);
  });

  it('keeps a "__proto__" key from JSON a key, and scrubs under it', () => {
    const event = JSON.parse(
      '{"__proto__": {"password": "p", "note": "Bearer abc.def"}}',
    ) as object;
    scrub(event);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(JSON.stringify(event)).toBe(
      `{"__proto__":{"password":"${FILTERED}","note":"Bearer ${FILTERED}"}}`,
    );
  });

  it('filters what is nested deeper than any real event instead of leaving it unread', () => {
    let deep: unknown = { password: 'p' };
    for (let i = 0; i < 100; i++) deep = [deep];
    const report = { changed: false };
    expect(JSON.stringify(scrub({ extra: deep }, report))).not.toContain('"p"');
    expect(report.changed).toBe(true);
  });
});
