// Kubernetes resource.Quantity, as the metrics APIs serialise values: milli-unit precision,
// DecimalSI, canonical form (k8s.io/apimachinery/pkg/api/resource):
//   1.5 → "1500m", 12000 → "12k", 0 → "0", 0.0001 → "1m", 1e21 → "1e21".
// prometheus-adapter builds values with resource.NewMilliQuantity(int64(value*1000.0), DecimalSI)
// (custom: provider.go metricFor; external: metric_converter.go convertSample), and the int64
// conversion truncates toward zero, so upstream serves 0.0001 as "0". Here a fraction of a
// milli-unit rounds away from zero instead, so that a small nonzero value never reads as 0.
// A double holds 15 significant decimal digits for certain: Prometheus' shortest text of one with
// more carries binary noise (0.1+0.2 is "0.30000000000000004"), which rounding up would turn into
// a milli-unit ("301m"). Such text is first rounded to 15 significant digits, half away from zero
// ("300m"; "2.0000000000000004" → "2").
// The arithmetic is exact: the number is read from its shortest decimal form (what Prometheus
// sent as a string), never multiplied as a float, so 2.675 is 2675m and not 2676m.
// formatQuantity handles plain decimals ("12", "-37.5") on their digits as text, which is several
// times cheaper than BigInt; anything else (exponents, invalid text) goes the BigInt way, which
// stays exported as formatQuantityBigInt, the reference the fast path is tested against: each
// implements both roundings on its own.

const SUFFIXES: Readonly<Record<number, string>> = {
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

/** The significant digits a double is sure to hold; more in its text are binary noise. */
const SIGNIFICANT_DIGITS = 15;
const SIGNIFICANT_LIMIT = 10n ** BigInt(SIGNIFICANT_DIGITS);

/**
 * digits × 10^exponent (digits ≥ 0) with at most 15 significant digits, rounded half away from
 * zero.
 */
function roundSignificant(digits: bigint, exponent: number): [bigint, number] {
  while (digits >= SIGNIFICANT_LIMIT && digits % 10n === 0n) {
    digits /= 10n;
    exponent++;
  }
  if (digits < SIGNIFICANT_LIMIT) return [digits, exponent];
  let divisor = 10n;
  let dropped = 1;
  while (digits / divisor >= SIGNIFICANT_LIMIT) {
    divisor *= 10n;
    dropped++;
  }
  const kept = digits / divisor;
  const up = (digits % divisor) * 2n >= divisor;
  return [up ? kept + 1n : kept, exponent + dropped];
}

/**
 * The value as a whole number of milli-units: rounded to 15 significant digits, then a fraction
 * of a milli-unit rounded away from zero.
 */
export function toMilliUnits(value: number | string): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new Error(`invalid quantity value ${JSON.stringify(text)}: not a decimal number`);
  const [, sign, whole = '', frac = '', exp = '0'] = m;
  // digits × 10^(exponent) with the decimal point removed; then shift by 3 for milli.
  const [digits, exponent] = roundSignificant(BigInt(whole + frac), Number(exp) - frac.length);
  const shift = exponent + 3;
  let milli: bigint;
  if (shift >= 0) {
    milli = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    milli = digits / divisor;
    if (digits % divisor !== 0n) milli += 1n;
  }
  return sign && milli !== 0n ? -milli : milli;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`invalid quantity value ${value}: not finite`);
  return String(value);
}

