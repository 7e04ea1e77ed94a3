import {
  clockDrift,
  rfc3339,
  sentAtOf,
  withoutClockDrift,
  withTimestampInRange,
} from './clock-drift';

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

  it('keeps a span’s time to the fraction sent: a 0.4 ms span stays 0.4 ms', () => {
    // Shifted through whole milliseconds, the span below lasted 1 ms, the one in text 0 ms.
    const spans = [
      { start_timestamp: 1_577_836_800.0001, timestamp: 1_577_836_800.0005 },
      { start_timestamp: '2020-01-01T00:00:00.123400Z', timestamp: '2020-01-01T00:00:00.123700Z' },
    ];
    const out = withoutClockDrift({ spans }, 2 * 3_600_000).spans as {
      start_timestamp: number;
      timestamp: number;
    }[];
    expect(out.map((s) => (s.timestamp - s.start_timestamp) * 1000)).toEqual([
      expect.closeTo(0.4, 3),
      expect.closeTo(0.3, 3),
    ]);
    expect(out[1]?.start_timestamp).toBeCloseTo(1_577_836_800.1234 + 7_200, 4);
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

describe('withTimestampInRange (Relay’s normalize_timestamps)', () => {
  // Relay's own cases (relay-event-normalization event.rs, test_future_timestamp and
  // test_past_timestamp): max_secs_in_future 60, max_secs_in_past 30 days.
  it('dates an event two minutes ahead by its arrival, naming future_timestamp', () => {
    const received = Date.UTC(2000, 0, 3, 0, 0, 0);
    const error = {
      sdk_time: '2000-01-03T00:02:00+00:00',
      server_time: '2000-01-03T00:00:00+00:00',
    };
    expect(withTimestampInRange({ timestamp: 946_857_720 }, received)).toEqual({
      timestamp: 946_857_600,
      errors: [{ type: 'future_timestamp', name: 'timestamp', ...error }],
      _meta: { timestamp: { '': { err: [['future_timestamp', error]] } } },
    });
  });

  it('dates an event two months old by its arrival, naming past_timestamp', () => {
    const received = Date.UTC(2000, 2, 3, 0, 0, 0);
    const error = {
      sdk_time: '2000-01-03T00:00:00+00:00',
      server_time: '2000-03-03T00:00:00+00:00',
    };
    expect(withTimestampInRange({ timestamp: '2000-01-03T00:00:00Z' }, received)).toEqual({
      timestamp: 952_041_600,
      errors: [{ type: 'past_timestamp', name: 'timestamp', ...error }],
      _meta: { timestamp: { '': { err: [['past_timestamp', error]] } } },
    });
  });

  it('leaves an event a minute ahead or 30 days behind, or with no time it can read, as it is', () => {
    const received = Date.UTC(2000, 2, 3, 0, 0, 0);
    for (const timestamp of [
      (received + 60_000) / 1000,
      (received - 30 * DAY) / 1000,
      'soon',
      undefined,
    ]) {
      const event = { message: 'm', timestamp };
      expect(withTimestampInRange(event, received)).toBe(event);
    }
    expect(withTimestampInRange({ message: 'no time' }, received)).toEqual({ message: 'no time' });
  });

  it('shifts from a millisecond past either bound, with every time in the event, keeping its spacing', () => {
    const received = Date.UTC(2000, 2, 3, 0, 0, 0);
    const event = (t: number) => ({
      timestamp: t / 1000,
      start_timestamp: (t - 3_000) / 1000,
      breadcrumbs: [{ timestamp: (t - 2_000) / 1000 }],
      spans: [{ start_timestamp: (t - 1_000) / 1000, timestamp: '2000-01-01T00:00:00Z' }],
    });
    const ahead = withTimestampInRange(event(received + 60_001), received);
    const behind = withTimestampInRange(event(received - 30 * DAY - 1), received);
    for (const [moved, by] of [
      [ahead, -60_001],
      [behind, 30 * DAY + 1],
    ] as const)
      expect(moved).toMatchObject({
        timestamp: received / 1000,
        start_timestamp: (received - 3_000) / 1000,
        breadcrumbs: [{ timestamp: (received - 2_000) / 1000 }],
        spans: [
          {
            start_timestamp: (received - 1_000) / 1000,
            timestamp: (Date.UTC(2000, 0, 1) + by) / 1000,
          },
        ],
      });
    expect(ahead.errors).toEqual([
      {
        type: 'future_timestamp',
        name: 'timestamp',
        sdk_time: '2000-03-03T00:01:00.001+00:00',
        server_time: '2000-03-03T00:00:00+00:00',
      },
    ]);
  });

  it('adds its error after those the event has, in errors and _meta', () => {
    const received = Date.UTC(2022, 4, 8, 20, 14, 38, 483);
    const sdk = Date.UTC(2022, 3, 7, 20, 14, 38, 483); // 31 days before
    const error = {
      sdk_time: '2022-04-07T20:14:38.483+00:00',
      server_time: '2022-05-08T20:14:38.483+00:00',
    };
    const event = {
      timestamp: sdk / 1000,
      errors: [{ type: 'invalid_data', name: 'user' }],
      _meta: {
        user: { '': { err: ['invalid_data'] } },
        timestamp: { '': { err: ['clock_drift'], len: 3 } },
      },
    };
    expect(withTimestampInRange(event, received)).toEqual({
      timestamp: received / 1000,
      errors: [
        { type: 'invalid_data', name: 'user' },
        { type: 'past_timestamp', name: 'timestamp', ...error },
      ],
      _meta: {
        user: { '': { err: ['invalid_data'] } },
        timestamp: { '': { err: ['clock_drift', ['past_timestamp', error]], len: 3 } },
      },
    });
  });
});

describe('rfc3339', () => {
  it('writes a time as chrono’s to_rfc3339 does: +00:00, milliseconds when there are some', () => {
    expect(rfc3339(Date.UTC(2000, 0, 3))).toBe('2000-01-03T00:00:00+00:00');
    expect(rfc3339(Date.parse('2022-04-07T20:14:38.483Z'))).toBe('2022-04-07T20:14:38.483+00:00');
    expect(rfc3339(Date.parse('2022-04-07T20:14:38.480Z'))).toBe('2022-04-07T20:14:38.480+00:00');
    expect(rfc3339(Date.UTC(10000, 0, 1))).toBe('+10000-01-01T00:00:00+00:00');
  });
});
