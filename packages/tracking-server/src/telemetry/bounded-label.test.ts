import { boundedLabel, OTHER } from './bounded-label';

describe('bounded label values', () => {
  it('keeps the first distinct values, counts every later one as other', () => {
    const label = boundedLabel(2);
    expect(['api', 'web', 'api', 'checkout-7d9f8b6c5d-x2x4z', 'web'].map(label)).toEqual([
      'api',
      'web',
      'api',
      OTHER,
      'web',
    ]);
  });

  it('cuts a long value to 64 characters, and counts the cut value once', () => {
    const label = boundedLabel(1);
    const long = `svc-${'x'.repeat(100)}`;
    expect(label(long)).toBe(`svc-${'x'.repeat(60)}`);
    expect(label(`${long}-other-end`)).toBe(`svc-${'x'.repeat(60)}`);
    expect(label('api')).toBe(OTHER);
  });

  it('never cuts a character in two: an emoji across the 64th unit is left out whole', () => {
    const label = boundedLabel(3);
    const a63 = 'a'.repeat(63);
    expect(label(`${a63}😀 end`)).toBe(a63);
    expect(label(`${'b'.repeat(62)}😀 end`)).toBe(`${'b'.repeat(62)}😀`);
    // Written as Prometheus reads it, no U+FFFD in place of half an emoji.
    expect(Buffer.from(label(`${'c'.repeat(63)}😁`), 'utf8').toString('utf8')).toBe('c'.repeat(63));
  });
});
