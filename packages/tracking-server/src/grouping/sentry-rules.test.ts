// Sentry's grouping rules that Beacon follows, each checked by events that must or must not share
// an issue and by the parts hashed, written out by hand from Sentry's code (cited per block).
import { groupEvent, type SentryEventLike } from './grouping';

type Frame = Record<string, unknown>;
const inApp = (module: string, fn: string, extra: Frame = {}): Frame => ({
  module,
  function: fn,
  in_app: true,
  ...extra,
});
const crash = (platform: string, frames: Frame[], type = 'Error', value = 'boom') => ({
  platform,
  exception: { values: [{ type, value, stacktrace: { frames } }] },
});
const sameIssue = (a: SentryEventLike, b: SentryEventLike) =>
  expect(groupEvent(a).hash).toBe(groupEvent(b).hash);
const otherIssue = (a: SentryEventLike, b: SentryEventLike) =>
  expect(groupEvent(a).hash).not.toBe(groupEvent(b).hash);

// fingerprinting/utils.py resolve_fingerprint_variable
describe('fingerprint variables', () => {
  const timeout = (transaction: string | undefined, extra: object = {}) => ({
    ...(transaction === undefined ? {} : { transaction }),
    fingerprint: ['{{ transaction }}', 'timeout'],
    exception: { values: [{ type: 'TimeoutError', value: 'timed out' }] },
    ...extra,
  });

  it('resolves {{ transaction }}: each transaction’s timeouts are an issue of their own', () => {
    const orders = groupEvent(timeout('GET /api/orders'));
    expect(orders.components).toEqual(['GET /api/orders', 'timeout']);
    otherIssue(timeout('GET /api/orders'), timeout('POST /api/payments'));
    sameIssue(timeout('GET /api/orders'), timeout('GET /api/orders'));
    expect(groupEvent(timeout(undefined)).components).toEqual(['<no-transaction>', 'timeout']);
  });

  it('resolves the exception’s, the log’s and the tags’ variables, and names what is missing', () => {
    const event = {
      level: 'warning',
      logger: 'billing',
      tags: [
        ['tenant', 'acme'],
        ['tenant', 'other'],
      ],
      exception: {
        values: [
          { type: 'KeyError', value: 'first' },
          {
            type: 'DbError',
            value: 'row 42 locked',
            stacktrace: {
              frames: [
                { function: 'main', module: 'app.main', in_app: true },
                {
                  function: 'charge',
                  module: 'app.billing',
                  abs_path: '/srv/app/billing.py',
                  package: '/srv/venv/lib/billing.egg',
                  in_app: true,
                },
                { function: 'execute', module: 'psycopg2', in_app: false },
              ],
            },
          },
        ],
      },
    };
    const parts = [
      '{{ type }}',
      '{{error.type}}',
      '{{ value }}',
      '{{ error.value }}',
      '{{ message }}',
      '{{ function }}',
      '{{ module }}',
      '{{ path }}',
      '{{ package }}',
      '{{ level }}',
      '{{ logger }}',
      '{{ tags.tenant }}',
      '{{ tags.region }}',
      '{{ release }}',
      '{{ not a variable }}',
    ];
    expect(groupEvent({ ...event, fingerprint: parts }).components).toEqual([
      'DbError',
      'DbError',
      'row 42 locked',
      'row 42 locked',
      'row <num> locked',
      'charge',
      'app.billing',
      '/srv/app/billing.py',
      'billing.egg',
      'warning',
      'billing',
      'acme',
      '<no-value-for-tag-region>',
      '<unrecognized-variable-release>',
      '{{ not a variable }}',
    ]);
    expect(
      groupEvent({
        message: 'm',
        tags: { tenant: 'acme' },
        fingerprint: [
          '{{ type }}',
          '{{ value }}',
          '{{ function }}',
          '{{ level }}',
          '{{ logger }}',
          '{{ tags.tenant }}',
        ],
      }).components,
    ).toEqual(['<no-type>', '<no-value>', '<no-function>', 'error', '<no-logger>', 'acme']);
  });
});

