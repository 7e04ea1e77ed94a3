import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { StoreBodyTooLarge, storeBodyText } from './store-body';

const json = '{"message":"héllo","n":1}';

describe('the legacy store body', () => {
  it('reads JSON as sent, base64 of it, and base64 of its zlib deflate', () => {
    expect(storeBodyText(Buffer.from(json), 1e6)).toBe(json);
    expect(storeBodyText(Buffer.from(Buffer.from(json).toString('base64')), 1e6)).toBe(json);
    expect(storeBodyText(Buffer.from(deflateSync(json).toString('base64')), 1e6)).toBe(json);
  });

  it('gives back what is none of them as text, so that reading it as JSON names the problem', () => {
    expect(storeBodyText(Buffer.from('not json at all'), 1e6)).toBe('not json at all');
    expect(storeBodyText(Buffer.from('bm90IGpzb24='), 1e6)).toBe('bm90IGpzb24='); // base64 of "not json"
  });

  it('refuses a deflated body that would inflate past the limit', () => {
    const big = deflateSync(Buffer.alloc(2_000_000, 0x20)).toString('base64');
    expect(() => storeBodyText(Buffer.from(big), 1_000_000)).toThrow(StoreBodyTooLarge);
  });

  it('gives back any JSON object text, in any of the three forms, unchanged (5k cases)', () => {
    fc.assert(
      fc.property(fc.object(), fc.constantFrom('plain', 'base64', 'zlib'), (o, form) => {
        const text = JSON.stringify(o);
        const body =
          form === 'plain'
            ? Buffer.from(text)
            : form === 'base64'
              ? Buffer.from(Buffer.from(text).toString('base64'))
              : Buffer.from(deflateSync(text).toString('base64'));
        expect(storeBodyText(body, 10e6)).toBe(text);
      }),
      { numRuns: 5_000 },
    );
  });
});
