import { parse } from 'yaml';
import { renderAll } from '../build';
import { ruleGroups } from '../rules';
import { promqlErrors } from '../spec';
import { grafanaTemplate, splitThreshold } from './grafana';
import type { GrafanaGroup, GrafanaQuery } from './grafana';

// No Grafana runs here: the provisioning file is guarded by its golden copy (golden.test.ts) and
// by these structural checks, written from Grafana's file-provisioning format for alert rules.
const doc = parse(renderAll().get('grafana/alert-rules.yaml') as string) as {
  apiVersion: number;
  groups: GrafanaGroup[];
};
const rules = doc.groups.flatMap((g) => g.rules);

function model(q: GrafanaQuery | undefined): Record<string, unknown> {
  if (!q) throw new Error('missing query');
  return q.model;
}

describe('the Grafana alerting provisioning file', () => {
  it('is apiVersion 1 with one group per domain, each with orgId, folder and interval', () => {
    expect(doc.apiVersion).toBe(1);
    expect(doc.groups.map((g) => g.name)).toEqual(ruleGroups.map((g) => g.domain));
    for (const g of doc.groups) {
      expect(g).toMatchObject({ orgId: 1, folder: 'Beacon', interval: '1m' });
    }
  });

  it('has one rule per alert but the Watchdog, titled by the alert and labelled with its severity', () => {
    const alerts = ruleGroups.flatMap((g) => g.alerts).filter((a) => a.name !== 'Watchdog');
    expect(alerts.length).toBeGreaterThan(50);
    expect(rules.map((r) => `${r.title}/${r.labels.severity}`)).toEqual(
      alerts.map((a) => `${a.name}/${a.severity}`),
    );
  });

  it('gives every rule a unique uid Grafana accepts (at most 40 of [A-Za-z0-9-_])', () => {
    const uids = rules.map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('names a refId of its own data in every condition and every expression input', () => {
    for (const r of rules) {
      const refIds = r.data.map((d) => d.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(r.condition);
      for (const d of r.data) {
        expect(d.model.refId).toBe(d.refId);
        if (d.datasourceUid !== '__expr__') continue;
        const inputs = String(d.model.expression).match(/\$?([A-Z])\b/g) ?? [];
        expect(inputs.length).toBeGreaterThan(0);
        for (const input of inputs) expect(refIds).toContain(input.replace('$', ''));
      }
    }
  });

  it('queries Prometheus with PromQL that parses in refId A, and has a runbook and for', () => {
    for (const r of rules) {
      const a = r.data.find((d) => d.refId === 'A');
      expect(a?.datasourceUid).toBe('prometheus');
      expect(model(a).datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
      expect(promqlErrors(String(model(a).expr))).toEqual([]);
      expect(r.annotations.runbook_url).toMatch(/^packages\/alert-rules\/runbooks\/\w+\.md$/);
      expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('uses $values.B.Value, not Prometheus $value, in annotations', () => {
    for (const r of rules) expect(Object.values(r.annotations).join(' ')).not.toMatch(/\$value\b/);
    const drops = rules.find((r) => r.title === 'WebSocketConnectionDrops');
    expect(drops?.annotations.description).toBe(
      '{{ $labels.service }} loses {{ $values.B.Value | humanize }} WebSocket connections per second to errors and timeouts (threshold 5).',
    );
  });

  it('splits WebSocketConnectionDrops into its rate query and a threshold above 5', () => {
    const r = rules.find((x) => x.title === 'WebSocketConnectionDrops');
    expect(r?.condition).toBe('C');
    expect(model(r?.data[0]).expr).toBe(
      'sum by (namespace, service) (rate(websocket_disconnects_total{namespace="platform", reason=~"error|timeout"}[5m]))',
    );
    expect(model(r?.data[1])).toMatchObject({ type: 'reduce', expression: 'A', reducer: 'last' });
    expect(model(r?.data[2])).toMatchObject({
      type: 'threshold',
      expression: 'B',
      conditions: [{ evaluator: { type: 'gt', params: [5] } }],
    });
  });

  it('keeps HighErrorRatio, a ratio above 0.1 and a count of failures, whole', () => {
    const r = rules.find((x) => x.title === 'HighErrorRatio');
    expect(model(r?.data[0]).expr).toBe(
      'sum by (namespace, service) (rate(http_requests_total{namespace="platform", code=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total{namespace="platform"}[5m])) > 0.1' +
        ' and sum by (namespace, service) (increase(http_requests_total{namespace="platform", code=~"5.."}[5m])) >= 5',
    );
    expect(model(r?.data[2])).toMatchObject({ type: 'math', expression: 'is_number($B)' });
  });

  it('keeps ServiceDown whole and fires on any series it returns', () => {
    const r = rules.find((x) => x.title === 'ServiceDown');
    expect(model(r?.data[0]).expr).toBe(
      'max by (namespace, service) (up{namespace="platform"}) == 0' +
        ' or absent(up{namespace="platform", service="api-gateway"})' +
        ' or absent(up{namespace="platform", service="ai-service"})' +
        ' or absent(up{namespace="platform", service="collaboration"})' +
        ' or absent(up{namespace="platform", service="video-processing"})' +
        ' or absent(up{namespace="platform", service="3d-processing"})',
    );
    expect(model(r?.data[2])).toMatchObject({ type: 'math', expression: 'is_number($B)' });
  });
});

describe('splitThreshold', () => {
  it('splits a top-level comparison with a number', () => {
    expect(splitThreshold('sum(rate(x[5m])) / sum(rate(y[5m])) > 0.05')).toEqual({
      query: 'sum(rate(x[5m])) / sum(rate(y[5m]))',
      type: 'gt',
      value: 0.05,
    });
    expect(splitThreshold('sum(active_users) < 5')).toEqual({
      query: 'sum(active_users)',
      type: 'lt',
      value: 5,
    });
  });

  it('leaves equality, bool, vector comparisons and and/or/unless whole', () => {
    expect(splitThreshold('max(up) == 0')).toBeUndefined();
    expect(splitThreshold('a > bool 1')).toBeUndefined();
    expect(splitThreshold('a >= b')).toBeUndefined();
    expect(splitThreshold('a > 1 and b > 2')).toBeUndefined();
    expect(splitThreshold('a > 1 or b > 2')).toBeUndefined();
  });
});

describe('grafanaTemplate', () => {
  it('rewrites $value and leaves $values and $labels alone', () => {
    expect(grafanaTemplate('{{ $value | humanize }} on {{ $labels.pod }}')).toBe(
      '{{ $values.B.Value | humanize }} on {{ $labels.pod }}',
    );
  });
});
