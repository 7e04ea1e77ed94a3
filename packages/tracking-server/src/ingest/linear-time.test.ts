// Every byte of an event is the sender's, and an event is read on the main thread: text that makes
// a rule's time grow with the square of its length holds every other request up. Each input here
// is one a rule read in quadratic time, seconds long at a few tens of kilobytes (a fraction of the
// 1 MB an event may be); read in linear time it takes milliseconds. The bound is this process's
// CPU time, far above the linear time on a slow machine and far below the quadratic one.
import { normaliseFilename } from '../grouping/grouping';
import { createScrubber, FILTERED } from '../scrub/scrub';
import { formatTemplate } from './normalise';

function cpuMs<T>(read: () => T): { result: T; ms: number } {
  const started = process.cpuUsage();
  const result = read();
  const { user, system } = process.cpuUsage(started);
  return { result, ms: (user + system) / 1_000 };
}

const BOUND_MS = 1_000;
const UUID = '12345678-1234-1234-1234-123456789012';

describe('event text that made a rule quadratic is read in linear time', () => {
  const scrub = createScrubber({ enabled: true });

  it('scrubs a long run of percent escapes before a secret parameter (was 3 s for 100,000 characters)', () => {
    const run = '%41'.repeat(33_000);
    const { result, ms } = cpuMs(() => scrub.text(`${run} token=abc`));
    expect(result).toBe(`${run} token=${FILTERED}`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('still filters a parameter whose name is percent-encoded, or follows a lone %', () => {
    expect(scrub.text('user%5Bpassword%5D=hunter2')).toBe(`user%5Bpassword%5D=${FILTERED}`);
    expect(scrub.text('100%key=abc')).toBe(`100%key=${FILTERED}`);
  });

  it('filters thousands of card numbers in a text with a UUID (was 5 s for 54,000 characters)', () => {
    const text = `${'4111111111111111, '.repeat(3_000)}id ${UUID}`;
    const { result, ms } = cpuMs(() => scrub.text(text));
    expect(result).toBe(`${`${FILTERED}, `.repeat(3_000)}id ${UUID}`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('still keeps card-shaped digits that are part of a UUID, before and after a card', () => {
    const uuid = '12345678-1234-1232-1234-123456789012';
    expect(scrub.text(`4111111111111111 ${uuid} 4111111111111111`)).toBe(
      `${FILTERED} ${uuid} ${FILTERED}`,
    );
  });

  it("normalises a frame's file name of a scheme and a long host with no path (was 1.6 s for 40,000 characters)", () => {
    const name = `a://${'a'.repeat(60_000)}`;
    const { result, ms } = cpuMs(() => normaliseFilename(name));
    expect(result).toBe(name);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("normalises a frame's file name of many ? before a line break (was 4 s for 40,000 characters)", () => {
    const { result, ms } = cpuMs(() => normaliseFilename(`${'?'.repeat(40_000)}\nsrc/app.js?v=1`));
    // `.` stops at a line break: the query is cut on the last line only.
    expect(result).toBe(`${'?'.repeat(40_000)}\nsrc/app.js`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('formats a log template of many %( with no ) after them (was a quarter second for 20,000 characters)', () => {
    const { result, ms } = cpuMs(() => formatTemplate(`${'%('.repeat(40_000)}%s`, ['x']));
    expect(result).toBe(`${'%('.repeat(40_000)}x`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('still formats named, positional and escaped placeholders, and leaves unknown ones', () => {
    expect(formatTemplate('%(a)s and %s, 100%% %(b)d %(c', { a: 'A', b: 2 })).toBe(
      'A and %s, 100% 2 %(c',
    );
    expect(formatTemplate('%(x %s %(y)z %s', ['P', 'Q'])).toBe('%(x P %(y)z Q');
  });
});
