// Panel queries evaluated by Prometheus itself (promtool test rules, promql_expr_test) on
// hand-written series, with the template variables replaced as Grafana would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from '../build';

type Obj = Record<string, unknown>;

function panelExpr(uid: string, title: string): string {
  const d = (buildAll() as Obj[]).find((x) => x.uid === uid);
  if (!d) throw new Error(`no dashboard ${uid}`);
  const panel = (d.panels as Obj[]).find((p) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}" on ${uid}`);
  const [target] = panel.targets as Obj[];
  return (target?.expr as string)
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$namespace', 'platform')
    .replaceAll('$service', '.*');
}

/** Runs one promql_expr_test; returns promtool's exit status and output. */
function promtool(series: Obj[], expr: string, evalTime: string, expSamples: Obj[]) {
  const dir = mkdtempSync(join(tmpdir(), 'dac-promtool-'));
  try {
    const test = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [{ expr, eval_time: evalTime, exp_samples: expSamples }],
        },
      ],
    };
    const file = join(dir, 'panel.test.yml');
    writeFileSync(file, JSON.stringify(test)); // JSON is YAML
    try {
      const out = execFileSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
      return { status: 0, out };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { status: err.status, out: `${err.stdout}${err.stderr}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('System overview panels, evaluated by promtool', () => {
  const availability = panelExpr('beacon-system-overview', 'Availability');

  it('shows 100 % availability when no request has ever failed (no 5xx series exists)', () => {
    const series = [
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="200"}',
        values: '0+60x10', // one request a second, never a 5xx
      },
    ];
    const r = promtool(series, availability, '10m', [{ labels: '{}', value: 1 }]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('shows 75 % availability when a quarter of the requests answer 5xx', () => {
    const series = [
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="200"}',
        values: '0+45x10',
      },
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="503"}',
        values: '0+15x10',
      },
    ];
    const r = promtool(series, availability, '10m', [{ labels: '{}', value: 0.75 }]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('Error ratio panels, evaluated by promtool', () => {
  it('draws 0 for a service without any 5xx and the share for one with them', () => {
    const expr = panelExpr('beacon-system-overview', 'Error ratio by service');
    const series = [
      {
        series: 'http_requests_total{namespace="platform",service="collaboration",code="101"}',
        values: '0+60x10', // never a 5xx: no 5xx series exists for collaboration
      },
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="200"}',
        values: '0+48x10',
      },
      {
        series: 'http_requests_total{namespace="platform",service="api-gateway",code="500"}',
        values: '0+16x10', // 16 of 64: a quarter
      },
    ];
    const r = promtool(series, expr, '10m', [
      { labels: '{service="api-gateway"}', value: 0.25 },
      { labels: '{service="collaboration"}', value: 0 },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('draws 0 for a model whose inferences never failed', () => {
    const expr = panelExpr('beacon-ai-models', 'Inference error ratio by model');
    const series = [
      {
        series:
          'ai_inference_requests_total{namespace="platform",service="ai-service",model="segmenter",outcome="success"}',
        values: '0+60x10',
      },
      {
        series:
          'ai_inference_requests_total{namespace="platform",service="ai-service",model="captioner",outcome="success"}',
        values: '0+24x10',
      },
      {
        series:
          'ai_inference_requests_total{namespace="platform",service="ai-service",model="captioner",outcome="error"}',
        values: '0+8x10', // 8 of 32: a quarter
      },
    ];
    const r = promtool(series, expr, '10m', [
      { labels: '{model="captioner"}', value: 0.25 },
      { labels: '{model="segmenter"}', value: 0 },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
