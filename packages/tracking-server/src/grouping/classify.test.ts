import fc from 'fast-check';
import { classifySeverity, classifyType, RULES, type ErrorType } from './classify';
import type { ExceptionValue } from './grouping';

/** One exception as its SDK sends it: type, value, module where the SDK sets one. */
type Sent = [type: string, value: string, module?: string];

// Real errors, their types, values and modules as the SDKs send them, and the category a platform
// engineer files each under, written by hand.
const ERRORS: [platform: string, error: Sent, expected: ErrorType][] = [
  // Python (sentry-python: the class's module, none for builtins)
  [
    'python',
    [
      'OperationalError',
      'connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n',
      'psycopg2',
    ],
    'database',
  ],
  [
    'python',
    [
      'IntegrityError',
      '(sqlite3.IntegrityError) UNIQUE constraint failed: users.email',
      'sqlalchemy.exc',
    ],
    'database',
  ],
  [
    'python',
    [
      'IntegrityError',
      '(sqlite3.IntegrityError) UNIQUE constraint failed: users.email\n[SQL: INSERT INTO users (email) VALUES (?)]',
      'sqlalchemy.exc',
    ],
    'database',
  ],
  [
    'python',
    [
      'OperationalError',
      '(psycopg2.OperationalError) server closed the connection unexpectedly',
      'sqlalchemy.exc',
    ],
    'database',
  ],
  [
    'python',
    ['InsufficientPrivilege', 'permission denied for table users\n', 'psycopg2.errors'],
    'database',
  ],
  ['python', ['OperationalError', 'no such table: app_user', 'django.db.utils'], 'database'],
  [
    'python',
    [
      'ConnectionError',
      'Error 111 connecting to localhost:6379. Connection refused.',
      'redis.exceptions',
    ],
    'database',
  ],
  [
    'python',
    [
      'ServerSelectionTimeoutError',
      'localhost:27017: [Errno 111] Connection refused, Timeout: 30s',
      'pymongo.errors',
    ],
    'database',
  ],
  [
    'python',
    [
      'ConnectionError',
      "HTTPSConnectionPool(host='api.stripe.com', port=443): Max retries exceeded with url: /v1/charges (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))",
      'requests.exceptions',
    ],
    'external_api',
  ],
  [
    'python',
    [
      'ReadTimeout',
      "HTTPSConnectionPool(host='api.stripe.com', port=443): Read timed out. (read timeout=10)",
      'requests.exceptions',
    ],
    'external_api',
  ],
  [
    'python',
    [
      'HTTPError',
      '401 Client Error: Unauthorized for url: https://api.github.com/user',
      'requests.exceptions',
    ],
    'external_api',
  ],
  ['python', ['ConnectTimeout', 'timed out', 'httpx'], 'external_api'],
  [
    'python',
    [
      'ClientConnectorError',
      'Cannot connect to host api.example.com:443 ssl:default [Connect call failed]',
      'aiohttp.client_exceptions',
    ],
    'external_api',
  ],
  [
    'python',
    [
      'ClientError',
      'An error occurred (ThrottlingException) when calling the PutItem operation (reached max retries: 4): Rate exceeded',
      'botocore.exceptions',
    ],
    'external_api',
  ],
  [
    'python',
    [
      'ValidationError',
      '1 validation error for User\nemail\n  field required (type=value_error.missing)',
      'pydantic_core._pydantic_core',
    ],
    'validation',
  ],
  [
    'python',
    ['ValidationError', "['Enter a valid email address.']", 'django.core.exceptions'],
    'validation',
  ],
  ['python', ['ExpiredSignatureError', 'Signature has expired', 'jwt.exceptions'], 'security'],
  ['python', ['PermissionDenied', '', 'django.core.exceptions'], 'security'],
  [
    'python',
    [
      'DisallowedHost',
      "Invalid HTTP_HOST header: 'evil.example.com'. You may need to add 'evil.example.com' to ALLOWED_HOSTS.",
      'django.core.exceptions',
    ],
    'security',
  ],
  [
    'python',
    ['PermissionError', "[Errno 13] Permission denied: '/var/log/app/app.log'"],
    'application',
  ],
  ['python', ['ModuleNotFoundError', "No module named 'security_utils'"], 'application'],
  ['python', ['ModuleNotFoundError', "No module named 'app.security'"], 'application'],
  [
    'python',
    ['FileNotFoundError', "[Errno 2] No such file or directory: 'config.yaml'"],
    'application',
  ],
  ['python', ['AttributeError', "'NoneType' object has no attribute 'join'"], 'application'],
  ['python', ['ValueError', "invalid literal for int() with base 10: 'abc'"], 'application'],
  // Node (no module; the constructor's name)
  ['node', ['TypeError', "Cannot read properties of undefined (reading 'join')"], 'application'],
  ['node', ['TypeError', 'names.join is not a function'], 'application'],
  [
    'node',
    ['TypeError', 'The "path" argument must be of type string. Received undefined'],
    'application',
  ],
  ['node', ['Error', "EACCES: permission denied, open '/var/log/app.log'"], 'application'],
  ['node', ['Error', "EPERM: operation not permitted, unlink 'C:\\app\\tmp\\lock'"], 'application'],
  ['node', ['Error', 'EINVAL: invalid argument, read'], 'application'],
  ['node', ['SyntaxError', 'Unexpected token < in JSON at position 0'], 'application'],
  ['node', ['TypeError', 'fetch failed'], 'external_api'],
  ['node', ['Error', 'connect ECONNREFUSED 10.0.0.5:443'], 'external_api'],
  ['node', ['AxiosError', 'Request failed with status code 404'], 'external_api'],
  [
    'node',
    [
      'FetchError',
      'request to https://api.example.com/v1 failed, reason: getaddrinfo ENOTFOUND api.example.com',
    ],
    'external_api',
  ],
  ['node', ['SequelizeDatabaseError', 'column "foo" does not exist'], 'database'],
  ['node', ['SequelizeUniqueConstraintError', 'Validation error'], 'database'],
  [
    'node',
    [
      'MongoServerError',
      'E11000 duplicate key error collection: app.users index: email_1 dup key: { email: "a@b.c" }',
    ],
    'database',
  ],
  ['node', ['MongoServerError', 'bad auth : Authentication failed.'], 'database'],
  [
    'node',
    [
      'PrismaClientKnownRequestError',
      '\nInvalid `prisma.user.create()` invocation:\n\nUnique constraint failed on the fields: (`email`)',
    ],
    'database',
  ],
  [
    'node',
    [
      'QueryFailedError',
      'duplicate key value violates unique constraint "UQ_e12875dfb3b1d92d7d7c5377e22"',
    ],
    'database',
  ],
  [
    'node',
    [
      'ZodError',
      '[{"code":"invalid_type","expected":"string","received":"undefined","path":["email"],"message":"Required"}]',
    ],
    'validation',
  ],
  ['node', ['ValidationError', '"email" is required'], 'validation'],
  ['node', ['BadRequestException', 'Bad Request Exception'], 'validation'],
  ['node', ['JsonWebTokenError', 'jwt malformed'], 'security'],
  ['node', ['TokenExpiredError', 'jwt expired'], 'security'],
  ['node', ['UnauthorizedError', 'No authorization token was found'], 'security'],
  ['node', ['ForbiddenException', 'Forbidden resource'], 'security'],
  // Java (the class's package)
  ['java', ['PSQLException', 'ERROR: deadlock detected', 'org.postgresql.util'], 'database'],
  [
    'java',
    [
      'SQLTransientConnectionException',
      'HikariPool-1 - Connection is not available, request timed out after 30000ms.',
      'java.sql',
    ],
    'database',
  ],
  [
    'java',
    [
      'DataIntegrityViolationException',
      'could not execute statement; constraint [uk_email]',
      'org.springframework.dao',
    ],
    'database',
  ],
  [
    'java',
    ['ConstraintViolationException', 'could not execute statement', 'org.hibernate.exception'],
    'database',
  ],
  [
    'java',
    [
      'ConstraintViolationException',
      'createUser.arg0.email: must be a well-formed email address',
      'jakarta.validation',
    ],
    'validation',
  ],
  [
    'java',
    [
      'MethodArgumentNotValidException',
      'Validation failed for argument [0] in public User UserController.create(User)',
      'org.springframework.web.bind',
    ],
    'validation',
  ],
  ['java', ['ConnectException', 'Connection refused', 'java.net'], 'external_api'],
  [
    'java',
    [
      'ResourceAccessException',
      'I/O error on GET request for "https://api.example.com/v1": Read timed out',
      'org.springframework.web.client',
    ],
    'external_api',
  ],
  [
    'java',
    ['AccessDeniedException', 'Access Denied', 'org.springframework.security.access'],
    'security',
  ],
  [
    'java',
    [
      'ExpiredJwtException',
      'JWT expired at 2024-01-01T00:00:00Z. Current time: 2024-01-02T00:00:00Z',
      'io.jsonwebtoken',
    ],
    'security',
  ],
  ['java', ['AccessDeniedException', '/var/log/app/app.log', 'java.nio.file'], 'application'],
  [
    'java',
    ['NullPointerException', 'Cannot invoke "String.length()" because "s" is null', 'java.lang'],
    'application',
  ],
  [
    'java',
    [
      'BeanCreationException',
      "Error creating bean with name 'userService': Injection of autowired dependencies failed",
      'org.springframework.beans.factory',
    ],
    'application',
  ],
  // Go (sentry-go: the error's Go type)
  [
    'go',
    ['*pq.Error', 'pq: duplicate key value violates unique constraint "users_email_key"'],
    'database',
  ],
  [
    'go',
    ['*pgconn.PgError', 'ERROR: relation "users" does not exist (SQLSTATE 42P01)'],
    'database',
  ],
  ['go', ['*errors.errorString', 'sql: no rows in result set'], 'database'],
  [
    'go',
    [
      '*url.Error',
      'Get "https://api.example.com/v1/users": dial tcp: lookup api.example.com: no such host',
    ],
    'external_api',
  ],
  [
    'go',
    [
      '*url.Error',
      'Post "https://api.example.com": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    ],
    'external_api',
  ],
  ['go', ['*fs.PathError', 'open /var/log/app.log: permission denied'], 'application'],
  [
    'go',
    ['runtime.boundsError', 'runtime error: index out of range [3] with length 3'],
    'application',
  ],
  // Ruby (sentry-ruby: the class's full name, its namespace as the module)
  [
    'ruby',
    [
      'PG::ConnectionBad',
      'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
      'PG',
    ],
    'database',
  ],
  [
    'ruby',
    [
      'ActiveRecord::StatementInvalid',
      'PG::UndefinedTable: ERROR:  relation "users" does not exist',
      'ActiveRecord',
    ],
    'database',
  ],
  [
    'ruby',
    ['ActiveRecord::RecordInvalid', "Validation failed: Email can't be blank", 'ActiveRecord'],
    'validation',
  ],
  [
    'ruby',
    [
      'ActionController::ParameterMissing',
      'param is missing or the value is empty: user',
      'ActionController',
    ],
    'validation',
  ],
  [
    'ruby',
    ['Net::ReadTimeout', 'Net::ReadTimeout with #<TCPSocket:(closed)>', 'Net'],
    'external_api',
  ],
  [
    'ruby',
    [
      'Faraday::ConnectionFailed',
      'Failed to open TCP connection to api.example.com:443 (Connection refused - connect(2) for "api.example.com" port 443)',
      'Faraday',
    ],
    'external_api',
  ],
  [
    'ruby',
    ['Pundit::NotAuthorizedError', 'not allowed to update? this Post', 'Pundit'],
    'security',
  ],
  [
    'ruby',
    [
      'ActionController::InvalidAuthenticityToken',
      "Can't verify CSRF token authenticity.",
      'ActionController',
    ],
    'security',
  ],
  [
    'ruby',
    ['Errno::EACCES', 'Permission denied @ rb_sysopen - /var/log/app.log', 'Errno'],
    'application',
  ],
  ['ruby', ['NoMethodError', "undefined method `join' for nil:NilClass"], 'application'],
];

describe('classification', () => {
  it.each(ERRORS)('files a %s %j under %s', (_platform, [type, value, module], expected) => {
    const exception: ExceptionValue =
      module === undefined ? { type, value } : { type, value, module };
    expect(classifyType([exception], '')).toBe(expected);
  });

  it('files the errors it always filed so', () => {
    expect(classifyType([{ type: 'QueryFailedError', value: 'deadlock detected' }], '')).toBe(
      'database',
    );
    expect(classifyType([{ type: 'ZodError', value: 'email: Invalid input' }], '')).toBe(
      'validation',
    );
    expect(classifyType([{ type: 'UnauthorizedError', value: 'jwt expired' }], '')).toBe(
      'security',
    );
    expect(
      classifyType(
        [{ type: 'TypeError', value: "Cannot read properties of undefined (reading 'total')" }],
        '',
      ),
    ).toBe('application');
  });

  it('takes an error_type tag over what the error says', () => {
    expect(classifyType([], 'anything', 'database')).toBe('database');
    expect(classifyType([{ type: 'TypeError', value: 'x' }], '', 'nonsense')).toBe('application');
  });

  it('gives the type of the first rule in its order whose words match, wherever they appear', () => {
    expect(classifyType([{ type: 'Error', value: 'deadlock detected; jwt expired' }], '')).toBe(
      'security',
    );
    expect(classifyType([{ type: 'Error', value: 'ECONNREFUSED from postgres' }], '')).toBe(
      'database',
    );
    expect(classifyType([{ type: 'Error', value: 'upstream' }], 'bad request')).toBe(
      'external_api',
    );
  });

  it('reads the package of the last three library frames, not the app’s own', () => {
    const frames = (modules: string[], inApp = false) =>
      modules.map((module) => ({ module, function: 'f', in_app: inApp }));
    const error = (modules: string[], inApp?: boolean) => [
      { type: 'Error', value: 'failed', stacktrace: { frames: frames(modules, inApp) } },
    ];
    expect(classifyType(error(['pg', 'a', 'b', 'c']), '')).toBe('application');
    expect(classifyType(error(['a', 'pg', 'b', 'c']), '')).toBe('database');
    expect(classifyType(error(['pg.lib:client']), '')).toBe('database');
    expect(classifyType(error(['pg'], true), '')).toBe('application');
    expect(classifyType(error(['sqlalchemy.engine.base']), '')).toBe('database');
    expect(classifyType(error(['github.com/lib/pq']), '')).toBe('database');
    expect(classifyType(error(['urllib3.connectionpool']), '')).toBe('external_api');
    expect(classifyType(error(['app.security', 'app.db']), '')).toBe('application');
    // A type no rule's words name (`ReplyError` itself is Redis's, by its words), so that only
    // the file's package decides.
    const file = (filename: string) => [
      { type: 'Error', stacktrace: { frames: [{ filename, in_app: false }] } },
    ];
    expect(classifyType(file('/app/node_modules/ioredis/built/Redis.js'), '')).toBe('database');
    expect(classifyType(file('node_modules/redis/index.js'), '')).toBe('database');
    expect(classifyType(file('/app/node_modules/redis-parser/lib/parser.js'), '')).toBe(
      'application',
    );
  });

  it('types any error as the rules taken one by one, packages then words, would', () => {
    // The reference: the two texts as the rules are documented to read them (a line per part),
    // each rule tried in turn on the packages, then on the words; classifyType first asks whether
    // any pattern matches at all.
    const reference = (
      exceptions: {
        type?: string;
        value?: string;
        module?: string;
        frames: { module?: string; in_app?: boolean }[];
      }[],
      message: string,
    ): ErrorType => {
      const library = exceptions.flatMap((e) =>
        e.frames.filter((f) => f.in_app === false).map((f) => f.module ?? ''),
      );
      const modules = [
        ...exceptions.flatMap((e) => [e.module ?? '', e.type ?? '']),
        ...library.slice(-3),
        '',
      ].join('\n');
      const text = [...exceptions.flatMap((e) => [e.type ?? '', e.value ?? '']), message].join(
        '\n',
      );
      return (
        RULES.find((r) => r.module.test(modules))?.type ??
        RULES.find((r) => r.text.test(text))?.type ??
        'application'
      );
    };
    const words = fc.constantFrom(
      'JWT',
      'jwt.exceptions',
      'forbidden',
      'Sequelize',
      'SequelizeDatabaseError',
      'db',
      'pg',
      'pg.lib:client',
      'deadlock',
      'relation "x" does not exist',
      'ETIMEDOUT',
      'requests.exceptions',
      'status code 503',
      'timeout of 30ms',
      'ZodError',
      'pydantic',
      'join',
      'Invalid input',
      'TypeError',
      'cart',
      'undefined',
      '\n',
      ' ',
      '.',
      '/',
      '*',
      'postgresql',
      'secure',
      'ValidationError',
      'CastError',
      'KeyError',
      "Cannot read properties of undefined (reading 'db')",
      ' is not a function',
      "ENOENT: no such file, open '",
      "Access denied for user '",
      'too many connections',
    );
    const phrase = fc.array(words, { maxLength: 5 }).map((w) => w.join(''));
    const text = fc.option(phrase, { nil: undefined });
    const exception = fc.record({
      type: text,
      value: text,
      module: text,
      frames: fc.array(fc.record({ module: phrase, in_app: fc.boolean() }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(exception, { maxLength: 3 }), phrase, (exceptions, message) => {
        const values = exceptions.map(({ frames, ...e }) => ({
          ...Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)),
          stacktrace: { frames },
        }));
        expect(classifyType(values, message)).toBe(reference(exceptions, message));
      }),
      { numRuns: 5000 },
    );
  });

  it('assigns severity from level, raised for security and unhandled errors', () => {
    expect(classifySeverity('fatal', 'application', false)).toBe('critical');
    expect(classifySeverity('error', 'application', false)).toBe('error');
    expect(classifySeverity('error', 'security', false)).toBe('critical');
    expect(classifySeverity('error', 'application', true)).toBe('critical');
    expect(classifySeverity('warning', 'database', false)).toBe('warning');
    expect(classifySeverity('info', 'application', false)).toBe('info');
  });
});

describe('severity raise', () => {
  // README: an `error` is raised to critical for security errors and unhandled crashes; a
  // `warning` or `info` stays what the SDK said.
  it('leaves a warning or info as it is, security or unhandled', () => {
    expect(classifySeverity('warning', 'security', false)).toBe('warning');
    expect(classifySeverity('warning', 'application', true)).toBe('warning');
    expect(classifySeverity('info', 'security', true)).toBe('info');
  });
});
