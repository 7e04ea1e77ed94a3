// Properties of checkRunbookBaseUrl, which vets --runbook-base-url: any string is returned as it
// is or refused naming it, and what it returns is a usable base for runbook links.
import fc from 'fast-check';
import { checkRunbookBaseUrl } from './prometheus';

const chars = (s: string) => fc.constantFrom(...s.split(''));
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

const label = fc
  .tuple(
    chars(LOWER),
    fc.array(chars(LOWER + DIGITS + '-'), { maxLength: 8 }),
    chars(LOWER + DIGITS),
  )
  .map(([a, mid, z]) => a + mid.join('') + z);
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((ns) => ns.join('.')),
);
/** Path segments with what a repository browser's path may hold, YAML indicators included. */
const segment = fc
  .array(chars(LOWER + DIGITS + "-_.~$&'*{}[]!%@`|>#,?=+;()"), { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''));

/** http(s) bases ending in `/`, as a deployment would give them. */
const absoluteBase = fc
  .record({
    scheme: fc.constantFrom('http', 'https', 'HTTPS'),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    segments: fc.array(segment, { maxLength: 4 }),
  })
  .map(
    ({ scheme, host: h, port, segments }) =>
      `${scheme}://${h}${port === undefined ? '' : `:${port}`}/${segments.map((s) => `${s}/`).join('')}`,
  );

/** Relative bases ending in `/`: no scheme, not starting at the root. */
const relativeBase = fc
  .array(
    segment.filter((s) => !s.includes(':')),
    { minLength: 1, maxLength: 4 },
  )
  .map((segments) => segments.map((s) => `${s}/`).join(''));

const message = (url: string) =>
  `invalid runbook base URL ${JSON.stringify(url)}: want an http(s) URL or a relative path, ending in "/"`;

describe('checkRunbookBaseUrl', () => {
  it('returns any string (5k cases) unchanged as a usable base, or refuses it naming it', () => {
    const mutated = fc
      .tuple(
        fc.oneof(absoluteBase, relativeBase),
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
      )
      .map(([b, at, c]) => {
        const i = at % (b.length + 1);
        return b.slice(0, i) + c + b.slice(i);
      });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.webUrl(), mutated),
        (url) => {
          let base: string;
          try {
            base = checkRunbookBaseUrl(url);
          } catch (err) {
            expect((err as Error).constructor).toBe(Error);
            expect((err as Error).message).toBe(message(url));
            return;
          }
          expect(base).toBe(url);
          expect(base.endsWith('/')).toBe(true);
          // A link made from it is http(s) and ends in the runbook's path (in its path, or in a
          // query or fragment, as repository browsers with ?path= or #/ routes want).
          const link = new URL(
            `${base}runbooks/ServiceDown.md`,
            'https://git.example/beacon/blob/main/',
          );
          expect(['http:', 'https:']).toContain(link.protocol);
          expect(link.href.endsWith('runbooks/ServiceDown.md')).toBe(true);
          // A relative base stays on the repository browser's host.
          if (!/^https?:/i.test(base)) expect(link.host).toBe('git.example');
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('accepts generated http(s) and relative bases ending in / (5k cases)', () => {
    fc.assert(
      fc.property(fc.oneof(absoluteBase, relativeBase), (url) => {
        expect(checkRunbookBaseUrl(url)).toBe(url);
      }),
      { numRuns: 5_000 },
    );
  });

  it.each(['http://[/', 'https://grafana:x/', '\\\\evil.example/', '\\runbooks/', 'a\u0000b/'])(
    'refuses %j',
    (url) => {
      expect(() => checkRunbookBaseUrl(url)).toThrow(message(url));
    },
  );
});