// relay-event-schema protocol/fingerprint.rs (LenientString)
describe('fingerprint parts that are not text', () => {
  it('drops nulls, objects and lists: nothing left is the default grouping', () => {
    const a = groupEvent({
      fingerprint: [null],
      exception: { values: [{ type: 'A', value: 'x' }] },
    });
    const b = groupEvent({
      fingerprint: [null],
      exception: { values: [{ type: 'B', value: 'y' }] },
    });
    expect(a.groupedBy).toBe('exception type and value');
    expect(a.components).toEqual(['A: x']);
    expect(a.hash).not.toBe(b.hash);
    expect(groupEvent({ fingerprint: [{ a: 1 }, [2], 1e100], message: 'm' }).groupedBy).toBe(
      'message',
    );
  });

  it('writes booleans as Python does and numbers as their integer part', () => {
    expect(
      groupEvent({ fingerprint: ['a', null, true, false, -22, 3.5, 3.0], message: 'm' }).components,
    ).toEqual(['a', 'True', 'False', '-22', '3', '3']);
  });
});

// newstyle.py get_module_component / get_function_component / get_filename_component
describe('generated names (Java, Clojure, Ruby)', () => {
  const java = (frames: Frame[]) => crash('java', frames, 'IllegalStateException');

  it('leaves out Java lambda classes and lambda methods', () => {
    const lambda = (cls: string) =>
      java([
        inApp('com.example.Service', 'process'),
        inApp(`com.example.Service$$Lambda$${cls}`, 'apply'),
        inApp('com.example.Service', 'lambda$process$0'),
      ]);
    sameIssue(lambda('1234/0x0000000800c02a00'), lambda('1301/0x0000000800d0b440'));
    expect(groupEvent(lambda('1234/0x0000000800c02a00')).components).toEqual([
      'IllegalStateException',
      'com.example.Service:process',
      ':apply',
      'com.example.Service:',
    ]);
  });

  it('replaces the per-process part of proxy and accessor classes', () => {
    const pairs: [string, string, string][] = [
      [
        'com.example.UserService$$EnhancerBySpringCGLIB$$a1b2c3d4',
        'com.example.UserService$$EnhancerBySpringCGLIB$$9f8e7d6c',
        'com.example.UserService$$EnhancerBySpringCGLIB$$<auto>',
      ],
      [
        'com.example.UserService$$FastClassBySpringCGLIB$$a1b2c3d4',
        'com.example.UserService$$FastClassBySpringCGLIB$$0f0f0f0f',
        'com.example.UserService$$FastClassBySpringCGLIB$$<auto>',
      ],
      [
        'com.example.Outbound$$EnhancerByGuice$$ae46b1bf$$FastClassByGuice$$caceacd2',
        'com.example.Outbound$$EnhancerByGuice$$12345678$$FastClassByGuice$$87654321',
        'com.example.Outbound$$EnhancerByGuice$$<auto>$$FastClassByGuice$$<auto>',
      ],
      [
        'com.example.model.User$HibernateProxy$oRWxjAWT',
        'com.example.model.User$HibernateProxy$Zx81LmQe',
        'com.example.model.User$HibernateProxy$<auto>',
      ],
      [
        'com.example.api.EntriesResource_$$_javassist_seam_74',
        'com.example.api.EntriesResource_$$_javassist_12',
        'com.example.api.EntriesResource_$$_javassist<auto>',
      ],
      [
        'sun.reflect.GeneratedMethodAccessor123',
        'sun.reflect.GeneratedMethodAccessor9',
        'sun.reflect.GeneratedMethodAccessor',
      ],
      [
        'jdk.internal.reflect.GeneratedMethodAccessor77',
        'jdk.internal.reflect.GeneratedMethodAccessor78',
        'jdk.internal.reflect.GeneratedMethodAccessor',
      ],
      [
        'sun.reflect.GeneratedConstructorAccessor456',
        'sun.reflect.GeneratedConstructorAccessor457',
        'sun.reflect.GeneratedConstructorAccessor<auto>',
      ],
      ['myapp.core$fn__1234', 'myapp.core$fn__5678', 'myapp.core$fn__<auto>'],
    ];
    for (const [a, b, hashed] of pairs) {
      sameIssue(java([inApp(a, 'invoke')]), java([inApp(b, 'invoke')]));
      expect(groupEvent(java([inApp(a, 'invoke')])).components).toEqual([
        'IllegalStateException',
        `${hashed}:invoke`,
      ]);
    }
  });

  it('strips Ruby ERB template numbers and block nesting', () => {
    const erb = (fn: string) =>
      crash('ruby', [{ filename: 'app/views/posts/index.html.erb', function: fn, in_app: true }]);
    sameIssue(
      erb('_app_views_posts_index_html_erb__1203829102489211_70272046355600'),
      erb('_app_views_posts_index_html_erb__3374631940215620093_47006345690520'),
    );
    expect(
      groupEvent(erb('_app_views_posts_index_html_erb__1203829102489211_70272046355600'))
        .components,
    ).toEqual(['Error', 'app/views/posts/index.html.erb:_app_views_posts_index_html_erb']);
    sameIssue(erb('block (2 levels) in index'), erb('block (3 levels) in index'));
  });

  it('cleans names only for their platform, the frame’s before the event’s', () => {
    const module = 'com.example.UserService$$EnhancerBySpringCGLIB$$a1b2c3d4';
    const other = 'com.example.UserService$$EnhancerBySpringCGLIB$$9f8e7d6c';
    otherIssue(crash('python', [inApp(module, 'f')]), crash('python', [inApp(other, 'f')]));
    sameIssue(
      crash('python', [inApp(module, 'f', { platform: 'java' })]),
      crash('python', [inApp(other, 'f', { platform: 'java' })]),
    );
  });
});

