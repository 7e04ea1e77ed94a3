// How long each call of a sweep held the writer: a sweep calls until a call returns 0.

/** Calls `call` until it returns 0, timing each call: their count, p50, longest and sum (ms). */
export function timeCalls(call: () => number) {
  const ms: number[] = [];
  for (;;) {
    const t0 = process.hrtime.bigint();
    const n = call();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (n === 0) break;
  }
  ms.sort((a, b) => a - b);
  return {
    calls: ms.length,
    p50: ms[Math.floor(ms.length / 2)] as number,
    max: ms[ms.length - 1] as number,
    total: ms.reduce((a, b) => a + b, 0),
  };
}
