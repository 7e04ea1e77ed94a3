import { extent } from './extent';

describe('extent', () => {
  it('finds the earliest and latest of many values, more than arguments can carry', () => {
    const values = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
    expect(extent(values)).toEqual([0, 499_999]);
    expect(extent([3, -2, 8])).toEqual([-2, 8]);
  });

  it('answers [Infinity, -Infinity] for no values', () => {
    expect(extent([])).toEqual([Infinity, -Infinity]);
  });
});
