import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { acceptsGzip, gzipBody } from './content-encoding';

describe('acceptsGzip', () => {
  // Written by hand from RFC 9110 §12.5.3, and what client-go (Go's transport) and curl send.
  it.each<[string | string[] | undefined, boolean]>([
    ['gzip', true], // Go's http.Transport, so client-go, the HPA controller and kubectl
    ['deflate, gzip', true], // curl --compressed
    ['gzip, deflate, br', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['gzip;q=0.5', true],
    ['gzip ; q=1.000', true],
    ['*', true],
    [['identity', 'gzip'], true], // the header sent twice
    [undefined, false],
    ['', false],
    ['identity', false],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['gzip;q=0, *', false], // refused by name: the wildcard does not bring it back
    ['*;q=0', false],
    ['gzip;q=2', false], // a weight over 1 cannot be read: not taken as consent
    ['gzip;q=', false],
    ['gzipped', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  // The header is built from parts, and the expectation computed from those parts, never from
  // the header's text.
  const coding = fc.constantFrom('gzip', 'GZip', 'x-gzip', '*', 'deflate', 'br', 'identity');
  const weight = fc.oneof(
    fc.constant({ text: undefined, value: 1 }),
    fc.constantFrom(
      { text: '0', value: 0 },
      { text: '0.0', value: 0 },
      { text: '0.001', value: 0.001 },
      { text: '0.5', value: 0.5 },
      { text: '1', value: 1 },
      { text: '1.0', value: 1 },
      { text: '1.5', value: 0 },
      { text: 'high', value: 0 },
    ),
  );
  const space = fc.constantFrom('', ' ', '  ');
  const member = fc.record({ coding, weight, before: space, after: space });

  it('agrees with the weights the header was built from', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 6 }), (members) => {
        const header = members
          .map(
            (m) =>
              `${m.before}${m.coding}${m.weight.text === undefined ? '' : `;${m.after}q=${m.weight.text}`}${m.after}`,
          )
          .join(',');
        const named = members.filter((m) => ['gzip', 'x-gzip'].includes(m.coding.toLowerCase()));
        const stars = members.filter((m) => m.coding === '*');
        const expected =
          named.length > 0
            ? named.some((m) => m.weight.value > 0)
            : stars.length > 0 && (stars[stars.length - 1]?.weight.value ?? 0) > 0;
        expect(acceptsGzip(header)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads any text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(typeof acceptsGzip(text)).toBe('boolean');
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('gzipBody', () => {
  it('is a gzip member that inflates to the body', () => {
    const body = Buffer.from('{"kind":"MetricValueList","items":[]}'.repeat(5000));
    const gz = gzipBody(body);
    expect([...gz.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]); // gzip magic, deflate
    expect(gz.length).toBeLessThan(body.length / 10);
    expect(gunzipSync(gz).equals(body)).toBe(true);
  });
});