// newstyle.py _is_recursive_frame
describe('recursion', () => {
  const walk = (depth: number, lineno = (_at: number) => 10) =>
    crash('python', [
      inApp('app.main', 'run', { lineno: 3 }),
      ...Array.from({ length: depth }, (_, i) => inApp('app.tree', 'walk', { lineno: lineno(i) })),
    ]);

  it('counts a frame repeated right after itself once, whatever the depth', () => {
    sameIssue(walk(3), walk(5));
    expect(groupEvent(walk(5)).components).toEqual(['Error', 'app.main:run', 'app.tree:walk']);
  });

  it('counts frames that differ in their line each', () => {
    expect(groupEvent(walk(2, (i) => 10 + i)).components).toEqual([
      'Error',
      'app.main:run',
      'app.tree:walk',
      'app.tree:walk',
    ]);
  });
});

// newstyle.py get_function_component and frame, the javascript family
describe('JavaScript function names', () => {
  const js = (fn: string, platform = 'javascript', extra: Frame = {}) =>
    crash(platform, [
      { filename: 'app:///static/js/main.js', function: fn, in_app: true, ...extra },
    ]);

  it('hashes the name after the last dot, so Chrome and Firefox share an issue', () => {
    sameIssue(js('Object.handleClick'), js('handleClick'));
    sameIssue(js('Cart.total', 'node'), js('total', 'node'));
    expect(groupEvent(js('Object.handleClick')).components).toEqual([
      'Error',
      'static/js/main.js:handleClick',
    ]);
  });

  it('leaves out names that say nothing', () => {
    for (const fn of [
      'handleClick/<',
      'Object.<anonymous>',
      '<anonymous function>',
      'Anonymous function',
    ])
      expect(groupEvent(js(fn)).components).toEqual(['Error', 'static/js/main.js:']);
  });

  it('leaves out eval and native code frames', () => {
    const withNoise = (noise: Frame) =>
      crash('javascript', [
        { filename: 'app:///main.js', function: 'start', in_app: true },
        { in_app: true, ...noise },
      ]);
    const expected = ['Error', 'main.js:start'];
    expect(
      groupEvent(withNoise({ function: 'eval', filename: 'app:///main.js' })).components,
    ).toEqual(expected);
    expect(
      groupEvent(withNoise({ function: 'forEach', abs_path: '[native code]' })).components,
    ).toEqual(expected);
  });

  it('keeps other platforms’ names as sent', () => {
    otherIssue(js('Object.handleClick', 'python'), js('handleClick', 'python'));
  });
});

