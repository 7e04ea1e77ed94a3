import { groupEvent } from '../grouping/grouping';
import { createScrubber, FILTERED, scrubString } from './scrub';

// Times and ids written in text: epoch milliseconds (13 digits), microseconds (16), nanoseconds
// and snowflake ids (19) all start with 1, and one in ten passes the Luhn check by chance
// (1733145600008, 1733145600000124 and 1790000000000000005 do). Card networks' numbers start with
// 2–6 (Mastercard 2 and 5, Amex 3, Visa 4, Discover 6), as the JSON number rule already reads them.
describe('PII scrubbing of unbroken digit runs in text', () => {
  it('keeps Luhn-valid times and ids that start with 1', () => {
    for (const s of [
      'lock held since 1733145600008',
      'job started at 1733145600000124 µs',
      'snowflake 1790000000000000005 not found',
    ])
      expect(scrubString(s)).toBe(s);
  });

  it('still filters card numbers written without separators, and cards written in groups', () => {
    expect(scrubString('card 4111111111111111 declined')).toBe(`card ${FILTERED} declined`);
    expect(scrubString('amex 378282246310005')).toBe(`amex ${FILTERED}`);
    expect(scrubString('mc 5500000000000004, discover 6011111111111117')).toBe(
      `mc ${FILTERED}, discover ${FILTERED}`,
    );
    expect(scrubString('card 1234 5678 1234 1232 on file')).toBe(`card ${FILTERED} on file`);
  });

  it('groups one error whose message holds a time into one issue, whatever the time', () => {
    const scrub = createScrubber({ enabled: true });
    const event = (at: number) =>
      scrub({
        platform: 'python',
        exception: { values: [{ type: 'TimeoutError', value: `lock held since ${at}` }] },
      }) as Parameters<typeof groupEvent>[0];
    expect(groupEvent(event(1733145600008)).components).toEqual([
      'TimeoutError: lock held since <num>',
    ]);
    expect(groupEvent(event(1733145600008)).hash).toBe(groupEvent(event(1733145600001)).hash);
  });
});
