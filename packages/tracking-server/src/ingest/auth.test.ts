import fc from 'fast-check';
import { parseDsn, sentryKey } from './auth';

describe('reading a DSN', () => {
  it('takes the public key and the project id, with or without a secret, port or path', () => {
    expect(parseDsn('https://0123abcd@o1.ingest.example.com/42')).toEqual({
      key: '0123abcd',
      projectId: '42',
    });
    expect(parseDsn('http://key:secret@127.0.0.1:9300/sentry/relay/7')).toEqual({
      key: 'key',
      projectId: '7',
    });
  });

  it('refuses what is not a DSN: no key, no project id, another scheme, not a URL', () => {
    for (const text of [
      'https://o1.ingest.example.com/42',
      'https://key@o1.ingest.example.com/',
      'https://key@o1.ingest.example.com/abc',
      'ftp://key@example.com/1',
      'key@example.com/1',
      '',
    ])
      expect([text, parseDsn(text)]).toEqual([text, undefined]);
  });

  it('reads back DSNs built from their parts, and never throws on any text', () => {
    const dsn = fc.record({
      scheme: fc.constantFrom('http', 'https'),
      key: fc.stringMatching(/^[0-9a-f]{1,32}$/),
      secret: fc.option(fc.stringMatching(/^[0-9a-f]{1,32}$/), { nil: undefined }),
      host: fc.domain(),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 3 }),
      projectId: fc.integer({ min: 1, max: 2 ** 53 - 1 }).map(String),
    });
    fc.assert(
      fc.property(dsn, (d) => {
        const text = `${d.scheme}://${d.key}${d.secret === undefined ? '' : `:${d.secret}`}@${d.host}${d.port === undefined ? '' : `:${d.port}`}/${d.path.map((p) => `${p}/`).join('')}${d.projectId}`;
        expect(parseDsn(text)).toEqual({ key: d.key, projectId: d.projectId });
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true })), (text) => {
        const read = parseDsn(text);
        if (read !== undefined) expect(read.projectId).toMatch(/^\d+$/);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('reading the sentry_key of a request', () => {
  const key = (headers: Record<string, string>, query = '') =>
    sentryKey(headers, new URLSearchParams(query));

  it('reads X-Sentry-Auth as SDKs write it, the prefix in any case', () => {
    expect(
      key({ 'x-sentry-auth': 'Sentry sentry_version=7, sentry_key=abc, sentry_client=x/1' }),
    ).toBe('abc');
    expect(key({ 'x-sentry-auth': 'sentry sentry_key=abc,sentry_version=7' })).toBe('abc');
  });

  it('reads Authorization: Sentry … when X-Sentry-Auth is absent or in another scheme', () => {
    expect(key({ authorization: 'Sentry sentry_key=abc' })).toBe('abc');
    expect(key({ 'x-sentry-auth': 'Bearer t', authorization: 'Sentry sentry_key=abc' })).toBe(
      'abc',
    );
    expect(
      key({ 'x-sentry-auth': 'Sentry sentry_version=7', authorization: 'Sentry sentry_key=abc' }),
    ).toBe('abc');
  });

  it('reads the user of Authorization: Basic, then the query string', () => {
    expect(key({ authorization: `Basic ${Buffer.from('abc:').toString('base64')}` })).toBe('abc');
    expect(key({ authorization: 'Bearer t' }, 'sentry_key=abc&sentry_version=7')).toBe('abc');
    expect(key({})).toBeUndefined();
  });
});