// lang/javascript/preprocessing.py generate_modules and utils.py generate_module: a browser frame's
// module is made from its URL, and newstyle.py get_frame_component hashes the module, not the file.
describe('JavaScript modules from bundle URLs', () => {
  it('{{ module }} reads the crash frame’s module made from its URL', () => {
    const browser = (absPath: string) =>
      groupEvent({
        platform: 'javascript',
        fingerprint: ['{{ module }}'],
        exception: {
          values: [
            {
              type: 'TypeError',
              value: 'x',
              stacktrace: { frames: [{ abs_path: absPath, function: 'totalFor', in_app: true }] },
            },
          ],
        },
      }).components;
    expect(browser('https://shop.example/static/js/main.3f2a1b9c.js')).toEqual(['main']);
    expect(browser('https://shop.example/static/js/main.9e8d7c6b.js')).toEqual(['main']);
    expect(browser('/srv/app/main.js')).toEqual(['<no-module>']);
  });
  // As the browser SDK sends a frame: the script's URL as both filename and abs_path, no module.
  const at = (url: string, fn: string, extra: Frame = {}): Frame => ({
    filename: url,
    abs_path: url,
    function: fn,
    in_app: true,
    ...extra,
  });
  const main1 = 'https://shop.example.com/static/js/main.3f2a1b9.js';
  const vendor1 = 'https://cdn.example.com/js/v1.2.0/vendor.min.js';
  const main2 = 'https://shop.example.com/static/js/main.9e8d7c6.js';
  const vendor2 = 'https://cdn.example.com/js/v1.3.0/vendor.min.js';
  const build = (main: string, vendor: string, platform = 'javascript', fn = 'totalFor') =>
    crash(platform, [at(vendor, 'render'), at(main, fn)], 'TypeError', 'x is undefined');

  it('groups one error from two builds into one issue, by module and function', () => {
    sameIssue(build(main1, vendor1), build(main2, vendor2));
    expect(groupEvent(build(main1, vendor1)).components).toEqual([
      'TypeError',
      'vendor:render',
      'main:totalFor',
    ]);
  });

  it('still tells an error in another function apart', () => {
    sameIssue(
      build(main1, vendor1, 'javascript', 'applyCoupon'),
      build(main2, vendor2, 'javascript', 'applyCoupon'),
    );
    otherIssue(build(main1, vendor1), build(main2, vendor2, 'javascript', 'applyCoupon'));
  });

  it('groups across md5 and sha1 build directories, on http, webpack and app URLs', () => {
    const under = (dir: string, scheme = 'https://example.com') =>
      crash('javascript', [at(`${scheme}/${dir}/checkout/cart.js`, 'total')]);
    const md5 = '7d6d00eae0ceccdc7ee689659585d95f';
    const sha1 = '92cd589eca8235e7b373bf5ae94ebf898e3b949c';
    sameIssue(under(md5), under(sha1));
    sameIssue(under(md5, 'webpack://'), under(sha1, 'webpack://'));
    expect(groupEvent(under(md5, 'app://')).components).toEqual(['Error', 'checkout/cart:total']);
  });

  it('counts a file named by its hash alone by its function, as Sentry’s empty module does', () => {
    const bundle = (hash: string) =>
      crash('javascript', [at(`https://example.com/static/${hash}.js`, 'boot')]);
    sameIssue(
      bundle('7d6d00eae0ceccdc7ee689659585d95f'),
      bundle('0123456789abcdef0123456789abcdef'),
    );
    expect(groupEvent(bundle('7d6d00eae0ceccdc7ee689659585d95f')).components).toEqual([
      'Error',
      ':boot',
    ]);
  });

  it('makes modules for javascript and node events’ frames sent without one, from URLs only', () => {
    sameIssue(build(main1, vendor1, 'node'), build(main2, vendor2, 'node'));
    // other platforms' events, a javascript frame in one included, keep the file name
    otherIssue(build(main1, vendor1, 'python'), build(main2, vendor2, 'python'));
    const inPython = crash('python', [at(vendor1, 'render', { platform: 'javascript' })]);
    expect(groupEvent(inPython).components).toEqual(['Error', 'js/v1.2.0/vendor.min.js:render']);
    // a module the SDK sent is kept
    const named = crash('javascript', [at(main1, 'go', { module: 'shop' })]);
    expect(groupEvent(named).components).toEqual(['Error', 'shop:go']);
    // so are a server's paths, which are no URLs
    const server = crash('node', [at('/srv/www/js/v1.2.0/app.js', 'go')]);
    expect(groupEvent(server).components).toEqual(['Error', '/srv/www/js/v1.2.0/app.js:go']);
  });

  it('hashes a page’s inline script by the page, unless the module is the URL’s end', () => {
    // `checkout`: the version directory and the query go
    const page = (url: string) => crash('javascript', [at(url, 'pay')]);
    sameIssue(
      page('https://example.com/v2/checkout?step=1'),
      page('https://example.com/v3/checkout'),
    );
    expect(groupEvent(page('https://example.com/v2/checkout')).components).toEqual([
      'Error',
      'checkout:pay',
    ]);
    // `shop/cart` ends the URL: get_module_component drops it, and the file name stands in
    const cart = crash('javascript', [at('https://example.com/shop/cart', 'go')]);
    expect(groupEvent(cart).components).toEqual(['Error', 'shop/cart:go']);
  });
});

