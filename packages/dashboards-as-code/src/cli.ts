#!/usr/bin/env node
// beacon-dashboards: build the dashboards to files, or lint them.
import { resolve } from 'node:path';
import { buildAll, writeBuild } from './build';
import { createLinter, formatText, hasErrors, lintAll, loadSchema } from './lint';

export const USAGE = `Usage: beacon-dashboards <command> [options]

Commands:
  build --out <dir> [--dashboards-path <path>]
      Write DIR/dashboards/<uid>.json (sorted keys, stable uids) and
      DIR/provisioning/dashboards/beacon.yaml (Grafana file provisioning; its
      options.path is --dashboards-path, default /var/lib/grafana/dashboards/beacon).
  lint [--format text|json] [--schema <path>]
      Check every dashboard: Grafana's JSON schema, PromQL syntax, metric-catalog,
      variables, datasource, units, titles and descriptions, rate() over counters
      with $__rate_interval. Exits 1 when any error-level finding remains.

Options:
  -h, --help   Show this help.
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

class UsageError extends Error {}

/** Parses `--name value` / `--name=value` flags, allowing only `allowed`. */
function parseFlags(args: readonly string[], allowed: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!allowed.includes(name)) throw new UsageError(`unknown flag --${name}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`flag --${name} needs a value`);
    if (flags.has(name)) throw new UsageError(`flag --${name} given twice`);
    flags.set(name, value);
  }
  return flags;
}

/** Runs the command line; returns the exit code. */
export function main(argv: readonly string[], io: Io = defaultIo): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(USAGE);
      return 0;
    }
    if (command === 'build') {
      const flags = parseFlags(rest, ['out', 'dashboards-path']);
      const out = flags.get('out');
      if (!out) throw new UsageError('build needs --out <dir>');
      const dashboardsPath = flags.get('dashboards-path');
      const written = writeBuild(resolve(out), dashboardsPath ? { dashboardsPath } : {});
      io.stdout(written.map((f) => `wrote ${f}\n`).join(''));
      return 0;
    }
    if (command === 'lint') {
      const flags = parseFlags(rest, ['format', 'schema']);
      const format = flags.get('format') ?? 'text';
      if (format !== 'text' && format !== 'json') {
        throw new UsageError(`unknown format ${JSON.stringify(format)} (text or json)`);
      }
      const schemaPath = flags.get('schema');
      const linter = createLinter(schemaPath ? loadSchema(resolve(schemaPath)) : loadSchema());
      const findings = lintAll(buildAll(), linter);
      io.stdout(
        format === 'json' ? JSON.stringify(findings, null, 2) + '\n' : formatText(findings),
      );
      return hasErrors(findings) ? 1 : 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`beacon-dashboards: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`beacon-dashboards: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
