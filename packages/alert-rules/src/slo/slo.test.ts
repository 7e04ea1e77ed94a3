import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PAGE, SLOS, TICKET, WINDOWS, errorBudget, sloAlerts, sloGroup, sloRecords } from '.';
import type { SloSpec } from '.';
import { MIN_FAILURES, PACKAGE_ROOT } from '../spec';

const demo: SloSpec = {
  slo: 'demo-availability',
  alertPrefix: 'DemoAvailability',
  team: 'platform',
  objective: 0.999,
  promise: 'of requests succeed',
  errorRatio: (w) => `sum(rate(bad[${w}])) / sum(rate(all[${w}]))`,
  badEvents: (w) => `sum(increase(bad[${w}]))`,
};

describe('the SLO generator', () => {
  it('uses the workbook burn rates: page 14.4x 1h/5m and 6x 6h/30m, ticket 3x 1d/2h and 1x 3d/6h', () => {
    expect(PAGE).toEqual([
      { factor: 14.4, long: '1h', short: '5m' },
      { factor: 6, long: '6h', short: '30m' },
    ]);
    expect(TICKET).toEqual([
      { factor: 3, long: '1d', short: '2h' },
      { factor: 1, long: '3d', short: '6h' },
    ]);
    expect(WINDOWS).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });

  it('rounds the error budget', () => {
    expect(errorBudget(0.999)).toBe(0.001);
    expect(errorBudget(0.99)).toBe(0.01);
    expect(() => errorBudget(1)).toThrow('SLO objective 1 must be between 0 and 1');
  });

  it('records the error ratio over every window, labelled with the SLO', () => {
    expect(sloRecords(demo)[0]).toEqual({
      record: 'slo:sli_error:ratio_rate5m',
      expr: 'sum(rate(bad[5m])) / sum(rate(all[5m]))',
      labels: { slo: 'demo-availability' },
    });
    expect(sloRecords(demo).map((r) => r.record)).toEqual([
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate2h',
      'slo:sli_error:ratio_rate6h',
      'slo:sli_error:ratio_rate1d',
      'slo:sli_error:ratio_rate3d',
    ]);
  });

  it('pages when both windows of either page pair burn too fast, with 5 bad events in the long one', () => {
    expect(MIN_FAILURES).toBe(5);
    const [page, ticket] = sloAlerts(demo);
    expect(page).toMatchObject({
      name: 'DemoAvailabilityBudgetBurn',
      severity: 'critical',
      for: '2m',
      expr:
        '(slo:sli_error:ratio_rate1h{slo="demo-availability"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo="demo-availability"} > (14.4 * 0.001) and ignoring (slo) (sum(increase(bad[1h]))) >= 5)' +
        ' or (slo:sli_error:ratio_rate6h{slo="demo-availability"} > (6 * 0.001) and slo:sli_error:ratio_rate30m{slo="demo-availability"} > (6 * 0.001) and ignoring (slo) (sum(increase(bad[6h]))) >= 5)',
    });
    expect(ticket).toMatchObject({
      name: 'DemoAvailabilityBudgetBurn',
      severity: 'warning',
      for: '15m',
      expr:
        '(slo:sli_error:ratio_rate1d{slo="demo-availability"} > (3 * 0.001) and slo:sli_error:ratio_rate2h{slo="demo-availability"} > (3 * 0.001) and ignoring (slo) (sum(increase(bad[1d]))) >= 5)' +
        ' or (slo:sli_error:ratio_rate3d{slo="demo-availability"} > (1 * 0.001) and slo:sli_error:ratio_rate6h{slo="demo-availability"} > (1 * 0.001) and ignoring (slo) (sum(increase(bad[3d]))) >= 5)',
    });
  });

  it('counts a latency SLO\u2019s bad events as all events less those under the threshold', () => {
    const latency = SLOS.find((s) => s.slo === 'api-gateway-latency')!;
    expect(latency.badEvents('1h')).toBe(
      'sum by (namespace, service) (increase(http_request_duration_seconds_count{namespace="platform", service="api-gateway"}[1h]))' +
        ' - sum by (namespace, service) (increase(http_request_duration_seconds_bucket{namespace="platform", service="api-gateway", le="0.5"}[1h]))',
    );
  });

  it.each(SLOS.map((s) => s.alertPrefix))(
    'states the minimum of bad events in the runbook of %sBudgetBurn and in the README',
    (prefix) => {
      const runbook = readFileSync(
        path.join(PACKAGE_ROOT, 'runbooks', `${prefix}BudgetBurn.md`),
        'utf8',
      );
      expect(runbook).toContain(`at least ${MIN_FAILURES} bad events`);
      expect(readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8')).toContain(
        `at least ${MIN_FAILURES} bad events`,
      );
    },
  );

  it('covers availability and latency of the API gateway and the AI service', () => {
    expect(SLOS.map((s) => [s.slo, s.objective])).toEqual([
      ['api-gateway-availability', 0.999],
      ['api-gateway-latency', 0.99],
      ['ai-service-availability', 0.999],
      ['ai-service-latency', 0.99],
    ]);
    const group = sloGroup();
    expect(group.records).toHaveLength(4 * 7);
    expect(group.alerts).toHaveLength(4 * 2);
  });
});
