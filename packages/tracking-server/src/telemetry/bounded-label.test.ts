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
});
