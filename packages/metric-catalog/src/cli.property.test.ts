// Properties of beacon-metric-catalog's command line: any argv prints the catalog or throws an
// Error naming the flag, argument or value at fault; generated valid argv prints what it asks.
import fc from 'fast-check';
import { allMetrics } from './catalog';
import { main } from './cli';

const EXPORTERS = [...new Set(allMetrics.map((m) => m.exporter as string))];

const token = fc.oneof(
  fc.constantFrom('--format', '--exporter', '-h', '--help', 'text', 'json', 'yaml', '', '-'),
  fc.constantFrom(...EXPORTERS),
  // The `=` form: `--format=json`, `--exporter=`, `--help=x`.
  fc
    .tuple(
      fc.constantFrom('--format', '--exporter', '--help'),
      fc.constantFrom('json', '', 'x', '-y'),
    )
    .map(([flag, v]) => `${flag}=${v}`),
  fc.string({ maxLength: 8 }),
);

function run(argv: string[]): string {
  let out = '';
  expect(main(argv, (s) => (out += s))).toBe(0);
  return out;
}

/** What an error message names, or undefined when it names nothing the user typed. */
function named(message: string): string | undefined {
  const m =
    /^flag (--format|--exporter) (?:needs a value|given twice)$/.exec(message) ??
    /^flag (--help) takes no value$/.exec(message) ??
    /^unknown argument (".*")\n\nUsage: /s.exec(message) ??
    /^--format must be text or json, got (".*")$/.exec(message) ??
    /^unknown exporter (".*"); the catalog has [\w, -]+$/.exec(message);
  if (!m) return undefined;
  const what = m[1] as string;
  return what.startsWith('"') ? (JSON.parse(what) as string) : what;
}

describe('beacon-metric-catalog', () => {
  it('prints for any argv (5k cases) or throws an Error naming what the user typed wrong', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 5 }), (argv) => {
        let out = '';
        try {
          expect(main(argv, (s) => (out += s))).toBe(0);
        } catch (err) {
          expect((err as Error).constructor).toBe(Error);
          const what = named((err as Error).message);
          expect(what).toBeDefined();
          // As typed: a word of its own, or either side of a word's `=`.
          const typed = (a: string) =>
            a === what || a.startsWith(`${what}=`) || a.endsWith(`=${what}`);
          expect(argv.some(typed)).toBe(true);
          return;
        }
        if (argv.includes('-h') || argv.includes('--help')) {
          expect(out.startsWith('Usage: beacon-metric-catalog')).toBe(true);
        } else if (argv.includes('json') || argv.includes('--format=json')) {
          // Never an empty list: an exporter the catalog lacks is an error, not "no metrics".
          expect((JSON.parse(out) as unknown[]).length).toBeGreaterThan(0);
        } else {
          expect(out).toMatch(/^[1-9]\d* metrics \(/);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('prints the metrics of a generated --exporter and --format (3000 cases), in either order and either form', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(...EXPORTERS), { nil: undefined }),
        fc.option(fc.constantFrom('text', 'json'), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (exporter, format, swap, joined) => {
          const flag = (name: string, v: string) => (joined ? [`${name}=${v}`] : [name, v]);
          const parts = [
            ...(exporter === undefined ? [] : [flag('--exporter', exporter)]),
            ...(format === undefined ? [] : [flag('--format', format)]),
          ];
          const out = run((swap ? parts.reverse() : parts).flat());
          const want = allMetrics.filter((m) => exporter === undefined || m.exporter === exporter);
          expect(want.length).toBeGreaterThan(0);
          if (format === 'json') {
            const got = JSON.parse(out) as { name: string; exporter: string }[];
            expect(got.map((m) => m.name)).toEqual(want.map((m) => m.name));
            for (const m of got)
              expect(exporter === undefined || m.exporter === exporter).toBe(true);
          } else {
            const lines = out.trimEnd().split('\n');
            expect(lines[0]).toMatch(new RegExp(`^${want.length} metrics \\(`));
            expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(want.map((m) => m.name));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    [['--exporter', ''], 'flag --exporter needs a value'],
    [['--exporter', '--format', 'json'], 'flag --exporter needs a value'],
    [['--exporter', 'dcgm_exporter'], 'unknown exporter "dcgm_exporter"; the catalog has '],
    [['--format', 'json', '--format', 'text'], 'flag --format given twice'],
    [['--format=json', '--format', 'text'], 'flag --format given twice'],
    [['--format='], 'flag --format needs a value'],
    [['--exporter=-x'], 'unknown exporter "-x"'],
    [['--help=yes'], 'flag --help takes no value'],
  ])('refuses %j', (argv, message) => {
    expect(() => main(argv, () => undefined)).toThrow(message);
  });
});