// newstyle.py filter_exceptions_for_exception_groups
describe('exception groups', () => {
  const frames = { frames: [inApp('jobs', 'fetchAll')] };
  const aggregate = (children: number) => ({
    platform: 'node',
    exception: {
      values: [
        ...Array.from({ length: children }, (_, i) => ({
          type: 'Error',
          value: `fetch ${i} failed`,
          stacktrace: frames,
          mechanism: { type: 'chained', source: `errors[${i}]`, exception_id: i + 1, parent_id: 0 },
        })),
        {
          type: 'AggregateError',
          value: 'All promises were rejected',
          stacktrace: frames,
          mechanism: { type: 'generic', is_exception_group: true, exception_id: 0 },
        },
      ],
    },
  });

  it('groups a group of one kind of error as that error, however many failed', () => {
    sameIssue(aggregate(2), aggregate(3));
    expect(groupEvent(aggregate(3)).components).toEqual(['Error', 'jobs:fetchAll']);
  });

  const group = (children: { type: string; value: string }[], sdk?: object) => ({
    platform: 'python',
    ...(sdk ? { sdk } : {}),
    exception: {
      values: [
        ...children.map((c, i) => ({
          ...c,
          mechanism: { type: 'chained', exception_id: i + 1, parent_id: 0 },
        })),
        {
          type: 'ExceptionGroup',
          value: 'errors',
          mechanism: { type: 'excepthook', exception_id: 0, is_exception_group: true },
        },
      ],
    },
  });

  it('keeps one of each kind, by type, and the group, when there are several', () => {
    const children = [
      { type: 'KeyError', value: 'a' },
      { type: 'ValueError', value: 'b 1' },
      { type: 'ValueError', value: 'b 2' },
    ];
    expect(groupEvent(group(children)).components).toEqual([
      'ValueError: b <num>',
      'KeyError: a',
      'ExceptionGroup: errors',
    ]);
    sameIssue(group(children), group([...children].reverse()));
  });

  it('filters nothing for sentry-python 3.x, as Sentry does', () => {
    const children = [{ type: 'ValueError', value: 'b' }];
    expect(
      groupEvent(group(children, { name: 'sentry.python', version: '3.0.0' })).components,
    ).toEqual(['ValueError: b', 'ExceptionGroup: errors']);
  });
});

