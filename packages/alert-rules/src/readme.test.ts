import { readFileSync, writeFileSync } from 'node:fs';
import { README, TABLE_END, TABLE_START, alertTable, withAlertTable } from './readme';
import { defineAlert } from './spec';

describe('the README', () => {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(README, withAlertTable(readFileSync(README, 'utf8')));
  }

  it('lists every alert as the code defines it (run with UPDATE_GOLDEN=1 to refresh)', () => {
    const text = readFileSync(README, 'utf8');
    expect(text).toBe(withAlertTable(text));
  });

  it('lists ServiceDown as critical with its runbook', () => {
    expect(readFileSync(README, 'utf8')).toContain(
      '| application | ServiceDown | critical | Service {{ $labels.service }} is down | [runbooks/ServiceDown.md](runbooks/ServiceDown.md) |',
    );
  });
});

describe('alertTable', () => {
  it('writes one row per alert and escapes pipes', () => {
    const alert = defineAlert({
      name: 'Demo',
      expr: 'up == 0',
      for: '1m',
      severity: 'info',
      team: 't',
      summary: 'a | b',
      description: 'd',
    });
    expect(alertTable([{ domain: 'demo', alerts: [alert] }])).toBe(
      [
        '| domain | alert | severity | summary | runbook |',
        '|---|---|---|---|---|',
        '| demo | Demo | info | a \\| b | [runbooks/Demo.md](runbooks/Demo.md) |',
      ].join('\n'),
    );
  });

  it('refuses a README without markers', () => {
    expect(() => withAlertTable('# nothing here')).toThrow('alert table markers not found');
  });

  it('keeps the markers around the table', () => {
    const out = withAlertTable(`a\n${TABLE_START}\nold\n${TABLE_END}\nb`);
    expect(out.startsWith(`a\n${TABLE_START}\n\n| domain |`)).toBe(true);
    expect(out.endsWith(`|\n\n${TABLE_END}\nb`)).toBe(true);
  });
});
