#!/usr/bin/env node
import { build } from './build';

export const USAGE = `Usage: beacon-alerts build --out <dir> [--runbook-base-url <url>]

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
  -h, --help                print this help
`;

export interface ParsedArgs {
  help: boolean;
  command?: string;
  out?: string;
  runbookBaseUrl?: string;
}

/** Parses argv strictly: unknown flags and missing values are errors naming the flag. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (given: string | undefined): string => {
      // Twice is a mistake, not "the last one wins".
      if (given !== undefined) throw new Error(`${arg} given twice`);
      const v = argv[++i];
      // An empty value (`--out "$UNSET"`) would write the output into the current directory.
      if (v === undefined || v === '' || v.startsWith('-')) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '-h' || arg === '--help') parsed.help = true;
    else if (arg === '--out') parsed.out = value(parsed.out);
    else if (arg === '--runbook-base-url') parsed.runbookBaseUrl = value(parsed.runbookBaseUrl);
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
  if (args.help) {
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
  process.exitCode = main(process.argv.slice(2));
}
