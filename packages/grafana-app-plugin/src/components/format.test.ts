import { setTimeZoneResolver } from '@grafana/data';
import { NO_VALUE, formatCount, formatMs, formatTime, formatUtc } from './format';

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
