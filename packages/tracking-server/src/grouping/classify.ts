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

/** Matches nothing: the part of a rule that has no words or no packages. */
const NEVER = /(?!)/;

const rule = (type: ErrorType, text: RegExp, names: readonly string[]): Rule => ({
  type,
  text,
  names,
  // `packages([])` would match any line's end; a rule without packages matches none.
  module: names.length > 0 ? packages(names) : NEVER,
});

/**
 * An error's packages are tried first, rule by rule in this order, then its text: what raised it
 * (`requests.exceptions` for `401 … Unauthorized`, `psycopg2` for `permission denied for table`)
 * says more than the words of its message. Words match whole (`joi` is not in `join`), type names
 * by their prefix or suffix (`SequelizeDatabaseError`, `ExpiredJwtException`). An operating
 * system's refusal (`PermissionError`, `EACCES`, `EPERM`) is no security error.
 */
export const RULES: readonly Rule[] = [
  // ORMs' validation errors, by their type's whole name (a line of their own among the modules,
  // as `packages` reads it), before any package: mongoose's `ValidationError` and `CastError` come
  // with mongoose's frames, `SequelizeValidationError` and `PrismaClientValidationError` name
  // their ORM, yet each refuses a value before any query reaches the database.
  rule('validation', NEVER, [
    'ValidationError',
    'SequelizeValidationError',
    'PrismaClientValidationError',
    'ValidatorError',
    'CastError',
  ]),
  // Programming errors, by their type and the shape of their text, before any rule's words: the
  // names they quote are our code's (`TypeError: Cannot read properties of undefined (reading
  // 'db')`, `KeyError: 'password'`, `ReferenceError: db is not defined`, Java's helpful
  // `NullPointerException: Cannot invoke "javax.sql.DataSource…"`), as are the paths of Node's
  // file-system errors (`ENOENT: …, open '/app/db/schema.sql'`) and a module not installed.
  // `TypeError: fetch failed` has none of these shapes.
  rule(
    'application',
    /\b(?:type|reference)error\n(?:cannot (?:read|set) propert|[^\n]* is not (?:a function|defined|iterable|a constructor))|\b(?:key|attribute|name)error\n|\bnullpointerexception\n|\be(?:noent|acces|perm|isdir|notdir|exist): [^\n]*, \w+ '|cannot find module '/i,
    [],
  ),
  rule(
    'security',
    // MySQL's `Access denied for user 'app'@'host'` refuses a connection's credentials: a
    // database error (below), not a security one.
    /(?:un|not ?)authori[sz]ed|forbidden|csrf|\bxss\b|(?:sql|command|ldap|header|template) injection|access denied(?! for user ')|\bpermissiondenied\b|auth(?:entication|orization)?(?:error|exception)|badcredentials|invalid ?(?:token|signature|credentials)|\bjwt\b|jwt\w*(?:error|exception)|jsonwebtoken|expiredsignature|security(?:error|exception)|suspicious\w*operation|disallowedhost/i,
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
  // After the words above, servers' own texts, for drivers whose errors name no database (pg's
  // type is `error`, mysql2's `Error`, Redis replies' `ReplyError`): PostgreSQL's, then MySQL's,
  // each where a value begins (after its type's line), so that the scan tries them only there.
  rule(
    'database',
    /\b(?:sql|sqlite3?|postgres(?:ql)?|pg|mysql|mongo(?:db)?|redis|sequelize|prisma|typeorm|knex|database|db)\b|\b(?:sequelize|mongo|prisma|sql|psql|pg|mysql|sqlite|redis|database|jdbc)\w*(?:error|exception)\b|\b(?:operational|integrity|programming)error\b|activerecord::(?:statementinvalid|connection\w*|deadlocked|lockwaittimeout|querycanceled|recordnotunique|nodatabaseerror)|queryfailed|deadlock|connection pool|relation ".*" does not exist|duplicate key|\n(?:(?:insert or update|update or delete) on table|null value in column|new row for relation|password authentication failed for user|sorry, too many clients already|canceling statement due to statement timeout|could not serialize access|connection terminated unexpectedly|access denied for user '|duplicate entry '|table '[^'\n]*' doesn't exist|unknown column '|lock wait timeout exceeded|too many connections)|\breplyerror\b/i,
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
      'pg-protocol',
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
      'org\\.springframework\\.(?:dao|jdbc|orm|transaction)',
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
    /\b(?:econnrefused|econnreset|etimedout|enotfound|eai_again)\b|socket hang up|(?:headers|body)timeouterror|\bfetch failed\b|\bund_err_|fetcherror|axioserror|connection(?:refused|reset|aborted)error|connecttimeout|readtimeout|\burl\.error\b|\bdial tcp\b|client\.timeout exceeded|failed to open tcp connection|upstream|bad gateway|gateway timeout|service unavailable|status code 5\d\d|request failed|timeout of \d+ms/i,
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
      // AWS SDK for JavaScript v3: its clients and the Smithy runtime that raises their errors.
      '@aws-sdk',
      '@smithy',
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
const ANY_TEXT = new RegExp(
  RULES.filter((r) => r.text !== NEVER)
    .map((r) => `(?:${r.text.source})`)
    .join('|'),
  'i',
);

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
  // NEVER is skipped, not tried: `(?!)` fails at every position of `s`, one by one.
  for (const rule of RULES) if (rule[part] !== NEVER && rule[part].test(s)) return rule.type;
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
