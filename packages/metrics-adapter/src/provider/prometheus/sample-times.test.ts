import type { Sample } from './client';
import { SAMPLE_TIME_LABEL, valuesAtSampleTime, withSampleTime } from './sample-times';

describe("values at their samples' time", () => {
  it('asks for the oldest sample time of the series the query reads, in the same query', () => {
    expect(
      withSampleTime('sum(ws{namespace="platform",pod!=""}) by (pod)', 'ws', [
        'namespace="platform"',
        'pod!=""',
      ]),
    ).toBe(
      '(sum(ws{namespace="platform",pod!=""}) by (pod)) or label_replace(min(timestamp(ws{namespace="platform",pod!=""})), "__beacon_sample_time__", "1", "", "")',
    );
    expect(withSampleTime('max(q{}) by (queue)', 'q', [])).toBe(
      '(max(q{}) by (queue)) or label_replace(min(timestamp(q{})), "__beacon_sample_time__", "1", "", "")',
    );
  });

  it('ends a query with a comment on its own line, so that the comment takes nothing after it', () => {
    expect(withSampleTime('sum(q{}) # all queues', 'q', [])).toBe(
      '(sum(q{}) # all queues\n) or label_replace(min(timestamp(q{})), "__beacon_sample_time__", "1", "", "")',
    );
  });

  const sample = (labels: Record<string, string>, value: string, timestamp = 1000): Sample => ({
    labels,
    value,
    timestamp,
  });
  const time = (at: string) => sample({ [SAMPLE_TIME_LABEL]: '1' }, at);

  it('dates every value at the sample time, leaving the time series out', () => {
    expect(
      valuesAtSampleTime([sample({ pod: 'a' }, '7'), time('990.5'), sample({ pod: 'b' }, '12.5')]),
    ).toEqual([sample({ pod: 'a' }, '7', 990.5), sample({ pod: 'b' }, '12.5', 990.5)]);
  });

  it('keeps the evaluation time when there is no sample time, or it is not a number', () => {
    expect(valuesAtSampleTime([sample({ pod: 'a' }, '7')])).toEqual([sample({ pod: 'a' }, '7')]);
    expect(valuesAtSampleTime([sample({ pod: 'a' }, '7'), time('NaN')])).toEqual([
      sample({ pod: 'a' }, '7'),
    ]);
  });
});
