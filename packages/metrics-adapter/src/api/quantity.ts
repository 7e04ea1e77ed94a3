// Kubernetes resource.Quantity, as the metrics APIs serialise values: milli-unit precision,
// DecimalSI, canonical form (k8s.io/apimachinery/pkg/api/resource). prometheus-adapter builds
// values with resource.NewMilliQuantity, so:
//   1.5 → "1500m", 12000 → "12k", 0 → "0", 0.0001 → "1m" (a fraction of a milli-unit rounds
//   away from zero, as Quantity's negativeScaleInt64 does), 1e21 → "1e21".
// The arithmetic is exact: the number is read from its shortest decimal form (what Prometheus
// sent as a string), never multiplied as a float, so 2.675 is 2675m and not 2676m.
// formatQuantity handles plain decimals ("12", "-37.5") on their digits as text, which is several
// times cheaper than BigInt; anything else (exponents, invalid text) goes the BigInt way, which
// stays exported as formatQuantityBigInt, the reference the fast path is tested against.

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

/** The value as a whole number of milli-units, rounded away from zero. */
export function toMilliUnits(value: number | string): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new Error(`invalid quantity value ${JSON.stringify(text)}: not a decimal number`);
  const [, sign, whole = '', frac = '', exp = '0'] = m;
  // digits × 10^(exponent) with the decimal point removed; then shift by 3 for milli.
  const digits = BigInt(whole + frac);
  const shift = Number(exp) - frac.length + 3;
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

/** A string of decimal digits plus one. */
function increment(digits: string): string {
  let j = digits.length - 1;
  while (j >= 0 && digits.charCodeAt(j) === NINE) j--;
  const carried = '0'.repeat(digits.length - 1 - j);
  if (j < 0) return `1${carried}`;
  return digits.slice(0, j) + String.fromCharCode(digits.charCodeAt(j) + 1) + carried;
}
