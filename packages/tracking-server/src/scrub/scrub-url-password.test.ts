import { createScrubber, FILTERED, scrubString } from './scrub';

// relay-pii src/convert.rs test_sanitize_url_1…7 and their snapshots: Relay's default
// `@common:filter` applies `@urlauth:legacy`, which filters a URL's password and keeps its user.
describe("PII scrubbing of a URL's password", () => {
  it('filters the password of a URL wherever it is written, as Relay does', () => {
    expect(scrubString('pg://matt:pass@localhost/1')).toBe(`pg://matt:${FILTERED}@localhost/1`);
    expect(scrubString("foo 'redis://redis:foo@localhost:6379/0' bar")).toBe(
      `foo 'redis://redis:${FILTERED}@localhost:6379/0' bar`,
    );
    expect(
      scrubString('foo redis://redis:foo@localhost:6379/0 bar pg://matt:foo@localhost/1'),
    ).toBe(`foo redis://redis:${FILTERED}@localhost:6379/0 bar pg://matt:${FILTERED}@localhost/1`);
    expect(
      scrubString(
        '{"a":"https://localhost","b":"foo@localhost","c":"pg://matt:pass@localhost/1","d":"lol"}',
      ),
    ).toBe(
      `{"a":"https://localhost","b":"foo@localhost","c":"pg://matt:${FILTERED}@localhost/1","d":"lol"}`,
    );
  });

  it('leaves URLs without a password, and emails, alone', () => {
    for (const s of [
      'postgres:///path',
      'https://user@example.com/x',
      'mailto:ann@example.com',
      'https://example.com:8443/a@b',
    ])
      expect(scrubString(s)).toBe(s);
  });

  it('filters it in an event: an error message, a breadcrumb, an extra', () => {
    const scrub = createScrubber({ enabled: true });
    const report = { changed: false };
    expect(
      scrub(
        {
          exception: {
            values: [
              {
                type: 'ConnectionError',
                value: 'Error connecting to redis://default:s3cret@cache:6379/0.',
              },
            ],
          },
          breadcrumbs: { values: [{ category: 'db', message: 'connect mysql://app:pw@db/app' }] },
          extra: { database_url: 'postgres://app:hunter2@db.internal:5432/app' },
        },
        report,
      ),
    ).toEqual({
      exception: {
        values: [
          {
            type: 'ConnectionError',
            value: `Error connecting to redis://default:${FILTERED}@cache:6379/0.`,
          },
        ],
      },
      breadcrumbs: {
        values: [{ category: 'db', message: `connect mysql://app:${FILTERED}@db/app` }],
      },
      extra: { database_url: `postgres://app:${FILTERED}@db.internal:5432/app` },
    });
    expect(report.changed).toBe(true);
  });
});
