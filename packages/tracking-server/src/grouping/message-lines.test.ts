import { groupEvent } from './grouping';

// Sentry groups a message, and an exception's value when no stack trace contributes, by its
// first two non-empty lines, `...` marking that more followed (grouping/strategies/message.py
// normalize_message_for_grouping, called by message_v1 and newstyle.py's single_exception). A
// fingerprint's `{{ message }}` is normalised untrimmed (fingerprinting/utils.py,
// trim_message=False).

// SQLAlchemy's error text: the driver's message, its DETAIL line, then the statement and the
// parameters it ran with, then the link to its documentation.
const sqlalchemy = (email: string, name: string) =>
  [
    '(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "users_email_key"',
    `DETAIL:  Key (email)=(${email}) already exists.`,
    '',
    '[SQL: INSERT INTO users (email, name) VALUES (%(email)s, %(name)s) RETURNING users.id]',
    `[parameters: {'email': '${email}', 'name': '${name}'}]`,
    '(Background on this error at: https://sqlalche.me/e/20/gkpj)',
  ].join('\n');

const error = (type: string, value: string) => ({
  platform: 'python',
  exception: { values: [{ type, value, module: 'sqlalchemy.exc' }] },
});

describe('grouping by the first two non-empty lines of a value or message', () => {
  it('groups one SQL error into one issue whatever parameters it ran with', () => {
    const a = groupEvent(error('IntegrityError', sqlalchemy('bob@example.com', 'Bob')));
    const b = groupEvent(error('IntegrityError', sqlalchemy('ann@example.org', 'Ann Lee')));
    expect(a.groupedBy).toBe('exception type and value');
    expect(a.components).toEqual([
      'IntegrityError: (psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "users_email_key" DETAIL: Key (email)=(<email>) already exists....',
    ]);
    expect(b.hash).toBe(a.hash);
  });

  it('still tells errors apart by their first two lines', () => {
    const other = sqlalchemy('bob@example.com', 'Bob').replace('users_email_key', 'users_pkey');
    expect(groupEvent(error('IntegrityError', other)).hash).not.toBe(
      groupEvent(error('IntegrityError', sqlalchemy('bob@example.com', 'Bob'))).hash,
    );
  });

  it('keeps a value with nothing past its second non-empty line whole, as it was grouped', () => {
    const value =
      'connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n';
    expect(groupEvent(error('OperationalError', value)).components).toEqual([
      'OperationalError: connection to server at "localhost" (<ip>), port <num> failed: Connection refused Is the server running on that host and accepting TCP/IP connections?',
    ]);
  });

  it('groups a message sent formatted (no template) by its first two non-empty lines', () => {
    const message = (body: string) => ({
      platform: 'go',
      logentry: { formatted: `import failed\n\nrow rejected\npayload: ${body}` },
    });
    const a = groupEvent(message('{"sku":"red-shirt"}'));
    expect(a.groupedBy).toBe('message');
    expect(a.components).toEqual(['import failed row rejected...']);
    expect(groupEvent(message('{"sku":"blue-hat"}')).hash).toBe(a.hash);
  });

  it('reads the lines of a fingerprint’s {{ message }} all, as Sentry does', () => {
    const g = groupEvent({
      fingerprint: ['{{ message }}'],
      logentry: { formatted: 'a\nb\nc 1' },
    });
    expect(g.components).toEqual(['a b c <num>']);
  });
});