// newstyle.py frame and get_contextline_component; configurations.py contextline_platforms
describe('lines of code (context_line)', () => {
  // As @sentry/node sends them: two errors thrown on two lines of one function (ctx.js).
  const validate = (line: string, extra: Frame = {}, platform = 'node') =>
    crash(platform, [
      inApp('ctx', 'Object.?', {
        context_line: '  try { validate(o); } catch (e) { Sentry.captureException(e); }',
      }),
      inApp('ctx', 'validate', { context_line: line, ...extra }),
    ]);
  const customer = "  if (!order.customer) throw new Error('order has no customer');";
  const items = "  if (!order.items) throw new Error('order has no items');";

  it('tells apart errors thrown on two lines of one function, showing each line', () => {
    otherIssue(validate(customer), validate(items));
    expect(groupEvent(validate(customer)).components).toEqual([
      'Error',
      'ctx::try { validate(o); } catch (e) { Sentry.captureException(e); }',
      "ctx:validate:if (!order.customer) throw new Error('order has no customer');",
    ]);
  });

  it('hashes the line with its whitespace collapsed and trimmed, as Python’s split() reads it', () => {
    sameIssue(
      validate(customer),
      validate("\t\tif  (!order.customer)\u00a0throw new Error('order has no customer');\r"),
    );
    expect(groupEvent(validate('\u2003return\x1ctotal;\u3000')).components[2]).toBe(
      'ctx:validate:return total;',
    );
    // U+FEFF is no space to Python: it stays.
    expect(groupEvent(validate('\ufeffreturn total;')).components[2]).toBe(
      'ctx:validate:\ufeffreturn total;',
    );
  });

  it('leaves out a line over 120 characters (minified code), counted in code points', () => {
    const line120 = `x = '${'a'.repeat(113)}';`; // 120 characters
    expect(groupEvent(validate(line120)).components[2]).toBe(`ctx:validate:${line120}`);
    otherIssue(validate(line120), validate(`y = '${'a'.repeat(113)}';`));
    // 121: left out, and the frame counts by module and function alone.
    expect(groupEvent(validate(`${line120};`)).components[2]).toBe('ctx:validate');
    sameIssue(validate(`${line120};`), validate(`${line120}.`));
    // 60 emoji are 120 UTF-16 units but 60 characters; indentation counts.
    const emoji = `'${'\u{1F600}'.repeat(60)}'`;
    expect(groupEvent(validate(emoji)).components[2]).toBe(`ctx:validate:${emoji}`);
    expect(groupEvent(validate(`${' '.repeat(120)}x`)).components[2]).toBe('ctx:validate');
  });

  it('hashes lines for javascript, node, python, php and ruby, by the frame’s platform first', () => {
    for (const platform of ['javascript', 'node', 'python', 'php', 'ruby'])
      otherIssue(validate(customer, {}, platform), validate(items, {}, platform));
    for (const platform of ['java', 'cocoa', 'csharp', 'go', 'native'])
      sameIssue(validate(customer, {}, platform), validate(items, {}, platform));
    sameIssue(
      validate(customer, { platform: 'java' }, 'node'),
      validate(items, { platform: 'java' }, 'node'),
    );
    otherIssue(
      validate(customer, { platform: 'python' }, 'java'),
      validate(items, { platform: 'python' }, 'java'),
    );
  });

  it('leaves out a JavaScript line with no function whose file is a URL', () => {
    const frame = (absPath: string, fn: string | undefined, line: string) =>
      crash('javascript', [
        { abs_path: absPath, in_app: true, context_line: line, ...(fn ? { function: fn } : {}) },
      ]);
    for (const url of [
      'https://shop.example.com/checkout',
      'http://localhost:3000/',
      'blob:https://shop.example.com/7f7aaadf',
      'applewebdata://1C9A/',
      'file:///Users/ann/page.html',
    ]) {
      sameIssue(frame(url, undefined, 'pay();'), frame(url, undefined, 'refund();'));
      otherIssue(frame(url, 'onClick', 'pay();'), frame(url, 'onClick', 'refund();'));
    }
    // A file that is no URL keeps its line.
    expect(groupEvent(frame('/srv/app/main.js', undefined, 'pay();')).components).toEqual([
      'Error',
      'app/main.js::pay();',
    ]);
  });

  it('leaves out a JavaScript function that came from a source map where the line counts', () => {
    const mapped = (fn: string) =>
      validate(customer, { function: fn, data: { sourcemap: 'https://cdn/app.js.map' } });
    sameIssue(mapped('validate'), mapped('a'));
    expect(groupEvent(mapped('a')).components[2]).toBe(
      "ctx::if (!order.customer) throw new Error('order has no customer');",
    );
    // Without a line, the function counts.
    otherIssue(
      crash('node', [inApp('ctx', 'validate', { data: { sourcemap: 'x.map' } })]),
      crash('node', [inApp('ctx', 'a', { data: { sourcemap: 'x.map' } })]),
    );
  });

  it('hashes only in-app frames’ lines, and an empty line as none', () => {
    const withLibrary = (line: string) =>
      crash('node', [
        { module: 'express', function: 'handle', in_app: false, context_line: line },
        inApp('ctx', 'validate'),
      ]);
    sameIssue(withLibrary('next();'), withLibrary('next(err);'));
    expect(groupEvent(validate(' \t ')).components[2]).toBe('ctx:validate');
  });
});

