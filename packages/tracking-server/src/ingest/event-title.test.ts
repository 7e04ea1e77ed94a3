// An issue's title, culprit and user as Sentry gives them (eventtypes/error.py compute_title and
// _find_main_exception, culprit.py generate_culprit, EventUser's order of fields); expected values
// written out by hand.
import { readEvent } from './event';

const read = (event: Record<string, unknown>) => readEvent(event, 1, (v) => v, 1_700_000_000_000);
const error = (type: string, value?: string, extra: object = {}) => ({
  exception: { values: [{ type, ...(value === undefined ? {} : { value }), ...extra }] },
});

describe('issue title', () => {
  it('is the type and the first line of the value', () => {
    const value =
      'duplicate key value violates unique constraint "users_email_key"\nDETAIL:  Key (email)=(a@b.c) already exists.\n';
    expect(read(error('UniqueViolation', value)).title).toBe(
      'UniqueViolation: duplicate key value violates unique constraint "users_email_key"',
    );
    expect(read(error('KeyError')).title).toBe('KeyError');
  });

  it('cuts the value’s line at 100 characters, the last three `...`', () => {
    expect(read(error('E', 'x'.repeat(100))).title).toBe(`E: ${'x'.repeat(100)}`);
    expect(read(error('E', 'x'.repeat(150))).title).toBe(`E: ${'x'.repeat(97)}...`);
  });

  it('is a message’s first line, cut the same way', () => {
    expect(read({ message: 'Payment failed\nfor order 7' }).title).toBe('Payment failed');
    expect(read({ message: 'y'.repeat(120) }).title).toBe(`${'y'.repeat(97)}...`);
  });
});

describe('an exception group', () => {
  const group = (children: number) => ({
    platform: 'python',
    exception: {
      values: [
        ...Array.from({ length: children }, (_, i) => ({
          type: 'ValueError',
          value: `bad item ${i}`,
          stacktrace: { frames: [{ module: 'app.items', function: 'check', in_app: true }] },
          mechanism: { type: 'chained', exception_id: i + 1, parent_id: 0 },
        })),
        {
          type: 'ExceptionGroup',
          value: `unhandled errors in a TaskGroup (${children} sub-exceptions)`,
          stacktrace: { frames: [{ module: 'app.main', function: 'run', in_app: true }] },
          mechanism: { type: 'excepthook', exception_id: 0, is_exception_group: true },
        },
      ],
    },
  });

  it('is titled and located by its child, not by the wrapper', () => {
    // Sentry's tree lists a group's children last first: the first is the last sent.
    const e = read(group(2));
    expect(e.title).toBe('ValueError: bad item 1');
    expect(e.culprit).toBe('app.items in check');
  });
});

describe('issue culprit', () => {
  it('is where the last exception with frames was raised, when the outermost has none', () => {
    const e = read({
      exception: {
        values: [
          {
            type: 'KeyError',
            value: "'id'",
            stacktrace: { frames: [{ module: 'app.views', function: 'get', in_app: true }] },
          },
          { type: 'HTTPError', value: '500' },
        ],
      },
    });
    expect(e.culprit).toBe('app.views in get');
  });

  it('names a browser frame by the module Sentry makes from its URL, as its preprocessing does', () => {
    // culprit.py get_frame_culprit: `function(module or filename)`, after
    // lang/javascript/preprocessing.py generate_modules set the module from the bundle's URL.
    const frame = (absPath: string) => ({
      abs_path: absPath,
      filename: new URL(absPath).pathname,
      function: 'totalFor',
      in_app: true,
    });
    const browser = (absPath: string) =>
      read({
        platform: 'javascript',
        exception: {
          values: [{ type: 'TypeError', value: 'x', stacktrace: { frames: [frame(absPath)] } }],
        },
      }).culprit;
    expect(browser('https://shop.example/static/js/main.3f2a1b9c.js')).toBe('totalFor(main)');
    expect(browser('https://cdn.example/js/v1.2.0/cart.min.js?v=7')).toBe('totalFor(cart)');
    // A file named by its md5 alone gives an empty module: the file name stands in.
    expect(browser(`https://shop.example/${'a'.repeat(32)}.js`)).toBe(
      `totalFor(/${'a'.repeat(32)}.js)`,
    );
  });

  it('falls back to the request’s URL, and is cut at 200 characters', () => {
    expect(
      read({ ...error('E', 'v'), request: { url: 'https://shop.example/cart' } }).culprit,
    ).toBe('https://shop.example/cart');
    const long = `https://shop.example/${'a'.repeat(300)}`;
    expect(read({ ...error('E', 'v'), request: { url: long } }).culprit).toBe(
      `https://shop.example/${'a'.repeat(176)}...`,
    );
  });

  it('is none for a synthetic exception, a stack an SDK attached to a message', () => {
    const e = read({
      message: 'Something odd',
      exception: {
        values: [
          {
            value: 'Something odd',
            mechanism: { type: 'generic', synthetic: true },
            stacktrace: { frames: [{ module: 'app.jobs', function: 'run', in_app: true }] },
          },
        ],
      },
    });
    expect(e.culprit).toBe('');
  });

  it('is written as JavaScript writes it for JavaScript frames', () => {
    const e = read({
      platform: 'javascript',
      ...error('TypeError', 'x', {
        stacktrace: {
          frames: [{ filename: 'app:///main.js', function: 'handleClick', in_app: true }],
        },
      }),
    });
    expect(e.culprit).toBe('handleClick(app:///main.js)');
  });
});

describe('issue user', () => {
  it('is the first of id, username, email, IP address that has a value, after its field', () => {
    expect(read({ message: 'm', user: { id: '', email: 'a@b.c' } }).user).toBe('email:a@b.c');
    expect(read({ message: 'm', user: { username: 'bob', email: 'b@x.io' } }).user).toBe(
      'username:bob',
    );
    expect(read({ message: 'm', user: { id: 42, email: 'b@x.io' } }).user).toBe('id:42');
    expect(read({ message: 'm', user: { id: '' } }).user).toBeUndefined();
  });
});
