import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { classifySeverity, classifyType, RULES, type ErrorType } from './classify';
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

describe('classification', () => {
  it('assigns types from exception and message', () => {
    expect(classifyType([{ type: 'QueryFailedError', value: 'deadlock detected' }], '')).toBe(
      'database',
    );
    expect(classifyType([{ type: 'Error', value: 'connect ECONNREFUSED 10.0.0.5:443' }], '')).toBe(
      'external_api',
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
    expect(classifyType([], 'anything', 'database')).toBe('database');
  });

  it('gives the type of the first rule in its order that matches, wherever its words appear', () => {
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

  it('reads the module or file of the last three library frames, not the app’s own', () => {
    const frames = (modules: string[], inApp = false) =>
      modules.map((module) => ({ module, function: 'f', in_app: inApp }));
    const error = (modules: string[], inApp?: boolean) => [
      { type: 'Error', value: 'failed', stacktrace: { frames: frames(modules, inApp) } },
    ];
    expect(classifyType(error(['pg', 'a', 'b', 'c']), '')).toBe('application');
    expect(classifyType(error(['a', 'pg', 'b', 'c']), '')).toBe('database');
    expect(classifyType(error(['pg'], true), '')).toBe('application');
    expect(
      classifyType(
        [
          {
            type: 'Error',
            stacktrace: { frames: [{ filename: 'node_modules/redis/index.js', in_app: false }] },
          },
        ],
        '',
      ),
    ).toBe('database');
  });

  it('types any error as the rules taken one by one, in order, over its text would', () => {
    // The reference: the text as the rules are documented to read it (a line per part) and each
    // rule tried in turn; classifyType first asks whether any matches at all.
    const reference = (
      exceptions: {
        type?: string;
        value?: string;
        module?: string;
        frames: { module?: string; in_app?: boolean }[];
      }[],
      message: string,
    ): ErrorType => {
      const parts = exceptions.flatMap((e) => [e.type ?? '', e.value ?? '', e.module ?? '']);
      const library = exceptions.flatMap((e) =>
        e.frames.filter((f) => f.in_app === false).map((f) => f.module ?? ''),
      );
      const text = [...parts, ...library.slice(-3), message].join('\n');
      return RULES.find(([, re]) => re.test(text))?.[0] ?? 'application';
    };
    const words = fc.constantFrom(
      'JWT',
      'forbidden',
      'Sequelize',
      'db',
      'deadlock',
      'relation "x" does not exist',
      'ETIMEDOUT',
      'status code 503',
      'timeout of 30ms',
      'ZodError',
      'must be',
      'Invalid input',
      'TypeError',
      'cart',
      'undefined',
      '\n',
      ' ',
      'postgresql',
      'secure',
    );
    const phrase = fc.array(words, { maxLength: 5 }).map((w) => w.join(' '));
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
