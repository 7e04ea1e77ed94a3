import fc from 'fast-check';
import { readEvent } from '../ingest/event';
import { createScrubber, FILTERED, scrubString } from './scrub';

// What Sentry's default scrubbing filters that this scrubber missed until 2026-12-07: Relay's
// default password rule's `mysql_pwd`, whole keys `otp` and `two_factor` (relay-pii regexes.rs
// PASSWORD_KEY_REGEX), and of its `@common:filter` (builtin.rs) the US SSN, IBAN and user path
// patterns (regexes.rs US_SSN_REGEX, IBAN_REGEX, PATH_REGEX).
describe("PII scrubbing of the keys and shapes Relay's defaults filter", () => {
  const scrub = createScrubber({ enabled: true });

  it('filters mysql_pwd anywhere in a key, and otp and two_factor as whole keys', () => {
    expect(
      scrub({
        extra: {
          MYSQL_PWD: 'hunter2-mysql',
          'mysql-pwd': 'a',
          mysqlPwd: 'b',
          app_mysql_pwd_file: 'c',
          otp: '492817',
          OTP: '1',
          two_factor: '551023',
          'TWO-FACTOR': '883311',
          'two factor': '2',
          twoFactor: '3',
          // Only whole: these hold the letters, not the key.
          hotplug: 'usb',
          footprint: 'small',
          otp_sent: true,
          two_factor_enabled: true,
        },
      }),
    ).toEqual({
      extra: {
        MYSQL_PWD: FILTERED,
        'mysql-pwd': FILTERED,
        mysqlPwd: FILTERED,
        app_mysql_pwd_file: FILTERED,
        otp: FILTERED,
        OTP: FILTERED,
        two_factor: FILTERED,
        'TWO-FACTOR': FILTERED,
        'two factor': FILTERED,
        twoFactor: FILTERED,
        hotplug: 'usb',
        footprint: 'small',
        otp_sent: true,
        two_factor_enabled: true,
      },
    });
  });

  it('reads them as parameter names too, and in pair lists', () => {
    expect(scrubString('otp=777111&step=2')).toBe(`otp=${FILTERED}&step=2`);
    expect(scrubString('/login?two-factor=1234&mysql_pwd=x&hotplug=1')).toBe(
      `/login?two-factor=${FILTERED}&mysql_pwd=${FILTERED}&hotplug=1`,
    );
    expect(
      scrub({
        request: {
          env: [
            ['MYSQL_PWD', 'p'],
            ['PATH', '/bin'],
          ],
        },
      }),
    ).toEqual({
      request: {
        env: [
          ['MYSQL_PWD', FILTERED],
          ['PATH', '/bin'],
        ],
      },
    });
  });

  it('filters US social security numbers, not numbers the SSA never issued nor longer runs', () => {
    expect(scrubString('customer SSN 078-05-1120 on file')).toBe(
      `customer SSN ${FILTERED} on file`,
    );
    expect(scrubString('ssn:219-09-9999.')).toBe(`ssn:${FILTERED}.`);
    for (const kept of [
      '000-12-3456', // area 000
      '666-12-3456', // area 666
      '912-12-3456', // area 9xx
      '123-00-4567', // group 00
      '123-45-0000', // serial 0000
      'ref 1-078-05-1120', // part of a longer run
      'x078-05-1120',
      '078-05-11201',
      '2026-12-07', // a date
      '078 05 1120', // not written with dashes
    ])
      expect(scrubString(kept)).toBe(kept);
  });

  it('filters IBANs, unbroken or in groups of four, whose check digits are right', () => {
    expect(scrubString('iban DE89370400440532013000!')).toBe(`iban ${FILTERED}!`);
    expect(scrubString('pay to DE89 3704 0044 0532 0130 00 by Friday')).toBe(
      `pay to ${FILTERED} by Friday`,
    );
    expect(scrubString('GB82 WEST 1234 5698 7654 32 Bank')).toBe(`${FILTERED} Bank`);
    // A group after it that is a word of four: the IBAN less it.
    expect(scrubString('NO93 8601 1117 947 SEND')).toBe(`${FILTERED} SEND`);
    expect(scrubString('MT84MALT011000012345MTLCAST001S')).toBe(FILTERED);
    for (const kept of [
      'DE89370400440532013001', // a check digit wrong
      'DE88370400440532013000',
      'de89370400440532013000', // not a country's code in capitals
      'ZZ89370400440532013000', // no such country
      'xDE89370400440532013000', // inside a word
      'NO938601111794', // too short
      'SHA256ABCDEF0123456789', // capitals and digits, not an IBAN
    ])
      expect(scrubString(kept)).toBe(kept);
  });

  it("filters the user name in a home directory's path, not an API's route", () => {
    const cases: [string, string][] = [
      ['/Users/alice/projects/app/.env', `/Users/${FILTERED}/projects/app/.env`],
      [
        "ENOENT: no such file or directory, open '/home/bob/app/.env'",
        `ENOENT: no such file or directory, open '/home/${FILTERED}/app/.env'`,
      ],
      ['PATH=$PATH:/home/carol/bin', `PATH=$PATH:/home/${FILTERED}/bin`],
      ['file:///Users/dave/x.js', `file:///Users/${FILTERED}/x.js`],
      ['C:\\Users\\John Smith\\AppData\\x', `C:\\Users\\${FILTERED}\\AppData\\x`],
      ['at C:\\Users\\eve', `at C:\\Users\\${FILTERED}`],
      ['C:\\Documents and Settings\\frank\\x', `C:\\Documents and Settings\\${FILTERED}\\x`],
      ['c:\\users\\gina\\x', `c:\\users\\${FILTERED}\\x`],
      ['C:\\WINNT\\Profiles\\hal\\Temp', `C:\\WINNT\\Profiles\\${FILTERED}\\Temp`],
      ['C:/Users/ivy/x', `C:/Users/${FILTERED}/x`],
      ['cd /home/jo.', `cd /home/${FILTERED}.`],
    ];
    for (const [s, want] of cases) expect([s, scrubString(s)]).toEqual([s, want]);
    for (const kept of [
      'https://api.example.com/v1/users/alice/orders',
      'Upstream https://api.example.com/v1/Users/alice returned 503',
      'GET /Users/Details/5',
      'POST /home/feed',
      '/users/{id}',
      '/Users/:id',
      '/home/42',
      'app/home/index.js',
      '~/Users/x',
    ])
      expect(scrubString(kept)).toBe(kept);
  });

  it("keeps frames' files, modules and source lines, debug images and the transaction as sent, so grouping reads them", () => {
    const path = '/Users/alice/projects/shop/src/cart.js';
    const frame = {
      filename: path,
      abs_path: `file://${path}`,
      module: 'cart',
      package: '/Users/alice/Library/Shop.app/Shop',
      function: 'loadCart',
      in_app: true,
      lineno: 12,
      // Source lines: code, which Relay does not scrub and JavaScript's grouping reads; a
      // secret written there is filtered still.
      context_line: "  const dir = '/Users/alice/projects/shop';",
      pre_context: ["const db = { password: 'dev-pw1' };", "const ssn = '078-05-1120';"],
      vars: { dir: '/home/alice/data' },
    };
    const event = {
      event_id: 'ab'.repeat(16),
      platform: 'node', // whose grouping hashes a frame's context line
      transaction: '/Users/Details',
      exception: {
        values: [{ type: 'Error', value: 'boom', stacktrace: { frames: [frame] } }],
      },
      threads: { values: [{ stacktrace: { frames: [{ ...frame }] } }] },
      debug_meta: { images: [{ code_file: '/Users/alice/Library/Shop.app/Shop' }] },
      extra: { home: '/Users/alice/projects/app/.env' },
    };
    const text = JSON.stringify(event);
    const scrubbed = readEvent(JSON.parse(text), 1, scrub, 1_700_000_000_000, text);
    const unscrubbed = readEvent(
      JSON.parse(text),
      1,
      createScrubber({ enabled: false }),
      1_700_000_000_000,
      text,
    );
    expect(scrubbed.grouping).toEqual(unscrubbed.grouping);
    expect(scrubbed.grouping.components).toContain(
      "cart:loadCart:const dir = '/Users/alice/projects/shop';",
    );
    expect(scrubbed.culprit).toBe(unscrubbed.culprit);
    const stored = JSON.parse(scrubbed.payload);
    const kept = {
      ...frame,
      pre_context: [`const db = { password: '${FILTERED}' };`, "const ssn = '078-05-1120';"],
      vars: { dir: `/home/${FILTERED}/data` },
    };
    expect(stored.exception.values[0].stacktrace.frames[0]).toEqual(kept);
    expect(stored.threads.values[0].stacktrace.frames[0]).toEqual(kept);
    expect(stored.debug_meta).toEqual(event.debug_meta);
    expect(stored.transaction).toBe('/Users/Details');
    expect(stored.extra.home).toBe(`/Users/${FILTERED}/projects/app/.env`);
  });

  it("filters the audit's event (an @sentry/node event with every one of them) as Sentry would", () => {
    const event = {
      message: 'scrub probe',
      extra: {
        MYSQL_PWD: 'hunter2-mysql',
        otp: '492817',
        two_factor: '551023',
        ssn: '078-05-1120',
        note: 'customer SSN 078-05-1120 on file',
        iban: 'DE89370400440532013000',
        home: '/Users/alice/projects/app/.env',
      },
      contexts: { env: { MYSQL_PWD: 'hunter2-ctx', 'TWO-FACTOR': '883311' } },
      request: {
        data: '{"user":"bob","otp":"123456","two-factor":"654321","mysql_pwd":"x1"}',
        query_string: 'otp=777111&step=2',
      },
      breadcrumbs: {
        values: [{ category: 'auth', message: 'verifying otp=990011 for bob', data: { otp: '1' } }],
      },
    };
    expect(scrub(event)).toEqual({
      message: 'scrub probe',
      extra: {
        MYSQL_PWD: FILTERED,
        otp: FILTERED,
        two_factor: FILTERED,
        ssn: FILTERED,
        note: `customer SSN ${FILTERED} on file`,
        iban: FILTERED,
        home: `/Users/${FILTERED}/projects/app/.env`,
      },
      contexts: { env: { MYSQL_PWD: FILTERED, 'TWO-FACTOR': FILTERED } },
      request: {
        data: `{"user":"bob","otp":"${FILTERED}","two-factor":"${FILTERED}","mysql_pwd":"${FILTERED}"}`,
        query_string: `otp=${FILTERED}&step=2`,
      },
      breadcrumbs: {
        values: [
          {
            category: 'auth',
            message: `verifying otp=${FILTERED} for bob`,
            data: { otp: FILTERED },
          },
        ],
      },
    });
  });

  it('filters any IBAN made with its check digits, written either way, in any text around it', () => {
    // An IBAN of a country and a BBAN of digits and capitals, its check digits computed.
    const withCheck = (country: string, bban: string) => {
      const digits = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
      const check = String(98n - (BigInt(digits) % 97n)).padStart(2, '0');
      return `${country}${check}${bban}`;
    };
    fc.assert(
      fc.property(
        fc.constantFrom('DE', 'GB', 'FR', 'NL', 'NO', 'CH', 'IT', 'ES', 'BE'),
        fc.stringMatching(/^[A-Z0-9]{11,26}$/),
        fc.boolean(),
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        (country, bban, grouped, before, after) => {
          const iban = withCheck(country, bban);
          const written = grouped ? iban.replace(/(.{4})(?=.)/g, '$1 ') : iban;
          const s = `${before} ${written}. ${after}`;
          expect(scrubString(s)).not.toContain(written);
        },
      ),
    );
  });
});
