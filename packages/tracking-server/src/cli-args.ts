// The command line of beacon-tracking-server, read into what to do (cli.ts does it). Its own
// module so that what a manifest passes (deploy/) can be checked without running anything.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_SETTINGS, type ProjectSettings } from './projects';

export const USAGE = `beacon-tracking-server — Sentry-compatible error tracking and OpenTelemetry debug sessions

Usage:
  beacon-tracking-server serve [--port 9300] [--host 0.0.0.0] [--data-dir .beacon/tracking]
                               [--api-token TOKEN] [--events-per-minute N] [--retention-days N]
                               [--scrub true|false]
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

/** A command line that is not one of the above; the message names what is wrong. */
export class UsageError extends Error {}

export type Command =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'project add';
      readonly name: string;
      readonly dataDir: string;
      readonly publicUrl: string;
    }
  | {
      readonly kind: 'serve';
      readonly port: number;
      /** The address listened on (--host): an IP address or a host name. */
      readonly host: string;
      readonly dataDir: string;
      /** --api-token; the environment's BEACON_TRACKER_API_TOKEN is read by the caller. */
      readonly apiToken?: string;
      readonly defaults: ProjectSettings;
    };

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,15}$/.test(value))
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function port(value: string | undefined): number {
  const n = integer('port', value, 9300);
  if (n > 65535)
    throw new UsageError(`--port must be from 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The address to listen on: an IP address (IPv6 without brackets, as Node's listen takes it) or
 * a host name (RFC 1123 labels, the last not all digits), which Node resolves; `0.0.0.0` by
 * default, which serve (main.ts), as `::`, reads as every interface of both IP families.
 */
function host(value: string | undefined): string {
  if (value === undefined) return '0.0.0.0';
  const hostname =
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  // A last label of digits alone is no name (RFC 3696): `999.1.1.1` is a bad address.
  if (isIP(value) === 0 && (!hostname.test(value) || /(?:^|\.)\d+$/.test(value)))
    throw new UsageError(
      `--host must be an IP address or a host name, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** A flag given twice: parseArgs keeps the last, which hid a typo (`--port 9300 --port 19301`). */
function refuseRepeats(tokens: readonly { kind: string; name?: string }[]): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once`);
    seen.add(t.name);
  }
}

/**
 * The base of the DSNs `project add` prints (<scheme>://<key>@<host><path>/<id>). Refused: a
 * user or password (the DSN goes to browsers; its user is the project key), a query or
 * fragment (SDKs read the DSN's last path segment as the project id, and refuse one that is
 * not a number). The scheme is read in any case. A path is kept: behind a proxy that strips
 * it, the tracker can share a host (cli.ts says so when it prints the DSN).
 */
function checkedPublicUrl(publicUrl: string): string {
  const refuse = (why: string) =>
    new UsageError(
      `--public-url must be an http(s) URL such as https://tracker.example.com${why}, got ${JSON.stringify(publicUrl)}`,
    );
  if (!/^https?:\/\/[^/]/i.test(publicUrl) || !URL.canParse(publicUrl)) throw refuse('');
  const url = new URL(publicUrl);
  const parts = [
    [url.username !== '', 'a user name'],
    [url.password !== '', 'a password'],
    [url.search !== '' || publicUrl.includes('?'), 'a query'],
    [url.hash !== '' || publicUrl.includes('#'), 'a fragment'],
  ] as const;
  const found = parts.filter(([present]) => present).map(([, what]) => what);
  if (found.length > 0) throw refuse(`, without ${found.join(', ')}`);
  return url.toString();
}

/** Options only `serve` takes. */
const SERVE_ONLY = [
  'port',
  'host',
  'api-token',
  'events-per-minute',
  'retention-days',
  'scrub',
] as const;

/** Reads a command line (without `node` and the script); throws a UsageError. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'api-token': { type: 'string' },
        'public-url': { type: 'string' },
        'events-per-minute': { type: 'string' },
        'retention-days': { type: 'string' },
        scrub: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals, tokens } = parsed;
  refuseRepeats(tokens);
  if (values.help) return { kind: 'help' };
  if (positionals.length === 0) throw new UsageError('no command given');
  // Empty, it named the working directory's parent's entry "" (ENOENT): a typo, not a choice.
  if (values['data-dir'] === '') throw new UsageError('--data-dir must not be empty');
  const dataDir = values['data-dir'] ?? '.beacon/tracking';
  if (positionals[0] === 'project' && positionals[1] === 'add' && positionals.length === 3) {
    const serveOnly = SERVE_ONLY.filter((f) => values[f] !== undefined);
    if (serveOnly.length > 0)
      throw new UsageError(`--${serveOnly[0]} is a serve option, not one of project add`);
    const name = (positionals[2] as string).trim();
    if (name === '') throw new UsageError('the project name must not be empty');
    const publicUrl = checkedPublicUrl(values['public-url'] ?? 'http://localhost:9300');
    return { kind: 'project add', name, dataDir, publicUrl };
  }
  if (positionals[0] === 'serve' && positionals.length === 1) {
    if (values['public-url'] !== undefined)
      throw new UsageError('--public-url is an option of project add, not of serve');
    if (values.scrub !== undefined && values.scrub !== 'true' && values.scrub !== 'false')
      throw new UsageError(`--scrub must be true or false, got ${JSON.stringify(values.scrub)}`);
    return {
      kind: 'serve',
      port: port(values.port),
      host: host(values.host),
      dataDir,
      ...(values['api-token'] !== undefined ? { apiToken: values['api-token'] } : {}),
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
    };
  }
  // A known command with a name missing or one too many: `unknown command: project add` sent
  // the user looking for another command.
  if (positionals[0] === 'project' && positionals[1] === 'add') {
    const names = positionals.slice(2);
    throw new UsageError(
      names.length === 0
        ? 'project add needs a project name'
        : `project add takes one project name, got ${names.length}: ${names.map(word).join(' ')}`,
    );
  }
  throw new UsageError(`unknown command: ${positionals.map(word).join(' ')}`);
}

/**
 * A word as a message names it: quoted when empty or holding spaces or control characters, which
 * written plain hid it (`beacon-tracking-server ""` said only `unknown command: `).
 */
const word = (w: string) => (/^[^\s\p{C}]+$/u.test(w) ? w : JSON.stringify(w));
