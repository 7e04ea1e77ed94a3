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
});
