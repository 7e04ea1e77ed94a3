import { createLogger } from './logger';

it('writes one JSON object a line, from the minimum level up, errors with their causes', () => {
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));
  log.debug('not shown');
  log.info('serving', { port: 9300 });
  log.error('ingest failed', {
    error: new Error('store write failed', { cause: new Error('disk full') }),
  });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  log.warn('odd field', { cyclic });
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const p of parsed) expect(p.time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  expect(parsed.map(({ time: _time, ...rest }) => rest)).toEqual([
    { level: 'info', msg: 'serving', port: 9300 },
    { level: 'error', msg: 'ingest failed', error: 'store write failed: disk full' },
    { level: 'warn', msg: 'odd field', logError: expect.stringContaining('circular') },
  ]);
});
