import type { Sample } from './client';
import { SAMPLE_TIME_LABEL, valuesAtSampleTimes, withSampleTimes } from './sample-times';

describe('values at their sample times', () => {
  it('asks for the newest sample time of the rule series by the object label, in the same query', () => {
    expect(
      withSampleTimes(
        'sum(ws{namespace="platform",pod!=""}) by (pod)',
        'ws',
        ['namespace="platform"', 'pod!=""'],
        ['pod'],
      ),
    ).toBe(
      '(sum(ws{namespace="platform",pod!=""}) by (pod)) or label_replace(max by (pod) (timestamp(ws{namespace="platform",pod!=""})), "__beacon_sample_time__", "1", "", "")',
    );
    // An external metric: nothing to group by, one time for the answer.
    expect(withSampleTimes('max(q{}) by (queue)', 'q', [], [])).toBe(
      '(max(q{}) by (queue)) or label_replace(max (timestamp(q{})), "__beacon_sample_time__", "1", "", "")',
    );
  });

  const sample = (labels: Record<string, string>, value: string, timestamp = 1000): Sample => ({
    labels,
    value,
    timestamp,
  });
  const time = (labels: Record<string, string>, at: string) =>
    sample({ ...labels, [SAMPLE_TIME_LABEL]: '1' }, at);

  it("dates each value at its object's sample time, leaving the time series out", () => {
    const answer = [
      sample({ pod: 'a' }, '7'),
      time({ pod: 'a' }, '990.5'),
      sample({ pod: 'b' }, '12.5'),
      time({ pod: 'b' }, '985'),
      sample({ pod: 'c' }, '1'), // no sample time: its evaluation time stays
    ];
    expect(valuesAtSampleTimes(answer, ['pod'])).toEqual([
      sample({ pod: 'a' }, '7', 990.5),
      sample({ pod: 'b' }, '12.5', 985),
      sample({ pod: 'c' }, '1', 1000),
    ]);
  });

  it('matches on every label given, and dates every value at one time when none is', () => {
    const answer = [
      sample({ namespace: 'x', pod: 'a' }, '1'),
      sample({ namespace: 'y', pod: 'a' }, '2'),
      time({ namespace: 'y', pod: 'a' }, '900'),
    ];
    expect(valuesAtSampleTimes(answer, ['namespace', 'pod']).map((s) => s.timestamp)).toEqual([
      1000, 900,
    ]);
    const external = [sample({ queue: 'a' }, '3'), sample({ queue: 'b' }, '4'), time({}, '950')];
    expect(valuesAtSampleTimes(external, []).map((s) => s.timestamp)).toEqual([950, 950]);
  });

  it('ignores a sample time that is not a number', () => {
    expect(
      valuesAtSampleTimes([sample({ pod: 'a' }, '7'), time({ pod: 'a' }, 'NaN')], ['pod']),
    ).toEqual([sample({ pod: 'a' }, '7')]);
  });
});
