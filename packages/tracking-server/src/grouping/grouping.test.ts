import { createHash } from 'node:crypto';
import { groupEvent, normaliseFilename, normaliseText } from './grouping';

const frames = (file: string, line: number) => [
  {
    filename: '/app/node_modules/express/lib/router.js',
    function: 'handle',
    in_app: false,
    lineno: 1,
  },
  { filename: file, function: 'totalFor', in_app: true, lineno: line },
  { filename: '/srv/app/src/cart.ts', function: 'checkout', in_app: true, lineno: line + 10 },
];

describe('grouping', () => {
  // Issues are found again by this hash in databases already written: it must not drift. The
  // expected value is worked out here from the documented rule (the rule's name, the exception
  // types, then each in-app frame as normalised file:function, joined by NUL; SHA-1, 32 hex).
  it('keeps the hash stored databases hold', () => {
    const g = groupEvent({
      exception: {
        values: [
          {
            type: 'TypeError',
            value: 'boom',
            stacktrace: { frames: frames('/srv/app/src/pricing.ts', 3) },
          },
        ],
      },
    });
    const expected = createHash('sha1')
      .update(['frames', 'TypeError', 'src/pricing.ts:totalFor', 'src/cart.ts:checkout'].join('\0'))
      .digest('hex')
      .slice(0, 32);
    expect(g.hash).toBe(expected);
  });

  // The documented rule with Sentry's lines of code (newstyle.py get_contextline_component) and
  // a cause's value where its stack has no in-app frame (single_exception): worked out by hand.
  it('hashes a frame’s line of code and a frameless cause’s type and value', () => {
    const g = groupEvent({
      platform: 'node',
      exception: {
        values: [
          {
            type: 'Error',
            value: 'connect ECONNREFUSED 10.0.0.7:5432',
            stacktrace: {
              frames: [{ module: 'node:net', function: 'afterConnect', in_app: false }],
            },
          },
          {
            type: 'TypeError',
            value: 'fetch failed',
            stacktrace: {
              frames: [
                {
                  filename: '/srv/app/src/profile.js',
                  function: 'Object.loadProfile',
                  in_app: true,
                  context_line: '    try { return   await fetch(url); }',
                },
              ],
            },
          },
        ],
      },
    });
    const parts = [
      'Error: connect ECONNREFUSED <ip>',
      'TypeError',
      'src/profile.js:loadProfile:try { return await fetch(url); }',
    ];
    expect(g.components).toEqual(parts);
    const expected = createHash('sha1')
      .update(['frames', ...parts].join('\0'))
      .digest('hex')
      .slice(0, 32);
    expect(g.hash).toBe(expected);
  });

  it('groups by in-app frames, across line numbers and deploy paths', () => {
    const a = groupEvent({
      exception: {
        values: [
          {
            type: 'TypeError',
            value: 'x of 1',
            stacktrace: { frames: frames('/srv/app/src/order.ts', 10) },
          },
        ],
      },
    });
    const b = groupEvent({
      exception: {
        values: [
          {
            type: 'TypeError',
            value: 'y of 2',
            stacktrace: { frames: frames('/home/ci/build/src/order.ts', 99) },
          },
        ],
      },
    });
    expect(a.groupedBy).toBe('in-app frames');
    expect(a.hash).toBe(b.hash);
    expect(a.components).toEqual(['TypeError', 'src/order.ts:totalFor', 'src/cart.ts:checkout']);
  });

  it('falls back to type and value with ids, numbers, hex and IPs stripped', () => {
    const a = groupEvent({
      exception: {
        values: [{ type: 'Error', value: 'user 42 at 10.0.0.1 object 0xdeadbeef id 9f8e7d6c5b4a' }],
      },
    });
    const b = groupEvent({
      exception: {
        values: [{ type: 'Error', value: 'user 7 at 192.168.1.20 object 0xcafe id 1a2b3c4d5e6f' }],
      },
    });
    expect(a.groupedBy).toBe('exception type and value');
    expect(a.hash).toBe(b.hash);
    expect(a.components).toEqual(['Error: user <num> at <ip> object <hex> id <hex>']);
  });

  it('uses the message template, then a custom fingerprint with {{ default }}', () => {
    const m1 = groupEvent({
      logentry: { message: 'order %s failed', formatted: 'order 1 failed' },
    });
    const m2 = groupEvent({
      logentry: { message: 'order %s failed', formatted: 'order 2 failed' },
    });
    expect(m1.groupedBy).toBe('message');
    expect(m1.hash).toBe(m2.hash);
    const custom = groupEvent({ fingerprint: ['{{ default }}', 'tenant-a'], message: 'boom 1' });
    expect(custom.groupedBy).toBe('fingerprint');
    expect(custom.components).toEqual(['boom <num>', 'tenant-a']);
    expect(groupEvent({ fingerprint: ['x'], message: 'a' }).hash).toBe(
      groupEvent({ fingerprint: ['x'], message: 'b' }).hash,
    );
    expect(groupEvent({ fingerprint: ['{{ default }}'], message: 'a' }).groupedBy).toBe('message');
  });

  it('reads a message sent as the Message interface, as sentry-java and sentry-cocoa send it', () => {
    const empty = groupEvent({ message: { formatted: 'Cart is empty' } });
    const declined = groupEvent({ message: { formatted: 'Payment declined by bank' } });
    expect([empty.groupedBy, empty.components]).toEqual(['message', ['Cart is empty']]);
    expect(declined.components).toEqual(['Payment declined by bank']);
    // Its template where it has one: one issue whatever the params.
    const user = (id: string) =>
      groupEvent({
        message: { message: 'User %s not found', params: [id], formatted: `User ${id} not found` },
      });
    expect(user('ann').hash).toBe(user('bob').hash);
    expect(user('ann').components).toEqual(['User %s not found']);
  });

  it('normalises text and file names', () => {
    expect(normaliseText('id 550e8400-e29b-41d4-a716-446655440000 for a@b.io')).toBe(
      'id <uuid> for <email>',
    );
    expect(normaliseFilename('https://cdn.example.com/assets/app.3f2a9c1d7e.js?v=1')).toBe(
      'assets/app.js',
    );
    expect(normaliseFilename('/app/node_modules/pg/lib/client.js')).toBe('pg/lib/client.js');
  });
});

