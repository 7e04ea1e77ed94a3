// Values dated at their samples' time, not at the time Prometheus evaluated the query. An instant
// query stamps every result with its evaluation time, so an answer served that way is dated the
// second it was asked for (prometheus-adapter's wall-clock timestamps). The scrape times are on
// the rule's series, where timestamp() reads them: each query also asks, in the same round trip,
// for the oldest sample time of the series it reads, under a label no series has: an answer is
// as fresh as its oldest sample (one Prometheus still serves from its 5-minute lookback, after a
// restart or from an exporter that dates its samples, is not passed off as current, and
// beacon_adapter_value_age_seconds sees it).
//
// One time for the answer, not one per object: the HPA reads one (its first item's), and per
// object (`max by (pod)`) took Prometheus 3× the plain query's time at 1,500 pods and the
// adapter as many series again to read, where one time took it 2× (README, Benchmark).
import type { Sample } from './client';

/** Marks the sample-time series of an answer (a `__` label: Prometheus never writes one). */
export const SAMPLE_TIME_LABEL = '__beacon_sample_time__';

/** `expr`, and the oldest sample time of `series{matchers}`, in one query. */
export function withSampleTime(expr: string, series: string, matchers: readonly string[]): string {
  // A PromQL comment runs to the end of its line: one in a rule's metricsQuery would take the
  // closing parenthesis and the `or` with it, and Prometheus would refuse the whole query.
  const closed = expr.includes('#') ? `${expr}\n` : expr;
  return `(${closed}) or label_replace(min(timestamp(${series}{${matchers.join(',')}})), "${SAMPLE_TIME_LABEL}", "1", "", "")`;
}

/**
 * The values of a withSampleTime answer, dated at its sample time; without one (no series
 * matched), each keeps the evaluation time.
 */
export function valuesAtSampleTime(samples: readonly Sample[]): Sample[] {
  let time: number | undefined;
  const values: Sample[] = [];
  for (const s of samples) {
    if (s.labels[SAMPLE_TIME_LABEL] === undefined) values.push(s);
    else if (Number.isFinite(Number(s.value))) time = Number(s.value);
  }
  return time === undefined ? values : values.map((s) => ({ ...s, timestamp: time }));
}
