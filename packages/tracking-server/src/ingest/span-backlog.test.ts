import {
  BACKLOG_SECONDS,
  FIRST_SPANS_PER_SECOND,
  MAX_SPAN_BACKLOG,
  MIN_SPAN_BACKLOG,
  SpanBacklog,
  type SpanHold,
  TURN_SECONDS,
} from './span-backlog';

describe('SpanBacklog', () => {
  it('takes spans up to its limit, and a hold gives its own back once', () => {
    const backlog = new SpanBacklog({ limit: 100 });
    const a = backlog.take(60);
    const b = backlog.take(40);
    expect([a, b].every(Boolean)).toBe(true);
    expect(backlog.take(1)).toBeUndefined(); // 101 > 100: nothing taken
    expect(backlog.spans).toBe(100);
    a?.release();
    a?.release(); // a second release gives nothing more back
    expect(backlog.spans).toBe(40);
    b?.release();
    expect(backlog.spans).toBe(0);
  });

  it('takes a request larger than its limit when it holds nothing, not at all otherwise', () => {
    const backlog = new SpanBacklog({ limit: 100 });
    const one = backlog.take(1);
    expect(backlog.take(500)).toBeUndefined();
    one?.release();
    const big = backlog.take(500);
    expect(backlog.spans).toBe(500);
    big?.release();
    expect(backlog.spans).toBe(0);
  });

  it('once it refused one, refuses every request until it has drained to half its limit', () => {
    const backlog = new SpanBacklog({ limit: 100 });
    const holds = [backlog.take(30), backlog.take(30), backlog.take(30)];
    expect(backlog.full).toBe(false);
    expect(backlog.take(20)).toBeUndefined();
    expect(backlog.full).toBe(true);
    expect(backlog.take(5)).toBeUndefined(); // it would fit, but the backlog is draining
    holds[0]?.release(); // 60 held
    expect([backlog.full, backlog.take(5)]).toEqual([true, undefined]);
    holds[1]?.release(); // 30 held: half drained
    expect(backlog.full).toBe(false);
    expect(backlog.take(5)).toBeDefined();
  });

  it('is not full after refusing a request larger than the room left while under half', () => {
    const backlog = new SpanBacklog({ limit: 100 });
    backlog.take(10);
    expect(backlog.take(95)).toBeUndefined();
    expect([backlog.full, backlog.take(5) !== undefined]).toEqual([false, true]);
  });
});

describe('SpanBacklog learning its limit', () => {
  /** A backlog on a clock the test moves. */
  const clocked = () => {
    const clock = { ms: 0 };
    return { clock, backlog: new SpanBacklog({ now: () => clock.ms }) };
  };

  it('holds BACKLOG_SECONDS of work at FIRST_SPANS_PER_SECOND before it measured any', () => {
    expect(new SpanBacklog().limit).toBe(FIRST_SPANS_PER_SECOND * BACKLOG_SECONDS);
  });

  it('measures the spans stored over the time any were held, averaged with the measure before', () => {
    const { clock, backlog } = clocked();
    const a = backlog.take(36_000);
    clock.ms = 800;
    const b = backlog.take(6_000);
    clock.ms = 1_200;
    a?.release(); // 36,000 in 1.2 s: 30,000 a second, averaged with the first 20,000
    expect(backlog.spansPerSecond).toBe(25_000);
    clock.ms = 2_000;
    b?.release(); // 6,000 more in 0.8 s: under the sample's 1 s, not measured yet
    expect(backlog.spansPerSecond).toBe(25_000);
    clock.ms = 5_000; // idle time is not counted
    const c = backlog.take(24_000);
    clock.ms = 5_200;
    c?.release(); // 30,000 in 1 s held: 30,000 a second
    expect(backlog.spansPerSecond).toBe(27_500);
    expect(backlog.limit).toBe(27_500 * BACKLOG_SECONDS);
    expect(backlog.inTurn).toBe(27_500 * TURN_SECONDS);
  });

  it('keeps its limit between one Collector batch and MAX_SPAN_BACKLOG', () => {
    const slow = clocked();
    for (let i = 0; i < 10; i++) {
      const h = slow.backlog.take(10);
      slow.clock.ms += 2_000;
      h?.release();
    }
    expect(slow.backlog.limit).toBe(MIN_SPAN_BACKLOG);
    const fast = clocked();
    for (let i = 0; i < 10; i++) {
      const h = fast.backlog.take(1_000_000);
      fast.clock.ms += 1_000;
      h?.release();
    }
    expect(fast.backlog.limit).toBe(MAX_SPAN_BACKLOG);
  });
});

describe('SpanBacklog turns', () => {
  /** Whether each hold's turn has come, after the promise callbacks ran. */
  const started = async (...holds: (SpanHold | undefined)[]) => {
    const came = holds.map(() => false);
    holds.forEach((h, i) => void h?.turn().then(() => (came[i] = true)));
    await new Promise((r) => setImmediate(r));
    return came;
  };

  it('serves requests in the order taken, as many spans at once as a turn holds', async () => {
    const backlog = new SpanBacklog({ limit: 1_000, turn: 100 });
    const [a, b, c] = [backlog.take(60), backlog.take(60), backlog.take(30)];
    // c would fit beside a, but waits behind b.
    expect(await started(a, b, c)).toEqual([true, false, false]);
    a?.release();
    expect(await started(b, c)).toEqual([true, true]);
  });

  it('starts a request larger than a turn alone', async () => {
    const backlog = new SpanBacklog({ limit: 1_000, turn: 100 });
    const [big, next] = [backlog.take(500), backlog.take(1)];
    expect(await started(big, next)).toEqual([true, false]);
    big?.release();
    expect(await started(next)).toEqual([true]);
  });

  it('gives up the place of a request released before its turn, not counting its spans as stored', async () => {
    const clock = { ms: 0 };
    const backlog = new SpanBacklog({ turn: 100, now: () => clock.ms });
    const [a, b, c] = [backlog.take(100), backlog.take(100), backlog.take(100)];
    b?.release(false); // its client left while it waited
    expect(backlog.spans).toBe(200);
    clock.ms = 1_000;
    a?.release();
    expect(await started(c)).toEqual([true]);
    // 100 spans stored in 1 s, averaged with the first guess: b's are not counted.
    expect(backlog.spansPerSecond).toBe((FIRST_SPANS_PER_SECOND + 100) / 2);
  });
});
