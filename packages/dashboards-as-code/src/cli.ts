#!/usr/bin/env node
// beacon-dashboards: build the dashboards to files, lint them, diff them against a live Grafana
// or push them to it.
import { join, resolve } from 'node:path';
import { buildAll, writeBuild } from './build';
import {
  createGrafanaClient,
  emptyPushResult,
  formatPlan,
  planHasChanges,
  planSync,
  push,
} from './grafana';
import type { GrafanaApi, PushResult } from './grafana';
import {
  DEFAULT_SCHEMA_PATH,
  createLinter,
  formatText,
  hasErrors,
  lintAll,
  loadSchema,
} from './lint';

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
  diff --grafana-url <url> --token <token> [--folder <uid>] [--prune]
      Show, per dashboard, what push would change in that Grafana (ignoring the
      id, version and meta Grafana adds; marks dashboards provisioned by a file).
      Exits 0 when nothing would change, 1 when something would, 2 on error
      (a redirect or a 404 that is not Grafana's asks about --grafana-url).
  push --grafana-url <url> --token <token> [--folder <uid>] [--prune]
      Create or update the dashboards through /api/dashboards/db in folder <uid>
      (default beacon, created when missing), tagged beacon; with --prune, delete
      the dashboards tagged beacon that are no longer built. One progress line
      per dashboard. Refuses, writing nothing, when a dashboard it would save or
      delete is provisioned by a file. Busy answers (429, 502-504) and lost
      connections are tried up to 3 times. Exits 1 on error (401, 403, 412
      explained), after printing what was done before it.

The token may come from GRAFANA_TOKEN instead of --token (keeps it out of ps).

Options:
  -h, --help   Show this help.
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Set once a reader closed stdout early (`| head`): later output is dropped, the work goes on. */
let stdoutClosed = false;

const defaultIo: Io = {
  stdout: (t) => void (stdoutClosed || process.stdout.write(t)),
  stderr: (t) => process.stderr.write(t),
};

/** A mistake in the command line: reported with the usage, exit code 2. */
export class UsageError extends Error {}

/** Parses `--name value` / `--name=value` flags, allowing only `allowed`. */
export function parseFlags(
  args: readonly string[],
  allowed: readonly string[],
): Map<string, string> {
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
      // `--out --dashboards-path x` left --out's value out; taking the next flag as the value
      // would write to a folder named "--dashboards-path". (`--out=--x` still works.)
      if (value?.startsWith('--')) value = undefined;
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`flag --${name} needs a value`);
    if (flags.has(name)) throw new UsageError(`flag --${name} given twice`);
    flags.set(name, value);
  }
  return flags;
}

const BOOLEAN_FLAGS = ['--prune'];

