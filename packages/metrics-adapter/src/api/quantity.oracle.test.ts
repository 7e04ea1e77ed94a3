// quantity.ts against k8s.io/apimachinery's resource.Quantity itself (testdata/apimachinery-oracle,
// run once with `go run` for the whole file): random int64 amounts are formatted as
// NewMilliQuantity(m, DecimalSI).String() formats them, and random values (Prometheus' decimal
// text and doubles) come out as text that Go's ParseQuantity reads back unchanged (canonical) and
// to the exact amount this module's header promises: 15 significant digits, half away from zero,
// then a fraction of a milli-unit away from zero, worked out in Go with math/big. Go is needed:
// without it these tests fail, naming it.
import fc from 'fast-check';
import { formatMilliUnits, formatQuantity } from './quantity';
import {
  askApimachinery,
  ORACLE_SEED,
  ORACLE_TIMEOUT_MS,
  type OracleAnswers,
} from './testdata/apimachinery-oracle/ask';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const inInt64 = (m: bigint) => m >= INT64_MIN && m <= INT64_MAX;

// Edge-biased int64 milli amounts: zero, ±1, powers of 10 and 1000 and their neighbours, runs of
// nines, the ends of int64, small mantissas times powers of ten, and any int64 at all.
const sign = fc.constantFrom(1n, -1n);
const milliAmount = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 999n, 1000n, 1001n, 999_999n, -999_999n, INT64_MAX, INT64_MIN),
  fc
    .tuple(sign, fc.integer({ min: 0, max: 18 }), fc.constantFrom(-1n, 0n, 0n, 1n))
    .map(([s, k, d]) => s * (10n ** BigInt(k) + d)),
  fc
    .tuple(sign, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 999 }))
    .map(([s, k, a]) => s * BigInt(a) * 1000n ** BigInt(k)),
  fc.tuple(sign, fc.bigInt({ min: 0n, max: 2n ** 20n })).map(([s, d]) => s * (INT64_MAX - d)),
  fc.bigInt({ min: 0n, max: 2n ** 20n }).map((d) => INT64_MIN + d),
  fc
    .tuple(sign, fc.bigInt({ min: 1n, max: 999_999_999n }), fc.integer({ min: 0, max: 12 }))
    .map(([s, a, z]) => s * a * 10n ** BigInt(z)),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);

// Values: decimal text as Prometheus writes it (and with exponents), runs of 9s and 0s that
// carry and sit on suffix boundaries, more than 15 significant digits, and doubles of every size.
const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
const runsOf = (d: string, max: number) =>
  fc
    .array(fc.constantFrom(d, d, d, d, '0', '1', '5'), { minLength: 1, maxLength: max })
    .map((ds) => ds.join(''));
const decimalText = fc
  .tuple(
    fc.constantFrom('', '', '-'),
    fc.oneof(digits(4), digits(20), runsOf('9', 20), runsOf('0', 20)),
    fc.option(fc.oneof(digits(3), digits(20), runsOf('9', 18), runsOf('0', 18)), {
      nil: undefined,
    }),
    fc.option(
      fc.tuple(
        fc.constantFrom('e', 'E'),
        fc.constantFrom('', '+', '-'),
        fc.integer({ min: 0, max: 40 }),
      ),
      { nil: undefined },
    ),
  )
  .map(
    ([s, whole, frac, exp]) =>
      `${s}${whole}${frac === undefined ? '' : `.${frac}`}${exp === undefined ? '' : exp.join('')}`,
  );

/** A double's shortest text without an exponent, as Prometheus writes sample values ('f', -1). */
function plainText(v: number): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(String(v));
  if (!m) return String(v);
  const [, s, a, b = '', e] = m;
  const exp = Number(e) - b.length;
  const ds = (a as string) + b;
  if (exp >= 0) return s + ds + '0'.repeat(exp);
  const point = ds.length + exp;
  return point > 0
    ? `${s}${ds.slice(0, point)}.${ds.slice(point)}`
    : `${s}0.${'0'.repeat(-point)}${ds}`;
}

const double = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
  fc.double({ min: -1e20, max: 1e20, noNaN: true }),
  fc.integer({ min: -1e6, max: 1e6 }).map((i) => i / 1000 + (i % 7) * 1e-12),
  fc.constantFrom(0.1 + 0.2, 2.675, 1.005, 4.35, 1e21, 5e-324, Number.MAX_VALUE, -0),
);
const value = fc.oneof(
  { arbitrary: decimalText.map((text) => ({ text })), weight: 5 },
  { arbitrary: double.map((d) => ({ text: plainText(d) })), weight: 2 },
  { arbitrary: double.map((number) => ({ number })), weight: 3 },
);

const millis = fc.sample(milliAmount.filter(inInt64), { numRuns: 20_000, seed: ORACLE_SEED });
const values = fc.sample(value, { numRuns: 20_000, seed: ORACLE_SEED + 1 });
const ours = values.map((v) => formatQuantity('text' in v ? v.text : v.number));

let go: Required<Pick<OracleAnswers, 'milli' | 'values' | 'canonical'>>;
beforeAll(() => {
  const answers = askApimachinery({
    milli: millis.map(String),
    values,
    canonical: ours,
  });
  go = {
    milli: answers.milli ?? [],
    values: answers.values ?? [],
    canonical: answers.canonical ?? [],
  };
}, ORACLE_TIMEOUT_MS);

describe('formatMilliUnits against resource.NewMilliQuantity (oracle)', () => {
  it('writes what NewMilliQuantity(m, DecimalSI).String() writes, for 20,000 edge-biased int64 amounts', () => {
    expect(go.milli).toHaveLength(millis.length);
    const differ = millis
      .map((m, i) => ({ milli: String(m), ours: formatMilliUnits(m), go: go.milli[i] }))
      .filter((c) => c.ours !== c.go);
    expect(differ.slice(0, 10)).toEqual([]);
    // The edges were asked about.
    expect(millis).toEqual(expect.arrayContaining([0n, INT64_MAX, INT64_MIN, 999_999n]));
  });
});

describe('formatQuantity against resource.ParseQuantity (oracle)', () => {
  it('writes canonical text that Go reads as the documented amount, for 20,000 values', () => {
    expect(go.values).toHaveLength(values.length);
    expect(go.canonical).toHaveLength(values.length);
    const differ = values
      .map((v, i) => ({
        value: v,
        ours: ours[i],
        expectedMilli: go.values[i]?.milli ?? go.values[i]?.error,
        go: go.canonical[i],
      }))
      .filter(
        (c) =>
          c.go?.error !== undefined || c.go?.string !== c.ours || c.go?.milli !== c.expectedMilli,
      );
    expect(differ.slice(0, 10)).toEqual([]);
    // Not only zeros and small numbers: the suffixes and the exponent form were all reached.
    const suffixes = new Set(ours.map((q) => /[a-zA-Z]+\d*$/.exec(q)?.[0]?.replace(/\d+$/, '')));
    expect([...suffixes].sort()).toEqual(
      expect.arrayContaining(['E', 'G', 'M', 'P', 'T', 'e', 'k', 'm', undefined]),
    );
  });
});
