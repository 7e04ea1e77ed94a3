import fc from 'fast-check';
import { generateModule, UNKNOWN_MODULE } from './generate-module';

describe('generateModule, as Sentry’s generate_module', () => {
  // getsentry/sentry tests/sentry/lang/javascript/test_utils.py test_generate_module, case for case.
  it.each([
    ['http://example.com/foo.js', 'foo'],
    ['http://example.com/foo/bar.js', 'foo/bar'],
    ['http://example.com/js/foo/bar.js', 'foo/bar'],
    ['http://example.com/javascript/foo/bar.js', 'foo/bar'],
    ['http://example.com/1.0/foo/bar.js', 'foo/bar'],
    ['http://example.com/v1/foo/bar.js', 'foo/bar'],
    ['http://example.com/v1.0.0/foo/bar.js', 'foo/bar'],
    ['http://example.com/_baz/foo/bar.js', 'foo/bar'],
    ['http://example.com/1/2/3/foo/bar.js', 'foo/bar'],
    ['http://example.com/abcdef0/foo/bar.js', 'foo/bar'],
    ['http://example.com/92cd589eca8235e7b373bf5ae94ebf898e3b949c/foo/bar.js', 'foo/bar'],
    ['http://example.com/7d6d00eae0ceccdc7ee689659585d95f/foo/bar.js', 'foo/bar'],
    ['http://example.com/foo/bar.coffee', 'foo/bar'],
    ['http://example.com/foo/bar.js?v=1234', 'foo/bar'],
    ['/foo/bar.js', 'foo/bar'],
    ['/foo/bar.ts', 'foo/bar'],
    ['../../foo/bar.js', 'foo/bar'],
    ['../../foo/bar.ts', 'foo/bar'],
    ['../../foo/bar.awesome', 'foo/bar'],
    ['../../foo/bar', 'foo/bar'],
    ['/foo/bar-7d6d00eae0ceccdc7ee689659585d95f.js', 'foo/bar'],
    ['/bower_components/foo/bar.js', 'foo/bar'],
    ['/node_modules/foo/bar.js', 'foo/bar'],
    ['http://example.com/vendor.92cd589eca8235e7b373bf5ae94ebf898e3b949c.js', 'vendor'],
    [
      '/a/javascripts/application-bundle-149360d3414c26adac3febdf6832e25c.min.js',
      'a/javascripts/application-bundle',
    ],
    ['https://example.com/libs/libs-20150417171659.min.js', 'libs/libs'],
    ['webpack:///92cd589eca8235e7b373bf5ae94ebf898e3b949c/vendor.js', 'vendor'],
    ['app:///92cd589eca8235e7b373bf5ae94ebf898e3b949c/vendor.js', 'vendor'],
    ['app:///example/92cd589eca8235e7b373bf5ae94ebf898e3b949c/vendor.js', 'vendor'],
    [
      '~/app/components/projectHeader/projectSelector.jsx',
      'app/components/projectHeader/projectSelector',
    ],
  ])('%s → %s (Sentry’s own case)', (url, module) => {
    expect(generateModule(url)).toBe(module);
  });

  it('names nothing <unknown module>', () => {
    expect(generateModule(undefined)).toBe(UNKNOWN_MODULE);
    expect(generateModule('')).toBe(UNKNOWN_MODULE);
    // The path is `/`: the leading slash goes and nothing is left.
    expect(generateModule('https://example.com/')).toBe('<unknown module>');
  });

  // Worked out by hand from utils.py: the path, less its extension and `.min`, less
  // CLEAN_MODULE_RE's prefixes and trailing commitish.
  it.each([
    // the docstring's example
    ['http://google.com/js/v1.0/foo/bar/baz.js', 'foo/bar/baz'],
    // create-react-app 5: `static/`, `js/` and `.3f2a1b9c` go
    ['https://example.com/static/js/main.3f2a1b9c.js', 'main'],
    // a commitish of 7 is enough
    ['https://shop.example.com/static/js/main.3f2a1b9.js', 'main'],
    // `.min` after the hash, then the hash
    ['https://example.com/static/app.3f2a1b9c.min.js', 'app'],
    ['https://cdn.example.com/js/jquery.min.js', 'jquery'],
    // a version directory
    ['https://cdn.example.com/js/v1.2.0/vendor.min.js', 'vendor'],
    // Vite with a hex hash: `assets/` is no common prefix and stays
    ['https://example.com/assets/index-4f3a2b1c.js', 'assets/index'],
    // Next.js: `_next/` and `static/` go, `chunks/` stays
    [
      'https://example.com/_next/static/chunks/pages/index-4f3a2b1c9d8e7f6a.js',
      'chunks/pages/index',
    ],
    // the query and the fragment are not the path
    ['https://example.com/static/js/main.js?v=3f2a1b9c#top', 'main'],
    ['webpack:///./src/components/Cart.tsx', 'src/components/Cart'],
    // VERSION_RE is case-blind
    ['https://example.com/7D6D00EAE0CECCDC7EE689659585D95F/foo/bar.js', 'foo/bar'],
    // a file named by its md5 alone: nothing follows the hash, the module is empty
    ['https://example.com/static/7d6d00eae0ceccdc7ee689659585d95f.js', ''],
  ])('%s → %s', (url, module) => {
    expect(generateModule(url)).toBe(module);
  });

  // What Sentry does not clean, kept so that Beacon groups these as Sentry does.
  it.each([
    // Rollup/Vite's default base64 hash is not hex
    ['https://example.com/assets/index-BRhG3Yb1.js', 'assets/index-BRhG3Yb1'],
    // create-react-app 4's `.chunk.js`: only `.js` is the extension, so no commitish ends the name
    ['https://example.com/static/js/main.3f2a1b9c.chunk.js', 'main.3f2a1b9c.chunk'],
  ])('%s → %s, as Sentry leaves it', (url, module) => {
    expect(generateModule(url)).toBe(module);
  });

  it('keeps Python’s reading of `\\d`, `.` and case: Unicode digits, ſ, İ', () => {
    expect(generateModule('https://example.com/v١.٢/app.js')).toBe('app'); // Arabic-Indic digits
    expect(generateModule('https://example.com/ſtatic/scrİpts/app.js')).toBe('app');
    expect(generateModule('https://example.com/_a\u2028b/app.js')).toBe('app');
  });

  const url = fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'webpack:///', 'app:///', ''),
      fc.webSegment(),
      fc.array(
        fc.oneof(
          fc.webSegment(),
          fc.constantFrom('js', 'static', '_next', 'v1.2.0', '7d6d00eae0ceccdc7ee689659585d95f'),
        ),
        { maxLength: 4 },
      ),
      fc.constantFrom('app.js', 'main.3f2a1b9c.js', 'vendor.min.js', 'index'),
    )
    .map(([scheme, host, dirs, file]) => `${scheme}${host}/${[...dirs, file].join('/')}`);

  it('never throws, and never returns the query or the fragment', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (s) => {
        expect(typeof generateModule(s)).toBe('string');
      }),
    );
    fc.assert(
      fc.property(url, fc.webQueryParameters(), fc.webFragments(), (u, query, fragment) => {
        const module = generateModule(`${u}?${query}#${fragment}`);
        expect(module).toBe(generateModule(u));
        expect(module).not.toMatch(/[?#]/);
      }),
    );
  });

  it('gives the same module for the builds of one file, whatever their hash or version', () => {
    const hex = (min: number, max: number) =>
      fc.stringMatching(new RegExp(`^[0-9a-f]{${min},${max}}$`));
    fc.assert(
      fc.property(hex(7, 20), hex(7, 20), fc.constantFrom('.', '-'), (a, b, sep) => {
        const build = (h: string) => `https://example.com/static/js/main${sep}${h}.min.js`;
        expect(generateModule(build(a))).toBe('main');
        expect(generateModule(build(b))).toBe('main');
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.nat(99), { minLength: 1, maxLength: 4 }), (parts) => {
        expect(generateModule(`https://cdn.example.com/v${parts.join('.')}/app.js`)).toBe('app');
      }),
    );
  });
});
