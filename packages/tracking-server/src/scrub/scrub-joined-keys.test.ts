import { createScrubber, FILTERED } from './scrub';

// relay-pii src/regexes.rs PASSWORD_KEY_REGEX lists `privatekey` beside `private[-_]key`.
describe('PII scrubbing of keys whose words are joined (camelCase)', () => {
  it('filters privateKey and PrivateKey as it filters private_key', () => {
    const scrub = createScrubber({ enabled: true });
    expect(scrub({ extra: { privateKey: 'k1', PrivateKey: 'k2', privateKeyId: 'k3' } })).toEqual({
      extra: { privateKey: FILTERED, PrivateKey: FILTERED, privateKeyId: FILTERED },
    });
    expect(scrub({ url: 'https://x.example/?a=1&privateKey=abc' })).toEqual({
      url: `https://x.example/?a=1&privateKey=${FILTERED}`,
    });
    // a key that only holds the letters apart stays
    expect(scrub({ extra: { private: 'p', keyboard: 'k', privacy_keyword: 'w' } })).toEqual({
      extra: { private: 'p', keyboard: 'k', privacy_keyword: 'w' },
    });
  });

  it("joins a project's extra and safe keys' words too", () => {
    const scrub = createScrubber({
      enabled: true,
      extraKeys: ['card_number'],
      safeKeys: ['session_id'],
    });
    expect(
      scrub({ extra: { cardNumber: '1', sessionId: 's-1', q: 'x=1&cardNumber=42&sessionId=s' } }),
    ).toEqual({
      extra: {
        cardNumber: FILTERED,
        sessionId: 's-1',
        q: `x=1&cardNumber=${FILTERED}&sessionId=s`,
      },
    });
  });
});

describe('PII scrubbing of a parameter named by a joined two-letter extra key', () => {
  it('filters `ab=x`, the shortest spelling of the extra key `a_b`', () => {
    const scrub = createScrubber({ enabled: true, extraKeys: ['a_b'] });
    expect(scrub({ q: 'ab=x' })).toEqual({ q: `ab=${FILTERED}` });
    expect(scrub({ q: 'a-b=x' })).toEqual({ q: `a-b=${FILTERED}` });
  });
});
