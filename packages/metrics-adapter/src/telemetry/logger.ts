// Structured JSON logs, one object a line, to stderr. `--v` (klog verbosity, kept for
// prometheus-adapter's manifests) maps to a level: 0–1 info, 2+ debug.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(
  minimum: Level = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  now: () => Date = () => new Date(),
): Logger {
  const log =
    (level: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[level] < ORDER[minimum]) return;
      const plain = Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v]),
      );
      write(JSON.stringify({ time: now().toISOString(), level, msg, ...plain }));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(
  minimum: Level = 'debug',
): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(minimum, (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return Object.assign(logger, { lines });
}
