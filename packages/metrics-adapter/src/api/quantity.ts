// Kubernetes resource.Quantity, as the metrics APIs serialise values: milli-unit precision,
// DecimalSI, canonical form (k8s.io/apimachinery/pkg/api/resource). prometheus-adapter builds
// values with resource.NewMilliQuantity, so:
//   1.5 → "1500m", 12000 → "12k", 0 → "0", 0.0001 → "1m" (a fraction of a milli-unit rounds
//   away from zero, as Quantity's negativeScaleInt64 does), 1e21 → "1e21".
// The arithmetic is exact: the number is read from its shortest decimal form (what Prometheus
// sent as a string), never multiplied as a float, so 2.675 is 2675m and not 2676m.

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
  return formatMilliUnits(toMilliUnits(value));
}
