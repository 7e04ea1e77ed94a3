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

/**
 * An error as its message followed by its causes' ("relist failed: connect ECONNREFUSED …"), so a
 * log line keeps what went wrong underneath. A cause whose message the text already holds (this
 * code's errors often quote their cause) is not repeated.
 */
export function errorText(err: Error): string {
  let text = err.message;
  const seen = new Set<unknown>([err]);
  for (let e: unknown = err.cause; e !== undefined && !seen.has(e);) {
    seen.add(e);
    const message = e instanceof Error ? e.message : String(e);
    if (!text.includes(message)) text += `: ${message}`;
    e = e instanceof Error ? e.cause : undefined;
  }
  return text;
}

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
        Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? errorText(v) : v]),
      );
      const time = now().toISOString();
      let line: string;
      try {
        line = JSON.stringify({ time, level, msg, ...plain });
      } catch (err) {
        // A field JSON cannot hold (a BigInt, a cycle): logging must not throw where it is
        // called (often an error handler), so the line goes out without the fields, saying why.
        line = JSON.stringify({ time, level, msg, logError: (err as Error).message });
      }
      write(line);
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