describe('frames with no in_app flag', () => {
  // Sentry's app variant (grouping/strategies/newstyle.py) counts a frame only `if frame.in_app`:
  // one that does not say is no in-app frame, so such a stack groups by type and value.
  it('are not in-app frames: the event groups by its exception type and value', () => {
    const event = (file: string) => ({
      exception: {
        values: [
          {
            type: 'TimeoutError',
            value: 'query took 5000ms',
            stacktrace: { frames: [{ filename: file, function: 'run' }] },
          },
        ],
      },
    });
    const a = groupEvent(event('/srv/app/src/jobs/a.ts'));
    const b = groupEvent(event('/srv/app/src/jobs/b.ts'));
    expect(a.groupedBy).toBe('exception type and value');
    expect(a.components).toEqual(['TimeoutError: query took <num>ms']);
    expect(b.hash).toBe(a.hash);
  });
});

describe('the {{ level }} fingerprint variable', () => {
  // Relay reads a level as relay-event-schema's Level does (a Python number 10–50, `critical` as
  // fatal; a name it does not know is no level, and Sentry's default is `error`), so the
  // variable is the level Sentry stored, not the text the SDK sent.
  it.each([
    [30, 'warning'],
    ['critical', 'fatal'],
    ['verbose', 'error'],
  ])('reads level %j as %s', (level, expected) => {
    const g = groupEvent({ fingerprint: ['{{ level }}', 'billing'], level, message: 'x' });
    expect(g.components).toEqual([expected, 'billing']);
  });
});

describe('functions Sentry leaves out of a frame (grouping/strategies/newstyle.py)', () => {
  const hashOf = (platform: string, fn: string) =>
    groupEvent({
      platform,
      exception: {
        values: [
          {
            type: 'RuntimeException',
            value: 'charge failed',
            stacktrace: {
              frames: [
                { filename: '/srv/app/src/Billing.php', function: 'charge', in_app: true },
                { filename: '/srv/app/src/Billing.php', function: fn, in_app: true },
              ],
            },
          },
        ],
      },
    }).hash;

  // PHP names an anonymous class per compile (`…php:3$0`, `$1`); a closure is `[Anonymous…`.
  it('PHP: an anonymous class or function does not count by its name', () => {
    expect(hashOf('php', 'class@anonymous\u0000/srv/app/src/Billing.php:3$1')).toBe(
      hashOf('php', 'class@anonymous\u0000/srv/app/src/Billing.php:3$0'),
    );
    expect(hashOf('php', '[Anonymous function]')).toBe(
      hashOf('php', 'class@anonymous\u0000/srv/app/src/Billing.php:3$0'),
    );
  });

  it('native: <redacted> and <unknown> are no function', () => {
    expect(hashOf('native', '<redacted>')).toBe(hashOf('native', '<unknown>'));
  });
});
