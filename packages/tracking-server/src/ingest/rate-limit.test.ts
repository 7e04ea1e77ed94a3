import { RateLimiter } from './rate-limit';

it('admits a project’s events up to its limit per minute, then names the seconds left', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => now);
  expect(limiter.take(1, 5, 3)).toBe(0);
  expect(limiter.take(1, 5, 2)).toBe(0);
  now += 15_500;
  expect(limiter.take(1, 5, 1)).toBe(45); // 44.5 s of the window left, rounded up
  expect(limiter.take(2, 5, 5)).toBe(0); // projects are counted apart
  now += 44_400;
  expect(limiter.take(1, 5, 1)).toBe(1); // never 0 while refusing
  now += 100;
  expect(limiter.take(1, 5, 5)).toBe(0); // a new window
  expect(limiter.take(1, 5, 1)).toBe(60);
});

it('refuses a batch that would cross the limit whole, and never limits at 0', () => {
  const limiter = new RateLimiter(() => 0);
  expect(limiter.take(1, 10, 8)).toBe(0);
  expect(limiter.take(1, 10, 3)).toBe(60);
  expect(limiter.take(1, 10, 2)).toBe(0); // the refused three were not counted
  expect(limiter.take(3, 0, 1_000_000)).toBe(0);
});

it('waits at most a minute when the clock steps back, keeping what the window counted', () => {
  let now = 10_000_000;
  const limiter = new RateLimiter(() => now);
  expect(limiter.take(1, 2, 2)).toBe(0);
  now -= 3_600_000; // the wall clock stepped back an hour
  expect(limiter.take(1, 2, 1)).toBe(60); // the two counted still count, for one more minute
  now += 59_000;
  expect(limiter.take(1, 2, 1)).toBe(1);
  now += 1_000;
  expect(limiter.take(1, 2, 2)).toBe(0); // then a new window
});

it('never refuses a request of no events, even past a limit lowered within the window', () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  expect(limiter.take(1, 100, 50)).toBe(0);
  now += 10_000;
  // config.json now says 10 a minute: the 50 counted are over it, but a transaction alone is taken
  expect(limiter.take(1, 10, 0)).toBe(0);
  expect(limiter.take(1, 10, 1)).toBe(50); // an event is refused until the window ends
});
