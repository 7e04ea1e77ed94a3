import { clockDrift, sentAtOf, withoutClockDrift } from './clock-drift';

const DAY = 86_400_000;

describe('sentAtOf', () => {
  it.each([
    ['2020-01-01T00:00:00Z', 1_577_836_800_000],
    ['2020-01-01T00:00:00.250Z', 1_577_836_800_250],
    ['2020-01-01T01:00:00+01:00', 1_577_836_800_000],
    ['2020-01-01t00:00:00.123456z', 1_577_836_800_123],
    ['2020-01-01 00:00:00Z', 1_577_836_800_000],
  ])('reads the RFC 3339 time %s', (text, ms) => {
    expect(sentAtOf(text)).toBe(ms);
  });

  it.each([
    undefined,
    null,
    1_577_836_800,
    '',
    'yesterday',
    '2020-01-01',
    '2020-01-01T00:00:00',
    '2020-13-45T00:00:00Z',
    '1577836800',
  ])('reads %p as no time', (value) => {
    expect(sentAtOf(value)).toBeUndefined();
  });
});

describe('clockDrift', () => {
  const SENT = 1_577_836_800_000;

  it('is none without a sent_at', () => {
    expect(clockDrift(undefined, SENT + DAY)).toBe(0);
  });

  it('is the difference from 55 minutes on, either way', () => {
    expect(clockDrift(SENT, SENT + 3_300_000)).toBe(3_300_000);
    expect(clockDrift(SENT, SENT - 3_300_000)).toBe(-3_300_000);
    expect(clockDrift(SENT, SENT + DAY)).toBe(DAY);
  });

  it('is none under 55 minutes: latency and ordinary drift', () => {
    expect(clockDrift(SENT, SENT + 3_299_999)).toBe(0);
    expect(clockDrift(SENT, SENT - 3_299_999)).toBe(0);
    expect(clockDrift(SENT, SENT)).toBe(0);
  });
});

describe('withoutClockDrift', () => {
  it('returns the event itself when there is no drift', () => {
    const event = { timestamp: 1_577_836_800 };
    expect(withoutClockDrift(event, 0)).toBe(event);
  });

  it('shifts the event’s, its breadcrumbs’ and its spans’ times, written in seconds', () => {
    const event = {
      message: 'm',
      timestamp: '2020-01-01T00:00:00Z',
      start_timestamp: '1577836700.5',
      breadcrumbs: { values: [{ timestamp: 1_577_836_790, message: 'b' }, 'not a crumb'] },
      spans: [{ span_id: 's', start_timestamp: 1_577_836_750, timestamp: '2020-01-01T00:00:00' }],
    };
    expect(withoutClockDrift(event, DAY)).toEqual({
      message: 'm',
      timestamp: 1_577_923_200,
      start_timestamp: 1_577_923_100.5,
      breadcrumbs: { values: [{ timestamp: 1_577_923_190, message: 'b' }, 'not a crumb'] },
      spans: [{ span_id: 's', start_timestamp: 1_577_923_150, timestamp: 1_577_923_200 }],
    });
    // The event as sent is left as it was.
    expect(event.timestamp).toBe('2020-01-01T00:00:00Z');
  });

  it('shifts breadcrumbs sent as a bare list or under the legacy interface name', () => {
    expect(withoutClockDrift({ breadcrumbs: [{ timestamp: 1_577_836_800 }] }, -DAY)).toEqual({
      breadcrumbs: [{ timestamp: 1_577_750_400 }],
    });
    expect(
      withoutClockDrift(
        { 'sentry.interfaces.Breadcrumbs': { values: [{ timestamp: 1_577_836_800 }] } },
        -DAY,
      ),
    ).toEqual({ 'sentry.interfaces.Breadcrumbs': { values: [{ timestamp: 1_577_750_400 }] } });
  });

  it('leaves times that do not parse, and adds none', () => {
    expect(withoutClockDrift({ timestamp: 'soon', breadcrumbs: 'none' }, DAY)).toEqual({
      timestamp: 'soon',
      breadcrumbs: 'none',
    });
    expect(withoutClockDrift({ message: 'no time' }, DAY)).toEqual({ message: 'no time' });
  });
});
