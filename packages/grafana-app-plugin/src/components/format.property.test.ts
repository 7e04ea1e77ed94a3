import fc from 'fast-check';
import { formatBytes, formatCount, formatMs, relativeTime } from './format';

/** Shown where a number cannot be read; what a user must never see instead of it. */
const PLACEHOLDER = '—';
const LEAKS = /NaN|undefined|Infinity|null/;

/** Any double: NaN, ±Infinity, -0, subnormals, huge. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, 1e21, -1e21)
);

/** Reads "1.5 k"-style output back: sign, digits and the unit, or undefined when it is not that shape. */
function readBack(out: string, units: Record<string, number>): number | undefined {
  const m = /^(-?)(\d+(?:\.\d+)?(?:e\+\d+)?) ?([A-Za-z]*)$/.exec(out);
  if (!m || !(m[3] in units)) {
    return undefined;
  }
  return (m[1] ? -1 : 1) * Number(m[2]) * units[m[3]];
}

describe('format helpers (property)', () => {
  test('formatMs: any number gives a duration that reads back to it within its rounding, or the placeholder (10k cases)', () => {
    fc.assert(
      fc.property(anyNumber, (ms) => {
        const out = formatMs(ms);
        if (!Number.isFinite(ms)) {
          return out === PLACEHOLDER;
        }
        const size = Math.abs(ms);
        if (size >= 59_950) {
          // From a minute: two units, the smaller under its ratio ("1h 0m", never "60m 0s"),
          // to within half the smaller unit; compared in that unit, so a duration near
          // Number.MAX_VALUE does not overflow when read back.
          const m = /^(-?)(\d+(?:\.\d+)?(?:e\+\d+)?)([dhm]) (\d+)([hms])$/.exec(out);
          const units: Record<string, [number, string, number]> = {
            d: [3_600_000, 'h', 24],
            h: [60_000, 'm', 60],
            m: [1000, 's', 60],
          };
          if (!m || units[m[3]][1] !== m[5] || Number(m[4]) >= units[m[3]][2]) {
            return false;
          }
          const [unit, , ratio] = units[m[3]];
          const back = (m[1] ? -1 : 1) * (Number(m[2]) * ratio + Number(m[4]));
          return !LEAKS.test(out) && Math.abs(back - ms / unit) <= 0.5 + (size / unit) * 1e-12;
        }
        const back = readBack(out, { ms: 1, s: 1000 });
        // Shown to 0.01 ms under 1 ms, whole ms under 1 s, 0.01 s under 10 s, 0.1 s under a minute.
        const step = size < 1 ? 0.01 : size < 1000 ? 1 : size < 10_000 ? 10 : 100;
        const unit = size < 999.5 ? 'ms' : 's';
        return (
          !LEAKS.test(out) &&
          back !== undefined &&
          out.endsWith(` ${unit}`) &&
          Math.abs(back - ms) <= step / 2 + size * 1e-12
        );
      }),
      { numRuns: 10_000 }
    );
  });

  test('formatBytes: any number gives a size that reads back to it within its rounding, or the placeholder (10k cases)', () => {
    const units = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
    fc.assert(
      fc.property(anyNumber, (bytes) => {
        const out = formatBytes(bytes);
        if (!Number.isFinite(bytes)) {
          return out === PLACEHOLDER;
        }
        const back = readBack(out, units);
        const unit = bytes < 1024 ? 1 : bytes < 1024 ** 2 ? 1024 : bytes < 1024 ** 3 ? 1024 ** 2 : 1024 ** 3;
        const step = unit === 1 ? 1 : unit / 10;
        return !LEAKS.test(out) && back !== undefined && Math.abs(back - bytes) <= step / 2 + Math.abs(bytes) * 1e-12;
      }),
      { numRuns: 10_000 }
    );
  });

  test('formatCount: any number gives a count that reads back within its rounding, in the smallest unit under 1000, or the placeholder (10k cases)', () => {
    const scale: Record<string, number> = { k: 1e3, M: 1e6, B: 1e9, T: 1e12 };
    fc.assert(
      fc.property(fc.oneof(anyNumber, fc.integer({ min: -1e6, max: 1e9 }), fc.double({ min: 1e4, max: 1e16 })), (n) => {
        const out = formatCount(n);
        if (!Number.isFinite(n)) {
          return out === PLACEHOLDER;
        }
        if (LEAKS.test(out)) {
          return false;
        }
        if (n < 10_000) {
          // Below ten thousand a count is shown as it is.
          return Number(out) === n;
        }
        const m = /^(\d+(?:\.\d+)?(?:e\+\d+)?)([kMBT])$/.exec(out);
        if (!m) {
          return false;
        }
        const shown = Number(m[1]);
        const unit = scale[m[2]];
        // One decimal under 100 of the unit, none from 100; compared in the unit shown, so a count
        // near Number.MAX_VALUE does not overflow when read back.
        const step = shown < 100 ? 0.1 : 1;
        if (shown < 100 !== /^\d+\.\d$/.test(m[1]) || Math.abs(shown - n / unit) > step / 2 + (n / unit) * 1e-12) {
          return false;
        }
        // The smallest unit in which it shows under 1000 (T, the largest, takes what is left):
        // never "1000k" for 999,999, never "1000M" for a billion.
        const below = n / (unit / 1000);
        return (m[2] === 'k' || below >= 999.5 * (1 - 1e-12)) && (m[2] === 'T' || shown < 1000);
      }),
      { numRuns: 10_000 }
    );
  });

  test('relativeTime: a readable time gives an age in the unit its size calls for, within that unit (10k cases)', () => {
    const dateMs = fc.integer({ min: -8.64e15, max: 8.64e15 });
    fc.assert(
      fc.property(dateMs, dateMs, (t, now) => {
        const out = relativeTime(new Date(t).toISOString(), now);
        const age = (now - t) / 1000;
        if (out === 'just now') {
          return age < 1.5;
        }
        const m = /^(\d+)([smhd]) ago$/.exec(out);
        if (!m) {
          return false;
        }
        const n = Number(m[1]);
        const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
        // Each unit is rounded from the one below, so the error adds up: ≤ ½ s + ½ min + ½ h + ½ d.
        const slack = { s: 0.5, m: 30.5, h: 1830.5, d: 45_030.5 }[m[2] as 's' | 'm' | 'h' | 'd'];
        const range = { s: [2, 59], m: [1, 59], h: [1, 47], d: [2, Infinity] }[m[2] as 's' | 'm' | 'h' | 'd'];
        return n >= range[0] && n <= range[1] && Math.abs(n * unit - age) <= slack;
      }),
      { numRuns: 10_000 }
    );
  });

  test('relativeTime: any text and any clock give text, never "NaN…" or an empty cell (10k cases)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.date({ noInvalidDate: false }).map(String)), anyNumber, (iso, now) => {
        const out = relativeTime(iso, now);
        return typeof out === 'string' && out !== '' && (!/NaN/.test(out) || iso.includes('NaN'));
      }),
      { numRuns: 10_000 }
    );
  });
});

