import fc from 'fast-check';
import { formatMilliUnits, formatQuantity, formatQuantityBigInt, toMilliUnits } from './quantity';

// Expected strings are what k8s.io/apimachinery's resource.NewMilliQuantity(v, DecimalSI).String()
// prints, written out by hand, for v the value in milli-units after this project's two roundings:
// to 15 significant digits (half away from zero), then a fraction of a milli-unit away from zero
// (upstream's int64(value*1000.0) truncates instead: 0.0001 is "0" there).
describe('formatQuantity', () => {
  it.each<[number | string, string]>([
    [1.5, '1500m'],
    [12000, '12k'],
    [0, '0'],
    [-0, '0'],
    [0.0001, '1m'],
    [1, '1'],
    [1000, '1k'],
    [1001, '1001'],
    [1e6, '1M'],
    [2.5e9, '2500M'],
    [1e18, '1E'],
    [1e21, '1e21'],
    [0.001, '1m'],
    [0.5, '500m'],
    [2.675, '2675m'],
    [0.1 + 0.2, '300m'],
    [-1.5, '-1500m'],
    [-0.0001, '-1m'],
    [123456.789, '123456789m'],
    ['42', '42'],
    ['3.14159', '3142m'],
    ['1e-7', '1m'],
    ['7E3', '7k'],
    // More than 15 significant digits: binary noise, rounded off before the milli-units.
    ['0.30000000000000004', '300m'],
    ['-0.30000000000000004', '-300m'],
    ['2.0000000000000004', '2'],
    [2.0000000000000004, '2'],
    ['3.0000000000000004e-1', '300m'],
    ['0.3000000000000005', '301m'], // the 16th digit is 5: half away from zero, then up to 301m
    ['0.30000000000000049', '300m'],
    ['1.00000000000000049', '1'],
    ['999999999999999.5', '1P'], // the carry runs through every nine
    ['-999999999999999.5', '-1P'],
    ['9999999999999999', '10P'],
    ['1234567890123456789', '1234567890123460k'], // 123456789012346 × 10⁴
    ['12345678901234567.89e-2', '123456789012346'], // 15 whole digits, no fraction left
    ['0.000000000000000000123', '1m'], // three significant digits: kept, then up to 1m
    ['1.005', '1005m'],
    ['4.35', '4350m'],
    ['123456789012.345', '123456789012345m'], // exactly 15: as it is
  ])('formats %p as %s', (value, expected) => {
    expect(formatQuantity(value)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('refuses %p, which callers must leave out', (value) => {
    expect(() => formatQuantity(value)).toThrow('not finite');
  });

  it('refuses text that is not a decimal number, naming it', () => {
    expect(() => formatQuantity('12 apples')).toThrow('invalid quantity value "12 apples"');
  });
});

// An independent reader of the format: turns the canonical text back into milli-units.
const SUFFIX_EXP: Record<string, number> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
function parseCanonical(text: string): bigint {
  const m = /^(-?)([1-9]\d*|0)(m|k|M|G|T|P|E|e(\d+))?$/.exec(text);
  if (!m) throw new Error(`not canonical: ${text}`);
  const exp = m[4] !== undefined ? Number(m[4]) : (SUFFIX_EXP[m[3] ?? ''] as number);
  const milli = BigInt(m[2] as string) * 10n ** BigInt(exp + 3);
  return m[1] ? -milli : milli;
}

describe('formatMilliUnits (property)', () => {
  it('writes canonical text that reads back to the same amount, for 100k values', () => {
    const amount = fc.oneof(
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      fc
        .tuple(fc.integer({ min: -999, max: 999 }), fc.nat({ max: 25 }))
        .map(([a, z]) => BigInt(a) * 10n ** BigInt(z)),
    );
    fc.assert(
      fc.property(amount, (milli) => {
        const text = formatMilliUnits(milli);
        if (parseCanonical(text) !== milli) return false;
        // Canonical: the mantissa has no group of three trailing zeros left to move into the suffix.
        const mantissa = /^-?(\d+)/.exec(text)?.[1] ?? '';
        return mantissa === '0' || !mantissa.endsWith('000');
      }),
      { numRuns: 100_000 },
    );
  });

  it('never loses more than one milli-unit, and rounds down only within 15 digits, for 100k doubles', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
        (v) => {
          const milli = Number(toMilliUnits(v));
          const exact = v * 1000;
          // Float arithmetic here is only a bound check: rounding to 15 significant digits moves
          // a value by at most 5e-15 of itself, plus 2 ulps for the multiplication.
          const slack = Math.abs(exact) * 6e-15;
          return Math.abs(milli) + slack >= Math.abs(exact) && Math.abs(milli - exact) <= 1 + slack;
        },
      ),
      { numRuns: 100_000 },
    );
  });
});

/** What a call answers: its text, or the message it throws. */
function outcome(format: (v: number | string) => string, value: number | string): string {
  try {
    return format(value);
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

describe('formatQuantity against the BigInt reference (property)', () => {
  const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
  // Runs mostly of one digit reach the carries (9…), the suffix boundaries and all-zero cases.
  const runsOf = (d: string, max: number) =>
    fc
      .array(fc.constantFrom(d, d, d, d, '0', '1', '5'), { minLength: 1, maxLength: max })
      .map((ds) => ds.join(''));
  const zeroish = (max: number) => fc.oneof(runsOf('0', max), runsOf('9', max));
  const sign = fc.constantFrom('', '', '-', '+');
  const decimalText = fc
    .tuple(
      sign,
      fc.oneof(digits(4), digits(40), zeroish(30)),
      fc.option(fc.oneof(digits(3), digits(25), zeroish(12)), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(2)), {
        nil: undefined,
      }),
      fc.constantFrom('', '', '', ' ', '\n'),
    )
    .map(
      ([s, whole, frac, exp, pad]) =>
        `${pad}${s}${whole}${frac === undefined ? '' : `.${frac}`}${exp === undefined ? '' : exp.join('')}${pad}`,
    );
  // Rounding 9…9.999x up carries through every digit.
  const carries = fc
    .tuple(sign, runsOf('9', 20), runsOf('9', 12))
    .map(([s, whole, frac]) => `${s}${whole}.${frac}`);
  const value = fc.oneof(
    { arbitrary: decimalText, weight: 4 },
    carries,
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
    fc.integer().map((i) => i * 1000),
    fc.double(),
    fc.double({ min: -1e-3, max: 1e-3 }),
    fc.double({ min: -1e30, max: 1e30 }),
    fc.constantFrom('', '-', '.5', '5.', '1.2.3', 'NaN', '+Inf', '0x10', '１２', '--1', '1e', '-0'),
    fc.string({ maxLength: 8 }),
  );

  it('answers as the BigInt path does, for 100k values', () => {
    fc.assert(
      fc.property(value, (v) => outcome(formatQuantity, v) === outcome(formatQuantityBigInt, v)),
      { numRuns: 100_000 },
    );
  });
});