// newstyle.py single_exception and chained_exception: an exception's value counts unless its own
// stacktrace does, and in the app variant a stacktrace without in-app frames does not.
describe('a chained cause without in-app frames', () => {
  // Node's fetch: `TypeError: fetch failed` from the app's code, caused by undici's system error.
  const fetchFailed = (cause: { type?: string; value?: string } | undefined): SentryEventLike => ({
    platform: 'node',
    exception: {
      values: [
        ...(cause
          ? [
              {
                ...cause,
                stacktrace: {
                  frames: [{ module: 'node:dns', function: 'onlookupall', in_app: false }],
                },
              },
            ]
          : []),
        {
          type: 'TypeError',
          value: 'fetch failed',
          stacktrace: { frames: [inApp('profile', 'loadProfile')] },
        },
      ],
    },
  });

  it('counts by its type and value: ENOTFOUND and ECONNREFUSED are two issues', () => {
    const notFound = fetchFailed({
      type: 'Error',
      value: 'getaddrinfo ENOTFOUND no-such-host.invalid',
    });
    const refused = fetchFailed({ type: 'Error', value: 'connect ECONNREFUSED 127.0.0.1:21499' });
    otherIssue(notFound, refused);
    expect(groupEvent(notFound).components).toEqual([
      'Error: getaddrinfo ENOTFOUND no-such-host.invalid',
      'TypeError',
      'profile:loadProfile',
    ]);
    expect(groupEvent(refused).components).toEqual([
      'Error: connect ECONNREFUSED <ip>',
      'TypeError',
      'profile:loadProfile',
    ]);
    sameIssue(refused, fetchFailed({ type: 'Error', value: 'connect ECONNREFUSED 10.0.0.7:5432' }));
  });

  it('counts by its type alone where it has no value, and not at all where it is not sent', () => {
    expect(groupEvent(fetchFailed({ type: 'AbortError' })).components).toEqual([
      'AbortError',
      'TypeError',
      'profile:loadProfile',
    ]);
    expect(groupEvent(fetchFailed(undefined)).components).toEqual([
      'TypeError',
      'profile:loadProfile',
    ]);
  });
});
