import { createLogger, errorText, memoryLogger } from './logger';

describe('the logger', () => {
  it('writes one JSON object a line, with the time, level, message and fields', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      (l) => lines.push(l),
      () => new Date(0),
    );
    logger.info('serving', { port: 6443 });
    logger.debug('not written below the minimum level');
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"serving","port":6443}',
    ]);
  });

  it('logs an error with the messages of its causes, each once', () => {
    const logger = memoryLogger();
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:9090');
    logger.warn('series relist failed', {
      error: new Error('first discovery failed', {
        cause: new Error('prometheus is unreachable: connect ECONNREFUSED 127.0.0.1:9090', {
          cause: refused,
        }),
      }),
    });
    expect(logger.lines[0]?.error).toBe(
      'first discovery failed: prometheus is unreachable: connect ECONNREFUSED 127.0.0.1:9090',
    );
  });

  it('ends a chain of causes that loops, and names a cause that is not an Error', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorText(a)).toBe('a: b');
    expect(errorText(new Error('read failed', { cause: 'EIO' }))).toBe('read failed: EIO');
  });

  it('still writes the line, saying why, when a field is not JSON (a BigInt, a cycle)', () => {
    const logger = memoryLogger();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => logger.error('request failed', { started: 10n })).not.toThrow();
    expect(() => logger.error('request failed', { body: cycle })).not.toThrow();
    expect(logger.lines).toHaveLength(2);
    expect(logger.lines[0]).toMatchObject({ level: 'error', msg: 'request failed' });
    expect(logger.lines[0]?.logError).toMatch(/BigInt/);
    expect(logger.lines[1]?.logError).toMatch(/circular/i);
  });
});
