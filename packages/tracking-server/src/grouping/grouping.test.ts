import { classifySeverity, classifyType } from './classify';
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

  it('assigns severity from level, raised for security and unhandled errors', () => {
    expect(classifySeverity('fatal', 'application', false)).toBe('critical');
    expect(classifySeverity('error', 'application', false)).toBe('error');
    expect(classifySeverity('error', 'security', false)).toBe('critical');
    expect(classifySeverity('error', 'application', true)).toBe('critical');
    expect(classifySeverity('warning', 'database', false)).toBe('warning');
    expect(classifySeverity('info', 'application', false)).toBe('info');
  });
});
