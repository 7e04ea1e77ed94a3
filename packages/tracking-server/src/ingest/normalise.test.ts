import { createScrubber } from '../scrub/scrub';
import { readEvent } from './event';
import { formatTemplate, levelOf, normaliseEvent } from './normalise';

const scrub = createScrubber({ enabled: true });
const read = (event: object) => {
  const text = JSON.stringify(event);
  return readEvent(JSON.parse(text), 1, scrub, 1_700_000_000_000, text);
};
const frames = [
  { filename: 'app/billing.py', function: 'charge', in_app: true },
  { filename: 'site-packages/requests/api.py', function: 'post', in_app: false },
];

describe('events in the shapes older SDKs send, as Relay normalises them', () => {
  it('reads a bare exception object as one exception: title, grouping and severity', () => {
    const e = read({
      exception: {
        type: 'KeyError',
        value: "missing key 'foo'",
        mechanism: { handled: false },
        stacktrace: { frames },
      },
    });
    expect(e.title).toBe("KeyError: missing key 'foo'");
    expect(e.grouping.groupedBy).toBe('in-app frames');
    expect(e.grouping.components).toEqual(['KeyError', 'app/billing.py:charge']);
    expect(e.severity).toBe('critical'); // unhandled
    expect(JSON.parse(e.payload).exception.values[0].type).toBe('KeyError');
  });

  it('keeps two unrelated bare exceptions apart', () => {
    const a = read({ exception: { type: 'KeyError', value: 'a' } });
    const b = read({ exception: { type: 'ZeroDivisionError', value: 'division by zero' } });
    expect(a.grouping.hash).not.toBe(b.grouping.hash);
  });

  it('reads the legacy sentry.interfaces.* keys under their names', () => {
    const e = read({
      'sentry.interfaces.Exception': { values: [{ type: 'IOError', value: 'disk full' }] },
      'sentry.interfaces.User': { id: 'u-7' },
    });
    expect([e.title, e.user]).toEqual(['IOError: disk full', 'id:u-7']);
    const stored = JSON.parse(e.payload);
    expect(stored['sentry.interfaces.Exception']).toBeUndefined();
    expect(stored.user).toEqual({ id: 'u-7' });
  });

  it.each([
    ['critical', 'fatal', 'critical'],
    [50, 'fatal', 'critical'],
    ['40', 'error', 'error'],
    [30, 'warning', 'warning'],
    ['WARN', 'warning', 'warning'],
    [20, 'info', 'info'],
    [10, 'debug', 'info'],
  ])('reads level %j as %s, severity %s', (level, stored, severity) => {
    const e = read({ message: 'm', level });
    expect([e.level, e.severity]).toEqual([stored, severity]);
  });

  it('formats a log template with its params for the title, and groups by the template', () => {
    const a = read({
      logentry: { message: 'User %s failed login (%d tries)', params: ['ann', 3] },
    });
    const b = read({
      logentry: { message: 'User %s failed login (%d tries)', params: ['bob', 9] },
    });
    expect(a.title).toBe('User ann failed login (3 tries)');
    expect(a.grouping.hash).toBe(b.grouping.hash);
    expect(JSON.parse(a.payload).logentry.formatted).toBe('User ann failed login (3 tries)');
  });

  it('groups a message with a stack, or a crashed thread, by its in-app frames', () => {
    const withStack = read({ message: 'slow charge', stacktrace: { frames } });
    expect(withStack.grouping.groupedBy).toBe('in-app frames');
    expect(withStack.grouping.components).toEqual(['app/billing.py:charge']);
    expect(withStack.culprit).toBe('app/billing.py in charge');
    const thread = read({
      message: 'segfault',
      threads: {
        values: [
          { id: 1, current: true, stacktrace: { frames: [{ function: 'idle', in_app: true }] } },
          { id: 2, crashed: true, stacktrace: { frames } },
        ],
      },
    });
    expect(thread.grouping.components).toEqual(['app/billing.py:charge']);
  });

  it('leaves an event that needs none of it as it is, the same object', () => {
    const event = {
      exception: { values: [{ type: 'E' }] },
      level: 'error',
      logentry: { formatted: 'x' },
    };
    expect(normaliseEvent(event)).toBe(event);
  });
});

