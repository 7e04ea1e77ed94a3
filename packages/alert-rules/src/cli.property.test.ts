// Properties of beacon-alerts' parseArgs: any argv is parsed or refused naming the flag or
// argument at fault, and generated valid argv means what it was built to mean.
import fc from 'fast-check';
import { parseArgs } from './cli';
import type { ParsedArgs } from './cli';

const FLAGS = ['--out', '--runbook-base-url'];

const token = fc.oneof(
  fc.constantFrom(...FLAGS, '-h', '--help', '--verbose', '--out=x', '-', 'build', 'deploy', ''),
  fc.string({ maxLength: 8 }),
);

/** The flag or argument an error message names, or undefined when it names none. */
function named(message: string): string | undefined {
  const m =
    /^(--[\w-]+) needs a value$/.exec(message) ??
    /^(--[\w-]+) given twice$/.exec(message) ??
    /^unknown flag (".*")$/.exec(message) ??
    /^unexpected argument (".*")$/.exec(message);
  if (!m) return undefined;
  const what = m[1] as string;
  return what.startsWith('"') ? (JSON.parse(what) as string) : what;
}

describe('parseArgs', () => {
  it('parses any argv (5k cases) or refuses it with an Error naming the flag or argument', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 7 }), (argv) => {
        let parsed: ParsedArgs;
        try {
          parsed = parseArgs(argv);
        } catch (err) {
          expect((err as Error).constructor).toBe(Error);
          const what = named((err as Error).message);
          expect(what).toBeDefined();
          expect(argv).toContain(what);
          return;
        }
        expect(parsed.help).toBe(argv.includes('-h') || argv.includes('--help'));
        for (const [flag, v] of [
          ['--out', parsed.out],
          ['--runbook-base-url', parsed.runbookBaseUrl],
        ] as const) {
          if (v === undefined) {
            expect(argv).not.toContain(flag);
          } else {
            // A value: the word right after its flag, never empty and never a flag.
            expect(v).not.toBe('');
            expect(v.startsWith('-')).toBe(false);
            expect(argv[argv.indexOf(flag) + 1]).toBe(v);
            expect(argv.filter((a) => a === flag)).toHaveLength(1);
          }
        }
        if (parsed.command !== undefined) {
          expect(parsed.command.startsWith('-')).toBe(false);
          expect(argv).toContain(parsed.command);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  const value = fc.string({ minLength: 1, maxLength: 10 }).filter((v) => !v.startsWith('-'));

  it('parses generated argv (10k cases), flags in any order, to what it says', () => {
    fc.assert(
      fc.property(
        fc.record(
          { command: value, out: value, runbookBaseUrl: value, help: fc.constant(true) },
          { requiredKeys: [] },
        ),
        fc.nat(),
        (want, rotate) => {
          const parts: string[][] = [
            ...(want.command === undefined ? [] : [[want.command]]),
            ...(want.out === undefined ? [] : [['--out', want.out]]),
            ...(want.runbookBaseUrl === undefined
              ? []
              : [['--runbook-base-url', want.runbookBaseUrl]]),
            ...(want.help ? [['--help']] : []),
          ];
          const argv = parts.flatMap((_, i) => parts[(i + rotate) % parts.length] as string[]);
          expect(parseArgs(argv)).toEqual({ help: false, ...want });
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it.each([
    [['build', '--out', ''], '--out needs a value'],
    [['build', '--out', 'a', '--out', 'b'], '--out given twice'],
    [
      ['build', '--runbook-base-url', 'x/', '--runbook-base-url', 'y/'],
      '--runbook-base-url given twice',
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
