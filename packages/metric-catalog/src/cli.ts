#!/usr/bin/env node
// beacon-metric-catalog: prints the catalog, as a table or as JSON for other tools.
import { allMetrics } from './catalog';
import { isBeaconMetric } from './definition';

const USAGE = `Usage: beacon-metric-catalog [--format text|json] [--exporter NAME]

Prints every metric Beacon reads or writes: name, type, unit, labels and exporter.

Options:
  --format text|json   output format (default: text)
  --exporter NAME      only metrics exposed by NAME (e.g. dcgm-exporter, platform-service)
  --help               show this help
`;

export function main(argv: readonly string[], out: (s: string) => void): number {
  let format = 'text';
  let exporter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`flag ${arg} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') {
      out(USAGE);
      return 0;
    } else if (arg === '--format') format = value();
    else if (arg === '--exporter') exporter = value();
    else throw new Error(`unknown argument ${JSON.stringify(arg)}\n\n${USAGE}`);
  }
  if (format !== 'text' && format !== 'json') {
    throw new Error(`--format must be text or json, got ${JSON.stringify(format)}`);
  }
  const metrics = allMetrics.filter((m) => !exporter || m.exporter === exporter);
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
  try {
    process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s));
  } catch (err) {
    process.stderr.write(`beacon-metric-catalog: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
