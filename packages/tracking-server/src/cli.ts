#!/usr/bin/env node
// beacon-tracking-server: serve, project add, --help.
import { parseArgs } from 'node:util';
import { addProject, dsnFor, DEFAULT_SETTINGS } from './projects';
import { serve } from './main';

const USAGE = `beacon-tracking-server — Sentry-compatible error tracking and OpenTelemetry debug sessions

Usage:
  beacon-tracking-server serve [--port 9300] [--data-dir .beacon/tracking] [--api-token TOKEN]
                               [--events-per-minute N] [--retention-days N] [--scrub true|false]
  beacon-tracking-server project add <name> [--data-dir .beacon/tracking] [--public-url http://localhost:9300]
  beacon-tracking-server --help

serve     takes Sentry envelopes at /api/<project>/envelope/ (and /store/), OTLP/HTTP spans at
          /v1/traces (Authorization: Bearer <project key>), and serves the REST API at /api/v1
          (bearer --api-token, or BEACON_TRACKER_API_TOKEN; without either, one is generated
          into <data-dir>/api-token). The flags set the defaults for projects that do not set
          their own in <data-dir>/config.json (--retention-days also for projects it does not
          list; 0 keeps data for ever; --events-per-minute 0 is no limit).
project   adds a project and prints {"id", "key", "dsn"}; the DSN goes to Sentry.init({ dsn }).
`;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'api-token': { type: 'string' },
        'public-url': { type: 'string' },
        'events-per-minute': { type: 'string' },
        'retention-days': { type: 'string' },
        scrub: { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? process.stdout : process.stderr).write(USAGE);
    return values.help ? 0 : 2;
  }
  const dataDir = values['data-dir'] ?? '.beacon/tracking';
  try {
    if (positionals[0] === 'project' && positionals[1] === 'add' && positionals.length === 3) {
      const project = addProject(dataDir, positionals[2] as string);
      const dsn = dsnFor(project, values['public-url'] ?? 'http://localhost:9300');
      process.stdout.write(JSON.stringify({ id: project.id, key: project.key, dsn }) + '\n');
      return 0;
    }
    if (positionals[0] === 'serve' && positionals.length === 1) {
      if (values.scrub !== undefined && values.scrub !== 'true' && values.scrub !== 'false') {
        throw new UsageError(`--scrub must be true or false, got ${JSON.stringify(values.scrub)}`);
      }
      const tracker = await serve({
        port: integer('port', values.port, 9300),
        dataDir,
        apiToken: values['api-token'] ?? process.env.BEACON_TRACKER_API_TOKEN,
        defaults: {
          eventsPerMinute: integer(
            'events-per-minute',
            values['events-per-minute'],
            DEFAULT_SETTINGS.eventsPerMinute,
          ),
          retentionDays: integer(
            'retention-days',
            values['retention-days'],
            DEFAULT_SETTINGS.retentionDays,
          ),
          scrub: { ...DEFAULT_SETTINGS.scrub, enabled: values.scrub !== 'false' },
        },
      });
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await tracker.close();
      return 0;
    }
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`Error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
