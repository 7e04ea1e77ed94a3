import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { parse, stringify } from 'yaml';
import { renderAll } from '../build';
import { ruleGroups } from '../rules';
import { runTool, tempDir } from '../testing';

// The PrometheusRule checked against prometheus-operator's CRD schema (as generated into
// @kubernetes-models/prometheus-operator) and its groups by promtool.
const rendered = renderAll().get('kubernetes/prometheusrule.yaml') as string;
const doc = parse(rendered) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { groups: { name: string; rules: Record<string, unknown>[] }[] };
};

describe('the generated PrometheusRule', () => {
  it('validates against the prometheus-operator schema', () => {
    expect(() => new PrometheusRule(doc as never).validate()).not.toThrow();
  });

  it('holds every rule group, records and alerts alike', () => {
    expect(doc.spec.groups.map((g) => g.name)).toEqual(ruleGroups.map((g) => g.domain));
    const rules = doc.spec.groups.flatMap((g) => g.rules);
    const alerts = ruleGroups.flatMap((g) => g.alerts).length;
    const records = ruleGroups.flatMap((g) => g.records ?? []).length;
    expect(rules.filter((r) => 'alert' in r)).toHaveLength(alerts);
    expect(rules.filter((r) => 'record' in r)).toHaveLength(records);
  });

  it('has groups that pass promtool check rules', () => {
    const file = path.join(tempDir('prometheusrule'), 'groups.rules.yml');
    writeFileSync(file, stringify({ groups: doc.spec.groups }));
    const res = runTool('promtool', ['check', 'rules', file]);
    expect({ code: res.code, output: res.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('fails the schema with a duration prometheus-operator would refuse', () => {
    // Guards the check itself: the schema is really applied.
    const bad = structuredClone(doc);
    (bad.spec.groups[0]!.rules[0] as { for: string }).for = 'five minutes';
    expect(() => new PrometheusRule(bad as never).validate()).toThrow(/for must match pattern/);
  });
});
