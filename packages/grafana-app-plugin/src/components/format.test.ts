import { setTimeZoneResolver } from '@grafana/data';
import { NO_VALUE, formatCount, formatExactCount, formatExactTime, formatMs, formatTime, formatUtc } from './format';

describe('formatTime', () => {
  afterEach(() => setTimeZoneResolver(() => 'browser'));

  test("shows a tracker time (UTC) in the Grafana user's time zone, named", () => {
    // Grafana sets this resolver to the user's time zone preference.
    setTimeZoneResolver(() => 'Asia/Tokyo');
    // Tokyo is UTC+9 all year.
    expect(formatTime('2026-11-22T10:00:00.123Z')).toBe('2026-11-22 19:00:00.123 JST');
    setTimeZoneResolver(() => 'America/New_York');
    // New York is UTC-5 in November (EST) and UTC-4 in July (EDT).
    expect(formatTime('2026-11-22T10:00:00.000Z')).toBe('2026-11-22 05:00:00.000 EST');
    expect(formatTime('2026-07-01T02:30:00.000Z')).toBe('2026-06-30 22:30:00.000 EDT');
  });

  test('a time with an offset is the same instant in the user zone', () => {
    setTimeZoneResolver(() => 'utc');
    expect(formatTime('2026-11-22T19:00:00.000+09:00')).toBe('2026-11-22 10:00:00.000 UTC');
  });

  test('a time that cannot be read is shown as it came, an empty one as the placeholder', () => {
    expect(formatTime('yesterday-ish')).toBe('yesterday-ish');
    expect(formatTime('')).toBe(NO_VALUE);
    expect(formatTime(undefined)).toBe(NO_VALUE);
  });
});

describe('formatUtc', () => {
  afterEach(() => setTimeZoneResolver(() => 'browser'));

  test("shows a time in UTC, named, to the millisecond, whatever the user's zone", () => {
    setTimeZoneResolver(() => 'Asia/Tokyo');
    expect(formatUtc('2026-11-22T10:00:00.123Z')).toBe('2026-11-22 10:00:00.123 UTC');
    expect(formatUtc('2026-11-22T19:00:00.000+09:00')).toBe('2026-11-22 10:00:00.000 UTC');
  });

  test('a time that cannot be read is shown as it came, an empty one as the placeholder', () => {
    expect(formatUtc('yesterday-ish')).toBe('yesterday-ish');
    expect(formatUtc('')).toBe(NO_VALUE);
  });
});

describe('formatExactTime', () => {
  afterEach(() => setTimeZoneResolver(() => 'browser'));

  test("gives the user's zone, named, then UTC in parentheses; in UTC, UTC alone", () => {
    setTimeZoneResolver(() => 'Asia/Tokyo');
    expect(formatExactTime('2026-11-22T10:00:00.123Z')).toBe(
      '2026-11-22 19:00:00.123 JST (2026-11-22 10:00:00.123 UTC)'
    );
    setTimeZoneResolver(() => 'America/New_York');
    expect(formatExactTime('2026-07-01T02:30:00.000Z')).toBe(
      '2026-06-30 22:30:00.000 EDT (2026-07-01 02:30:00.000 UTC)'
    );
    setTimeZoneResolver(() => 'utc');
    expect(formatExactTime('2026-11-22T19:00:00.000+09:00')).toBe('2026-11-22 10:00:00.000 UTC');
    // Grafana's default, the browser's zone: UTC in these tests (jest.config.js), named.
    setTimeZoneResolver(() => 'browser');
    expect(formatExactTime('2026-11-22T10:00:00.000Z')).toBe('2026-11-22 10:00:00.000 UTC');
  });

  test('a time that cannot be read is shown as it came, an empty one as the placeholder', () => {
    expect(formatExactTime('yesterday-ish')).toBe('yesterday-ish');
    expect(formatExactTime('')).toBe(NO_VALUE);
  });
});

describe('formatCount', () => {
  test('a count in the millions is shown in M, not as thousands of k', () => {
    expect(formatCount(9_999)).toBe('9999');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(345_678)).toBe('346k');
    expect(formatCount(999_499)).toBe('999k');
    expect(formatCount(999_999)).toBe('1.0M');
    expect(formatCount(1_234_567)).toBe('1.2M');
    expect(formatCount(56_789_012)).toBe('56.8M');
    expect(formatCount(123_456_789)).toBe('123M');
  });

  // Grafana's short unit (getValueFormat('short'), @grafana/data 12.4) for the same counts: "999",
  // "1 K", "1000 K" (it does not move up a unit for what rounds to 1000), "1 Mil", "1.23 Mil",
  // "1 Bil", "1 Tri". The same scale, each unit a thousand of the one before; shorter names, one
  // decimal, and what rounds to 1000 shown in the next unit.
  test.each<[number, string]>([
    [0, '0'],
    [999, '999'],
    // Under ten thousand a count is shown whole: four digits read at a glance.
    [1_000, '1000'],
    [9_999, '9999'],
    [10_000, '10.0k'],
    [99_949, '99.9k'],
    [99_950, '100k'],
    [999_499, '999k'],
    [999_500, '1.0M'],
    [999_999, '1.0M'],
    [1_000_000, '1.0M'],
    [1_234_567, '1.2M'],
    [999_499_999, '999M'],
    [999_999_999, '1.0B'],
    [1_000_000_000, '1.0B'],
    [1_234_567_890, '1.2B'],
    [123_456_789_012, '123B'],
    [1_000_000_000_000, '1.0T'],
    [4_567_890_123_456, '4.6T'],
    // Beyond trillions there is no larger unit: a thousand trillion is "1000T".
    [1e15, '1000T'],
  ])('%d is shown as %s', (n, want) => {
    expect(formatCount(n)).toBe(want);
  });
});

describe('formatExactCount', () => {
  test.each<[number, string]>([
    [0, '0'],
    [999, '999'],
    [1_000, '1,000'],
    [999_999, '999,999'],
    [1_000_000, '1,000,000'],
    [1_234_567, '1,234,567'],
    [1_000_000_000, '1,000,000,000'],
    [1_000_000_000_000, '1,000,000,000,000'],
    [NaN, NO_VALUE],
    [Infinity, NO_VALUE],
  ])('%d is shown whole as %s', (n, want) => {
    expect(formatExactCount(n)).toBe(want);
  });
});

describe('formatMs', () => {
  test('a minute or more is shown in minutes, hours and days, not as thousands of seconds', () => {
    expect(formatMs(59_949)).toBe('59.9 s');
    expect(formatMs(59_950)).toBe('1m 0s');
    expect(formatMs(90_500)).toBe('1m 31s');
    expect(formatMs(600_000)).toBe('10m 0s');
    expect(formatMs(3_599_600)).toBe('1h 0m');
    expect(formatMs(3_725_000)).toBe('1h 2m');
    expect(formatMs(86_399_000)).toBe('1d 0h');
    // A correlation id whose events span 18 days read "1631187.1 s" in the session list.
    expect(formatMs(1_631_187_100)).toBe('18d 21h');
    expect(formatMs(-600_000)).toBe('-10m 0s');
  });
});
