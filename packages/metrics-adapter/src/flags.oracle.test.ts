// parseGoDuration against Go's own time.ParseDuration, which pflag's duration flags (upstream's
// --metrics-relist-interval, --metrics-max-age) read their values with: 20,000 random texts,
// built by a grammar here (signs, digits up to past 2^63, fractions, every unit and near
// misses of them, several parts) and some of them one character off, are read by Go
// (testdata/duration-oracle, run with `go run`) and here. Both must refuse a text or both read
// the same number of nanoseconds. The e2e suite needs Go too; without it this test fails,
// naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from './testing/go-oracle';
import { oneCharOff } from './testing/near-miss';
import { FlagError, parseGoDuration } from './flags';

type Answer = { ns: string } | { error: string };

const digits = fc.oneof(
  { weight: 8, arbitrary: fc.nat({ max: 999 }).map(String) },
  { weight: 4, arbitrary: fc.constantFrom('0', '00', '007', '1', '60', '90', '1000') },
  // Around where Go's uint64 arithmetic overflows: 2^63 nanoseconds, 2^63/10.
  fc.constantFrom('9223372036854775807', '9223372036854775808', '922337203685477580'),
  fc.constantFrom('9223372036854775809', '18446744073709551616', '2562047', '2562048', '106751'),
  fc.bigInt({ min: 0n, max: 10n ** 21n }).map(String),
);
const fraction = fc.oneof(
  fc.constant(''),
  fc.constant('.'),
  fc.nat({ max: 999_999 }).map((n) => `.${n}`),
  fc.constantFrom('.5', '.05', '.000000001', '.9999999999', '.123456789012345678901234567890'),
);
const unit = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h') },
  fc.constantFrom('', 'S', 'H', 'd', 'y', 'sec', 'µ', 'mss', ' s', 'm ', 'ms5', 'hh'),
);
const part = fc
  .tuple(fc.oneof({ weight: 8, arbitrary: digits }, fc.constant('')), fraction, unit)
  .map(([d, f, u]) => d + f + u);
const duration = fc
  .tuple(
    fc.constantFrom('', '', '', '', '', '', '-', '+', '--', ' '),
    fc.oneof(
      fc.array(part, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')),
      fc.constantFrom('0', '', '00', '0.0', '-0', '.', 'inf'),
    ),
  )
  .map(([sign, body]) => sign + body);

/** A text one character off: a near miss of the grammar. */
const mutated = oneCharOff(duration, fc.string({ minLength: 1, maxLength: 1 }));

function ours(text: string): { ms: number } | { refused: string } {
  try {
    return { ms: parseGoDuration(text, 'metrics-relist-interval') };
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    return { refused: err.message };
  }
}

describe("parseGoDuration against Go's time.ParseDuration", () => {
  it('refuses what Go refuses and reads what Go reads, for 20,000 random texts', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const texts = fc.sample(fc.oneof(duration, duration, mutated), { numRuns: 20_000, seed });
    const answers = askGoOracle<Answer[]>(
      'the Go time.ParseDuration oracle',
      join(__dirname, 'testdata', 'duration-oracle'),
      texts,
    );
    const differ: unknown[] = [];
    const seen = { read: 0, refused: 0 };
    for (const [i, text] of texts.entries()) {
      const go = answers[i] as Answer;
      const got = ours(text);
      // Go's nanoseconds in milliseconds, as a float64 holds them.
      // A refusal names Go's reason (`time: unknown unit`); Go quotes the text its own way.
      const want =
        'ns' in go ? { ms: Number(BigInt(go.ns)) / 1e6 } : { refused: go.error.split(' "')[0]! };
      if ('ms' in want && 'ms' in got && Object.is(want.ms, got.ms)) seen.read++;
      else if ('refused' in want && 'refused' in got && got.refused.includes(`${want.refused} "`))
        seen.refused++;
      else differ.push({ text, go, ours: got });
    }
    expect({ seed, differ: differ.slice(0, 20) }).toEqual({ seed, differ: [] });
    // The grammar reaches both outcomes often enough for the comparison to mean something.
    expect(seen.read).toBeGreaterThan(4_000);
    expect(seen.refused).toBeGreaterThan(4_000);
  });
});
