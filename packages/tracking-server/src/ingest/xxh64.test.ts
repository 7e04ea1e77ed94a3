// XXH64 against xxhsum (Debian `xxhash` 0.8.1, `xxhsum -H64`), whose answers are written here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Xxh64 } from './xxh64';

const hex = ([high, low]: [number, number]) =>
  high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');

describe('XXH64', () => {
  it('hashes as xxhsum -H64 does, across its 32-byte stripes and the 8-, 4- and 1-byte tails', () => {
    for (const [text, sum] of [
      ['', 'ef46db3751d8e999'],
      ['a', 'd24ec4f1a98c6e5b'],
      ['abc', '44bc2cf5ad770999'],
      ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
      ['0123456789abcdef0123456789abcdef0123456789', 'a76190c3acf08a1c'],
    ] as const)
      expect([text, hex(new Xxh64().update(Buffer.from(text)).digest())]).toEqual([text, sum]);
    const fixture = (name: string) => readFileSync(join(__dirname, 'testdata', 'zstd', name));
    expect(hex(new Xxh64().update(fixture('traces.json')).digest())).toBe('e78cab4db908d658');
    expect(hex(new Xxh64().update(fixture('traces.pb')).digest())).toBe('22898cea61f2b620');
    expect(new Xxh64().update(fixture('traces.json')).low32()).toBe(0xb908d658);
  });

  it('hashes bytes the same however they are fed (2k splits)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300), { maxLength: 12 }),
        (data, cuts) => {
          const at = [...new Set(cuts.filter((c) => c <= data.length))].sort((a, b) => a - b);
          const pieced = new Xxh64();
          [0, ...at].forEach((from, i) => pieced.update(data.subarray(from, at[i] ?? data.length)));
          expect(pieced.digest()).toEqual(new Xxh64().update(data).digest());
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
