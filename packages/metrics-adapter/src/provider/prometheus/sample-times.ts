// Each value at its sample's own time, not at the time Prometheus evaluated the query. An instant
// query stamps every result with its evaluation time, so an answer served that way is dated the
// second it was asked for (prometheus-adapter's wall-clock timestamps). The scrape times are on
// the rule's series, where timestamp() reads them: each query also asks, in the same round trip,
// for the newest sample time of the rule's series per object, under a label no series has.
import type { Sample } from './client';

/** Marks the sample-time series of an answer (a `__` label: Prometheus never writes one). */
export const SAMPLE_TIME_LABEL = '__beacon_sample_time__';

/**
 * `expr`, and the newest sample time of `series{matchers}` by the `by` labels (once for the whole
 * answer when there are none), in one query.
 */
export function withSampleTimes(
  expr: string,
  series: string,
  matchers: readonly string[],
  by: readonly string[],
): string {
  const grouping = by.length > 0 ? ` by (${by.join(',')})` : '';
  return `(${expr}) or label_replace(max${grouping} (timestamp(${series}{${matchers.join(',')}})), "${SAMPLE_TIME_LABEL}", "1", "", "")`;
}

/**
 * The values of a withSampleTimes answer, each at its object's sample time (matched by the `by`
 * labels); a value with none, such as one computed from other series, keeps the evaluation time.
 */
export function valuesAtSampleTimes(samples: readonly Sample[], by: readonly string[]): Sample[] {
  const keyOf = (labels: Readonly<Record<string, string>>) =>
    by.length === 1 ? (labels[by[0] as string] ?? '') : by.map((l) => labels[l] ?? '').join('\0');
  const times = new Map<string, number>();
  const values: Sample[] = [];
  for (const s of samples) {
    if (s.labels[SAMPLE_TIME_LABEL] === undefined) values.push(s);
    else {
      const t = Number(s.value);
      if (Number.isFinite(t)) times.set(keyOf(s.labels), t);
    }
  }
  if (times.size === 0) return values;
  return values.map((s) => {
    const t = times.get(keyOf(s.labels));
    return t === undefined ? s : { ...s, timestamp: t };
  });
}
