// Structured JSON logs, one object a line, to stderr.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** An error as its message, followed by those of its causes: "a: b: c". */
function errorText(err: Error): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 10;) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}

export function createLogger(
  minimum: Level = 'info',
  write: (line: string) => void = (line) => void process.stderr.write(line + '\n'),
): Logger {
  const log =
    (level: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[level] < ORDER[minimum]) return;
      const plain = Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? errorText(v) : v]),
      );
      const time = new Date().toISOString();
      let line: string;
      try {
        line = JSON.stringify({ time, level, msg, ...plain });
      } catch (err) {
        // A field JSON cannot hold (a BigInt, a cycle): the line still goes out, saying so.
        line = JSON.stringify({ time, level, msg, logError: (err as Error).message });
      }
      write(line);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = createLogger('error', () => undefined);