/** Canonical DecimalSI text for a number of milli-units. */
export function formatMilliUnits(milli: bigint): string {
  if (milli === 0n) return '0';
  const negative = milli < 0n;
  let mantissa = negative ? -milli : milli;
  let exponent = -3;
  // Largest exponent (a multiple of 3) that keeps the mantissa whole.
  while (mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  const suffix = exponent === -3 ? 'm' : (SUFFIXES[exponent] ?? `e${exponent}`);
  return `${negative ? '-' : ''}${mantissa}${suffix}`;
}

/** A finite number (or Prometheus' decimal string) as a canonical Kubernetes Quantity. */
export function formatQuantity(value: number | string): string {
  const text = typeof value === 'number' ? String(value) : value.trim();
  return formatPlainDecimal(text) ?? formatQuantityBigInt(value);
}

/** formatQuantity by BigInt arithmetic alone: the reference, for every input. */
export function formatQuantityBigInt(value: number | string): string {
  return formatMilliUnits(toMilliUnits(value));
}

const ZERO = 48;
const FIVE = 53;
const NINE = 57;
const isDigit = (c: number) => c >= ZERO && c <= NINE;

/**
 * `-?digits(.digits)?` as a Quantity, working on the digits as text; undefined for any other
 * form (exponents, "NaN", junk), which the BigInt path formats or refuses.
 */
export function formatPlainDecimal(text: string): string | undefined {
  const n = text.length;
  const start = text.charCodeAt(0) === 45 ? 1 : 0; // '-'
  let i = start;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const wholeEnd = i;
  if (wholeEnd === start) return undefined;
  let fracStart = n;
  if (i < n) {
    if (text.charCodeAt(i) !== 46) return undefined; // '.'
    fracStart = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i < n || i === fracStart) return undefined;
  }
  // Rounding to 15 significant digits leaves text of at most 15 of them, which this call takes
  // as it is.
  if (wholeEnd - start + (n - fracStart) > SIGNIFICANT_DIGITS) {
    const rounded = roundedText(text, start, wholeEnd, fracStart);
    if (rounded !== undefined) return formatPlainDecimal(rounded);
  }
  const negative = start === 1;
  // The common case, a whole number without leading or trailing zeros, is its own mantissa.
  if (fracStart === n && text.charCodeAt(start) !== ZERO && text.charCodeAt(n - 1) !== ZERO) {
    return text;
  }
  const fracLength = n - fracStart;
  // milli = digits × 10^scale: the fraction cut to three places, rounded away from zero.
  let digits: string;
  let scale: number;
  if (fracLength <= 3) {
    digits = text.slice(start, wholeEnd) + text.slice(fracStart);
    scale = 3 - fracLength;
  } else {
    digits = text.slice(start, wholeEnd) + text.slice(fracStart, fracStart + 3);
    scale = 0;
    for (let j = fracStart + 3; j < n; j++) {
      if (text.charCodeAt(j) !== ZERO) {
        digits = increment(digits);
        break;
      }
    }
  }
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === ZERO) lead++;
  if (lead === digits.length) return '0';
  let trailing = 0;
  while (digits.charCodeAt(digits.length - 1 - trailing) === ZERO) trailing++;
  // Largest exponent (a multiple of 3) that keeps the mantissa whole, as formatMilliUnits.
  const groups = Math.floor((trailing + scale) / 3);
  const drop = 3 * groups - scale;
  const mantissa =
    drop >= 0
      ? digits.slice(lead, digits.length - drop)
      : digits.slice(lead) + '000'.slice(3 + drop);
  const exponent = 3 * groups - 3;
  const suffix = exponent === -3 ? 'm' : (SUFFIXES[exponent] ?? `e${exponent}`);
  return `${negative ? '-' : ''}${mantissa}${suffix}`;
}

/**
 * Plain decimal text (sign at `start`, whole digits to `wholeEnd`, fraction from `fracStart`)
 * rounded to 15 significant digits, half away from zero, by its digits as text; undefined when it
 * has no more than 15.
 */
function roundedText(
  text: string,
  start: number,
  wholeEnd: number,
  fracStart: number,
): string | undefined {
  const digits = text.slice(start, wholeEnd) + text.slice(fracStart);
  const point = wholeEnd - start;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === ZERO) first++;
  let last = digits.length - 1;
  while (last >= first && digits.charCodeAt(last) === ZERO) last--;
  const end = first + SIGNIFICANT_DIGITS;
  if (last < end) return undefined;
  let kept = digits.slice(0, end);
  if (digits.charCodeAt(end) >= FIVE) kept = increment(kept);
  // A carry through nines puts one more digit in front of the point.
  const wholeDigits = point + kept.length - end;
  const sign = start === 1 ? '-' : '';
  if (end <= point) return sign + kept + '0'.repeat(point - end);
  return `${sign}${kept.slice(0, wholeDigits)}.${kept.slice(wholeDigits)}`;
}

/** A string of decimal digits plus one. */
function increment(digits: string): string {
  let j = digits.length - 1;
  while (j >= 0 && digits.charCodeAt(j) === NINE) j--;
  const carried = '0'.repeat(digits.length - 1 - j);
  if (j < 0) return `1${carried}`;
  return digits.slice(0, j) + String.fromCharCode(digits.charCodeAt(j) + 1) + carried;
}
