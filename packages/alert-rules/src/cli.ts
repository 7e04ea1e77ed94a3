#!/usr/bin/env node
import { build } from './build';
import { checkRunbookBaseUrl } from './render/prometheus';

export const USAGE = `Usage: beacon-alerts build --out <dir> [--runbook-base-url <url>]
       beacon-alerts help

Writes the alerting configuration generated from the TypeScript definitions:
  <dir>/prometheus/<domain>.rules.yml   Prometheus rule files, one per domain
  <dir>/prometheus/tests/<domain>.test.yml  their promtool unit tests
  <dir>/kubernetes/prometheusrule.yaml  the same groups as a PrometheusRule
  <dir>/grafana/alert-rules.yaml        the alerts as Grafana-managed alerting provisioning
  <dir>/alertmanager/alertmanager.yml   Alertmanager routing, inhibition and receivers

Options:
  --out <dir>               output directory (required)
  --runbook-base-url <url>  prefix of runbook_url annotations (default packages/alert-rules/,
                            the runbook's path in the repository); an http(s) URL or a
                            relative path, ending in /
  -h, --help                print this help (as does the command help)

A flag's value is the next word or follows an = (--out=dir); only after an = may
it start with a - (--out=-dir).
`;

export interface ParsedArgs {
  help: boolean;
  command?: string;
  out?: string;
  runbookBaseUrl?: string;
}

/** The flags that take a value, and where parseArgs puts it. */
const VALUED = { '--out': 'out', '--runbook-base-url': 'runbookBaseUrl' } as const;
const isValued = (name: string): name is keyof typeof VALUED => Object.hasOwn(VALUED, name);

/**
 * Parses argv strictly: unknown flags and missing values are errors naming the flag. A value is
 * the next word (`--out dir`) or follows an `=` (`--out=dir`), as beacon-dashboards takes them.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (arg === '-h' || arg === '--help') parsed.help = true;
    else if (isValued(name)) {
      const key = VALUED[name];
      // Twice is a mistake, not "the last one wins".
      if (parsed[key] !== undefined) throw new Error(`${name} given twice`);
      // An empty value (`--out "$UNSET"`, `--out=`) would write the output into the current
      // directory; a next word starting with - is the next flag, not a value (`--out=-x` is).
      const v = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '' || (eq < 0 && v.startsWith('-'))) {
        throw new Error(`${name} needs a value`);
      }
      parsed[key] = v;
    } else if (name === '--help') throw new Error(`${name} takes no value`);
    else if (arg.startsWith('-')) throw new Error(`unknown flag ${JSON.stringify(arg)}`);
    else if (parsed.command === undefined) parsed.command = arg;
    else throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
  }
  return parsed;
}

/** Runs the command; returns the exit code. Output goes through the given writers. */
export function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): number {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`beacon-alerts: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // `beacon-alerts help`, like `beacon-dashboards help`.
  if (args.help || args.command === 'help') {
    out(USAGE);
    return 0;
  }
  if (args.command !== 'build') {
    err(
      `beacon-alerts: ${args.command === undefined ? 'missing command' : `unknown command ${JSON.stringify(args.command)}`}\n\n${USAGE}`,
    );
    return 2;
  }
  if (args.out === undefined) {
    err(`beacon-alerts: build needs --out <dir>\n\n${USAGE}`);
    return 2;
  }
  // A bad value is a usage error (2) naming the flag, as a bad --out is; not a failed build (1).
  if (args.runbookBaseUrl !== undefined) {
    try {
      checkRunbookBaseUrl(args.runbookBaseUrl);
    } catch (e) {
      err(`beacon-alerts: --runbook-base-url: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
  }
  try {
    const written = build(
      args.out,
      args.runbookBaseUrl === undefined ? {} : { runbookBaseUrl: args.runbookBaseUrl },
    );
    for (const f of written) out(`wrote ${f}\n`);
    return 0;
  } catch (e) {
    err(`beacon-alerts: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: the files are written by then, so the
  // command ends quietly with 0, as Unix tools do, not on the EPIPE's stack trace with 1.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  process.exitCode = main(process.argv.slice(2));
}