describe('formatTemplate and levelOf', () => {
  it.each([
    ['%s and %s', ['a', 'b'], 'a and b'],
    ['%s and %s', ['a'], 'a and %s'],
    ['100%% of %(who)s', { who: 'us' }, '100% of us'],
    ['%r %i %f', [{ a: 1 }, 2, 1.5], '{"a":1} 2 1.5'],
    ['%(nope)s', {}, '%(nope)s'],
  ])('formats %j with %j as %j', (template, params, expected) => {
    expect(formatTemplate(template, params)).toBe(expected);
  });

  it('knows no level Sentry does not', () => {
    expect([levelOf('bogus'), levelOf(60), levelOf(null)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("the user's address, where the SDK asks the receiver for it", () => {
  const readFrom = (event: object, ip?: string) => {
    const text = JSON.stringify(event);
    return readEvent(JSON.parse(text), 1, scrub, 1_700_000_000_000, text, ip);
  };

  it('puts the sender’s address in place of {{auto}}, so anonymous users count apart', () => {
    const a = readFrom({ message: 'm', user: { ip_address: '{{auto}}' } }, '203.0.113.7');
    const b = readFrom({ message: 'm', user: { ip_address: '{{auto}}' } }, '203.0.113.8');
    expect([a.user, b.user]).toEqual(['ip:203.0.113.7', 'ip:203.0.113.8']);
    expect(JSON.parse(a.payload).user).toEqual({ ip_address: '203.0.113.7' });
  });

  it('fills it in for infer_ip "auto" when the event has none, and never over one it has', () => {
    const sdk = { name: 'sentry.javascript.browser', settings: { infer_ip: 'auto' } };
    expect(readFrom({ message: 'm', sdk }, '198.51.100.1').user).toBe('ip:198.51.100.1');
    expect(
      readFrom({ message: 'm', sdk, user: { ip_address: '10.0.0.1' } }, '198.51.100.1').user,
    ).toBe('ip:10.0.0.1');
    expect(
      readFrom({ message: 'm', sdk: { settings: { infer_ip: 'never' } } }, '198.51.100.1').user,
    ).toBeUndefined();
  });

  it('drops {{auto}} rather than store it when the address is not known', () => {
    const e = readFrom({ message: 'm', user: { id: 'u1', ip_address: '{{auto}}' } });
    expect(e.user).toBe('id:u1');
    expect(JSON.parse(e.payload).user).toEqual({ id: 'u1' });
  });
});

// Sentry's "Prevent Storing of IP Addresses" (Relay's scrub_ip_addresses removes what infer_ip
// filled in): until 2026-12-07 every `{{auto}}` and infer_ip event stored the sender's address.
describe('the user’s address, for a project that keeps IP addresses out (scrub.ipAddresses)', () => {
  const readKeepingOut = (event: object, ip?: string, enabled = true) => {
    const text = JSON.stringify(event);
    const scrubber = createScrubber({ enabled, ipAddresses: true });
    return readEvent(JSON.parse(text), 1, scrubber, 1_700_000_000_000, text, ip);
  };
  const sdk = { name: 'sentry.javascript.browser', settings: { infer_ip: 'auto' } };

  it('fills in none for {{auto}} or infer_ip, and removes one the SDK sent', () => {
    for (const enabled of [true, false]) {
      const auto = readKeepingOut(
        { message: 'm', user: { ip_address: '{{auto}}' } },
        '203.0.113.7',
        enabled,
      );
      expect(auto.user).toBeUndefined();
      expect(JSON.parse(auto.payload).user).toEqual({});
      const inferred = readKeepingOut({ message: 'm', sdk }, '198.51.100.1', enabled);
      expect(inferred.user).toBeUndefined();
      expect(inferred.payload).not.toContain('198.51.100.1');
      const sent = readKeepingOut(
        { message: 'm', user: { ip_address: '10.0.0.1' } },
        '198.51.100.1',
        enabled,
      );
      expect(sent.user).toBeUndefined();
      expect(sent.payload).not.toContain('10.0.0.1');
    }
  });

  it('counts the user by who else they are: id, username or email', () => {
    const e = readKeepingOut(
      { message: 'm', sdk, user: { id: 'u-42', ip_address: '{{auto}}' } },
      '203.0.113.7',
    );
    expect(e.user).toBe('id:u-42');
    expect(JSON.parse(e.payload).user).toEqual({ id: 'u-42' });
    const byEmail = readKeepingOut(
      { message: 'm', user: { email: 'a@example.com', ip_address: '10.0.0.1' } },
      '203.0.113.7',
    );
    expect(byEmail.user).toBe('email:a@example.com');
  });

  it('stores none of the addresses an event holds: request env, the SDK’s, in text', () => {
    const e = readKeepingOut(
      {
        message: 'upstream 10.1.2.3 refused',
        request: { url: 'https://x.example/', env: { REMOTE_ADDR: '203.0.113.9' } },
        sdk: { ...sdk, client_ip: '203.0.113.9' },
      },
      '203.0.113.9',
    );
    expect(e.payload).not.toMatch(/203\.0\.113|10\.1\.2\.3/);
    expect(e.title).toBe('upstream [ip] refused');
    const stored = JSON.parse(e.payload);
    expect(stored.request).toEqual({ url: 'https://x.example/', env: {} });
    expect(stored.sdk).toEqual(sdk);
  });

  it('leaves another project’s events as they were: the address is filled in', () => {
    expect(normaliseEvent({ user: { ip_address: '{{auto}}' } }, '203.0.113.7')).toEqual({
      user: { ip_address: '203.0.113.7' },
    });
  });
});

describe('a log template sent with its own formatted text', () => {
  // relay-event-normalization logentry.rs (normalize_logentry) formats the params only
  // `if logentry.formatted.value().is_none()`: what the SDK formatted stays.
  it('keeps the SDK’s formatted text for the title and the stored event', () => {
    const e = read({
      logentry: {
        message: 'User {} failed login',
        params: ['ann'],
        formatted: 'User ann failed login',
      },
    });
    expect(e.title).toBe('User ann failed login');
    expect(JSON.parse(e.payload).logentry.formatted).toBe('User ann failed login');
  });
});
