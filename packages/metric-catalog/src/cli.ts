#!/usr/bin/env node
// beacon-metric-catalog: prints the catalog, as a table or as JSON for other tools.
import { allMetrics } from './catalog';
import { isBeaconMetric } from './definition';

const USAGE = `Usage: beacon-metric-catalog [--format text|json] [--exporter NAME]

Prints every metric Beacon reads or writes: name, type, unit, labels and exporter.
A flag's value is the next word or follows an = (--format=json).

Options:
  --format text|json   output format (default: text)
  --exporter NAME      only metrics exposed by NAME (e.g. dcgm-exporter, platform-service)
  --help               show this help
`;

/** Prints the catalog as `argv` asks; throws, naming the flag or value, on a bad command line. */
export function main(argv: readonly string[], out: (s: string) => void): number {
  let format: string | undefined;
  let exporter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    // A value is the next word (`--format json`) or follows an `=` (`--format=json`), as every
    // other Beacon command takes it.
    const word = argv[i] as string;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const arg = eq >= 0 ? word.slice(0, eq) : word;
    const value = (given: string | undefined) => {
      if (given !== undefined) throw new Error(`flag ${arg} given twice`);
      const v = eq >= 0 ? word.slice(eq + 1) : argv[++i];
      // `--exporter "$UNSET"` printed every metric, and `--exporter --format json` took the
      // next flag for the exporter's name (only after an `=` may a value start with a -).
      if (v === undefined || v === '' || (eq < 0 && v.startsWith('-'))) {
        throw new Error(`flag ${arg} needs a value`);
      }
      return v;
    };
    if (eq >= 0 && (arg === '--help' || arg === '-h'))
      throw new Error(`flag ${arg} takes no value`);
    if (arg === '--help' || arg === '-h') {
      out(USAGE);
      return 0;
    } else if (arg === '--format') format = value(format);
    else if (arg === '--exporter') exporter = value(exporter);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}\n\n${USAGE}`);
  }
  format ??= 'text';
  if (format !== 'text' && format !== 'json') {
    throw new Error(`--format must be text or json, got ${JSON.stringify(format)}`);
  }
  const exporters: string[] = [...new Set(allMetrics.map((m) => m.exporter))].sort();
  // A misspelt exporter printed an empty list and exited 0.
  if (exporter !== undefined && !exporters.includes(exporter)) {
    throw new Error(
      `unknown exporter ${JSON.stringify(exporter)}; the catalog has ${exporters.join(', ')}`,
    );
  }
  const metrics = allMetrics.filter((m) => exporter === undefined || m.exporter === exporter);
  if (format === 'json') {
    out(JSON.stringify(metrics, null, 2) + '\n');
    return 0;
  }
  const own = metrics.filter(isBeaconMetric).length;
  out(
    `${metrics.length} metrics (${own} exposed by Beacon and the platform, ${metrics.length - own} by exporters)\n`,
  );
  for (const m of metrics) {
    out(
      `${m.name.padEnd(56)} ${m.type.padEnd(9)} ${m.unit.padEnd(11)} ${m.exporter.padEnd(22)} ${m.labels.join(',')}\n`,
    );
  }
  return 0;
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as Unix tools do,
  // instead of dying on the unhandled EPIPE with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  try {
    process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s));
  } catch (err) {
    process.stderr.write(`beacon-metric-catalog: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