describe('format helpers: values the properties found shown as NaN, Infinity or nothing', () => {
  test.each<[string, () => string, string]>([
    ['formatMs(NaN)', () => formatMs(NaN), PLACEHOLDER],
    ['formatMs(Infinity)', () => formatMs(Infinity), PLACEHOLDER],
    ['formatMs(-5000)', () => formatMs(-5000), '-5.00 s'],
    ['formatMs(999.5), a whole second once rounded', () => formatMs(999.5), '1.00 s'],
    ['formatMs(999.49)', () => formatMs(999.49), '999 ms'],
    ['formatBytes(NaN)', () => formatBytes(NaN), PLACEHOLDER],
    ['formatBytes(-Infinity)', () => formatBytes(-Infinity), PLACEHOLDER],
    ['formatCount(NaN)', () => formatCount(NaN), PLACEHOLDER],
    ['formatCount(Infinity)', () => formatCount(Infinity), PLACEHOLDER],
    ['relativeTime(a time, NaN)', () => relativeTime('2026-11-22T12:00:00.000Z', NaN), '2026-11-22T12:00:00.000Z'],
    ["relativeTime('')", () => relativeTime(''), PLACEHOLDER],
  ])('%s gives the placeholder or a readable value', (_, format, want) => {
    expect(format()).toBe(want);
  });
});