/** Parses the flags of diff and push into a client and options. */
function grafanaFlags(
  rest: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  connect: (url: string, token: string) => GrafanaApi,
) {
  const prune = rest.includes('--prune');
  const valued = rest.find((a) => a.startsWith('--prune='));
  if (valued !== undefined) throw new UsageError(`flag --prune takes no value (${valued})`);
  const flags = parseFlags(
    rest.filter((a) => !BOOLEAN_FLAGS.includes(a)),
    ['grafana-url', 'token', 'folder'],
  );
  const url = flags.get('grafana-url');
  if (!url) throw new UsageError('needs --grafana-url <url>');
  const token = flags.get('token') ?? env.GRAFANA_TOKEN;
  if (!token) throw new UsageError('needs --token <token> (or GRAFANA_TOKEN)');
  const folder = flags.get('folder');
  if (folder !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(folder)) {
    throw new UsageError(
      `invalid folder uid ${JSON.stringify(folder)}: 1-40 letters, digits, - or _`,
    );
  }
  let api: GrafanaApi;
  try {
    api = connect(url, token);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { api, options: { prune, ...(folder ? { folderUid: folder } : {}) } };
}

function counts(r: PushResult, prune: boolean): string {
  return (
    `${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged` +
    (prune ? `, ${r.deleted.length} deleted` : '')
  );
}

/** What a push that stopped on an error had already changed in Grafana. */
function doneBeforeError(r: PushResult, prune: boolean): string {
  const wrote = r.folderCreated || r.created.length + r.updated.length + r.deleted.length > 0;
  if (!wrote) return 'stopped on the error: nothing was changed in Grafana';
  return (
    `stopped on the error, after: ${r.folderCreated ? 'folder created, ' : ''}${counts(r, prune)}` +
    ' (the rest was not pushed: run diff, then push again)'
  );
}

export interface MainDeps {
  env?: Readonly<Record<string, string | undefined>>;
  /** Makes the Grafana client (tests may pass their own seam). */
  connect?: (url: string, token: string) => GrafanaApi;
}

/** Runs the command line; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: Io = defaultIo,
  deps: MainDeps = {},
): Promise<number> {
  const env = deps.env ?? process.env;
  const connect = deps.connect ?? ((url, token) => createGrafanaClient({ url, token }));
  const [command, ...rest] = argv;
  try {
    // No command is a mistake, told on stderr as beacon-alerts and beacon-tracking-server tell it.
    if (command === undefined) throw new UsageError('missing command');
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return 0;
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
      // Under DIR as given: paths that open from where the command ran, as beacon-alerts prints.
      io.stdout(written.map((f) => `wrote ${join(out, f)}\n`).join(''));
      return 0;
    }
    if (command === 'lint') {
      const flags = parseFlags(rest, ['format', 'schema']);
      const format = flags.get('format') ?? 'text';
      if (format !== 'text' && format !== 'json') {
        throw new UsageError(`unknown format ${JSON.stringify(format)} (text or json)`);
      }
      const schemaPath = flags.get('schema');
      const schemaFile = schemaPath ? resolve(schemaPath) : DEFAULT_SCHEMA_PATH;
      let linter: ReturnType<typeof createLinter>;
      try {
        linter = createLinter(loadSchema(schemaFile));
      } catch (err) {
        // Ajv's "schema is invalid: …" does not say which file.
        const msg = (err as Error).message;
        throw msg.includes(schemaFile)
          ? err
          : new Error(`Grafana dashboard schema ${schemaFile}: ${msg}`, { cause: err });
      }
      const built = buildAll();
      let findings: ReturnType<typeof lintAll>;
      try {
        findings = lintAll(built, linter);
      } catch (err) {
        // A schema whose $ref leads back to itself (`{"$ref": "#"}`) makes Ajv recurse forever.
        if (!(err instanceof RangeError)) throw err;
        throw new Error(
          `Grafana dashboard schema ${schemaFile}: checking a dashboard against it failed (${err.message}); does a $ref lead back to itself?`,
          { cause: err },
        );
      }
      io.stdout(
        format === 'json' ? JSON.stringify(findings, null, 2) + '\n' : formatText(findings),
      );
      return hasErrors(findings) ? 1 : 0;
    }
    if (command === 'diff') {
      const { api, options } = grafanaFlags(rest, env, connect);
      try {
        const plan = await planSync(api, buildAll(), options);
        io.stdout(formatPlan(plan, options));
        return planHasChanges(plan) ? 1 : 0;
      } catch (err) {
        io.stderr(`beacon-dashboards diff: ${(err as Error).message}\n`);
        return 2;
      }
    }
    if (command === 'push') {
      const { api, options } = grafanaFlags(rest, env, connect);
      const tally = emptyPushResult();
      try {
        await push(api, buildAll(), {
          ...options,
          tally,
          progress: (line) => io.stdout(line + '\n'),
        });
      } catch (err) {
        io.stderr(`beacon-dashboards push: ${(err as Error).message}\n`);
        io.stdout(`${doneBeforeError(tally, options.prune)}\n`);
        return 1;
      }
      io.stdout(`pushed: ${counts(tally, options.prune)}\n`);
      return 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`beacon-dashboards${command ? ` ${command}` : ''}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`beacon-dashboards: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe. A push goes on to the end, its output
  // dropped, and exits as Grafana answered: dying on the EPIPE left dashboards half pushed.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
