// Severity and type category of an error, assigned automatically (names from DESIGN.md):
// severities critical, error, warning, info; types application, database, external_api,
// validation, security. An explicit `error_type` tag wins.
import type { ExceptionValue } from './grouping';

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const TYPES = ['application', 'database', 'external_api', 'validation', 'security'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type ErrorType = (typeof TYPES)[number];

/**
 * Packages, as an error names them: from the start of a module (`psycopg2.extras`,
 * `org.postgresql.util`, Node's `pg.lib:client`), the namespace of a type (Ruby `PG::ConnectionBad`,
 * Go `*pq.Error`) or a segment of a path (`node_modules/pg/…`, Go `github.com/lib/pq`), followed
 * by a separator: `pg` is not `pg-query-stream`, and `app.security` is not the security package.
 */
const packages = (names: readonly string[]): RegExp =>
  new RegExp(`(?:^\\*?|/)(?:${names.join('|')})(?:[.:/]|$)`, 'im');

export interface Rule {
  readonly type: ErrorType;
  /** Words and identifiers in an error's types, values and message. */
  readonly text: RegExp;
  /** Its packages' names (regular expressions), read as `packages` reads them. */
  readonly names: readonly string[];
  /** `packages(names)`: in the exceptions' modules and types and the library frames. */
  readonly module: RegExp;
}

const rule = (type: ErrorType, text: RegExp, names: readonly string[]): Rule => ({
  type,
  text,
  names,
  module: packages(names),
});

/**
 * An error's packages are tried first, rule by rule in this order, then its text: what raised it
 * (`requests.exceptions` for `401 … Unauthorized`, `psycopg2` for `permission denied for table`)
 * says more than the words of its message. Words match whole (`joi` is not in `join`), type names
 * by their prefix or suffix (`SequelizeDatabaseError`, `ExpiredJwtException`). An operating
 * system's refusal (`PermissionError`, `EACCES`, `EPERM`) is no security error.
 */
export const RULES: readonly Rule[] = [
  rule(
    'security',
    /(?:un|not ?)authori[sz]ed|forbidden|csrf|\bxss\b|(?:sql|command|ldap|header|template) injection|access denied|\bpermissiondenied\b|auth(?:entication|orization)?(?:error|exception)|badcredentials|invalid ?(?:token|signature|credentials)|\bjwt\b|jwt\w*(?:error|exception)|jsonwebtoken|expiredsignature|security(?:error|exception)|suspicious\w*operation|disallowedhost/i,
    [
      'jwt',
      'jose',
      'jsonwebtoken',
      'itsdangerous',
      'io\\.jsonwebtoken',
      'com\\.auth0\\.jwt',
      'org\\.springframework\\.security',
    ],
  ),
  rule(
    'database',
    /\b(?:sql|sqlite3?|postgres(?:ql)?|pg|mysql|mongo(?:db)?|redis|sequelize|prisma|typeorm|knex|database|db)\b|\b(?:sequelize|mongo|prisma|sql|psql|pg|mysql|sqlite|redis|database|jdbc)\w*(?:error|exception)\b|\b(?:operational|integrity|programming)error\b|activerecord::(?:statementinvalid|connection\w*|deadlocked|lockwaittimeout|querycanceled|recordnotunique|nodatabaseerror)|queryfailed|deadlock|connection pool|relation ".*" does not exist|duplicate key/i,
    [
      // Python
      'psycopg2?',
      'sqlalchemy',
      'sqlite3',
      'pymysql',
      'mysqldb',
      'asyncpg',
      'aiomysql',
      'aiosqlite',
      'aiopg',
      'pymongo',
      'redis',
      'aioredis',
      'django\\.db',
      'peewee',
      'tortoise',
      // Node
      'pg',
      'pg-pool',
      'postgres',
      'mysql2?',
      'better-sqlite3',
      'mongodb',
      'mongoose',
      'ioredis',
      '@redis',
      'sequelize',
      'typeorm',
      'knex',
      '@?prisma',
      'drizzle-orm',
      '@mikro-orm',
      'tedious',
      'mssql',
      'oracledb',
      // Java
      'javax?\\.sql',
      'org\\.postgresql',
      'com\\.mysql',
      'org\\.mariadb',
      'oracle\\.jdbc',
      'com\\.microsoft\\.sqlserver',
      'org\\.h2',
      'org\\.hibernate(?!\\.validator)',
      '(?:jakarta|javax)\\.persistence',
      'org\\.springframework\\.(?:dao|jdbc|orm)',
      'com\\.zaxxer\\.hikari',
      'com\\.mongodb',
      'redis\\.clients',
      'io\\.lettuce',
      'org\\.jooq',
      // Go (packages and their type names)
      'database/sql',
      'pq',
      'pgx',
      'pgconn',
      'gorm',
      'mongo-driver',
      'mongo',
      'go-redis',
      // Ruby
      'sequel',
    ],
  ),
  rule(
    'external_api',
    /\b(?:econnrefused|econnreset|etimedout|enotfound|eai_again)\b|socket hang up|\bfetch failed\b|\bund_err_|fetcherror|axioserror|connection(?:refused|reset|aborted)error|connecttimeout|readtimeout|\burl\.error\b|\bdial tcp\b|client\.timeout exceeded|failed to open tcp connection|upstream|bad gateway|gateway timeout|service unavailable|status code 5\d\d|request failed|timeout of \d+ms/i,
    // HTTP clients only: a server framework's frames are in every error it serves.
    [
      'requests',
      'urllib3',
      'urllib\\.(?:error|request)',
      'http\\.client',
      'httpx',
      'httpcore',
      'aiohttp\\.(?:client\\w*|connector)',
      'botocore',
      'axios',
      'node-fetch',
      'undici',
      'got',
      'superagent',
      'java\\.net',
      'okhttp3',
      'org\\.apache\\.hc',
      'org\\.apache\\.http',
      'org\\.springframework\\.web\\.(?:client|reactive\\.function\\.client)',
      'feign',
      'retrofit2',
      // Model providers' SDKs: their status errors (RateLimitError, APIStatusError) are raised
      // with no HTTP client's exception under them. openai-python and anthropic-sdk-python set
      // each exported class's __module__ to `openai` / `anthropic`; Node's are in node_modules,
      // Java's under com.openai / com.anthropic, Go's types `*openai.APIError`, `*anthropic.Error`.
      'openai',
      'anthropic',
      '@anthropic-ai[./]sdk',
      'com\\.openai',
      'com\\.anthropic',
      // Ruby: Net::ReadTimeout, Faraday::ConnectionFailed, …
      'net(?=::)',
      'faraday',
      'httparty',
      'restclient',
      'excon',
      'typhoeus',
    ],
  ),
  rule(
    'validation',
    /\bvalidation|validation(?:error|exception)|methodargumentnotvalid|parametermissing|invalid (?:input|request|parameter|value|payload)|zoderror|\bjoi\b|\byup\b|bad ?request|required field|schema/i,
    [
      'pydantic',
      'pydantic_core',
      'marshmallow',
      'jsonschema',
      'cerberus',
      'voluptuous',
      'joi',
      'yup',
      'zod',
      'ajv',
      'class-validator',
      'superstruct',
      '(?:jakarta|javax)\\.validation',
      'org\\.hibernate\\.validator',
      'activemodel',
    ],
  ),
];

/** Every rule's packages, and every rule's words: most errors match neither, in two scans, not eight. */
const ANY_MODULE = packages(RULES.flatMap((r) => r.names));
const ANY_TEXT = new RegExp(RULES.map((r) => `(?:${r.text.source})`).join('|'), 'i');

/** How many of the last library frames (in_app false) are read for their packages. */
const LIBRARY_FRAMES = 3;

/** Each exception's module and type, and the last library frames' modules (or files), a line each. */
function modulesOf(exceptions: readonly ExceptionValue[]): string {
  let modules = '';
  for (const e of exceptions) modules += `${e.module ?? ''}\n${e.type ?? ''}\n`;
  const library: string[] = [];
  for (const e of exceptions)
    for (const f of e.stacktrace?.frames ?? [])
      if (f.in_app === false) library.push(f.module ?? f.filename ?? '');
  for (const m of library.slice(-LIBRARY_FRAMES)) modules += `${m}\n`;
  return modules;
}

/** Each exception's type and value, and the message, a line each. */
function textOf(exceptions: readonly ExceptionValue[], message: string): string {
  let text = '';
  for (const e of exceptions) text += `${e.type ?? ''}\n${e.value ?? ''}\n`;
  return text + message;
}

/** The `error_type` tag if it names a type, else the first rule by package, else by words. */
export function classifyType(
  exceptions: readonly ExceptionValue[],
  message: string,
  tag?: string,
): ErrorType {
  if (tag && (TYPES as readonly string[]).includes(tag)) return tag as ErrorType;
  const modules = modulesOf(exceptions);
  if (ANY_MODULE.test(modules)) return firstRule('module', modules);
  const text = textOf(exceptions, message);
  if (ANY_TEXT.test(text)) return firstRule('text', text);
  return 'application';
}

/** The type of the first rule whose `part` matches `s` (one does: ANY_MODULE or ANY_TEXT said so). */
function firstRule(part: 'module' | 'text', s: string): ErrorType {
  for (const rule of RULES) if (rule[part].test(s)) return rule.type;
  return 'application';
}

/** From the SDK's level, raised one step for security errors and unhandled crashes. */
export function classifySeverity(level: unknown, type: ErrorType, unhandled: boolean): Severity {
  const l = typeof level === 'string' ? level.toLowerCase() : 'error';
  let severity: Severity =
    l === 'fatal'
      ? 'critical'
      : l === 'warning'
        ? 'warning'
        : l === 'info' || l === 'debug' || l === 'log'
          ? 'info'
          : 'error';
  if (severity === 'error' && (type === 'security' || unhandled)) severity = 'critical';
  return severity;
}
