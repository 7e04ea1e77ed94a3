// The earliest and latest of many times. Math.min(...times) passes every value as an argument,
// and past ~120,000 of them (a session's spans, an envelope's events) that overflows the stack.

/** [min, max] of `values`; [Infinity, -Infinity] when there are none. */
export function extent(values: Iterable<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
