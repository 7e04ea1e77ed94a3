// Properties of beacon-alerts' parseArgs: any argv is parsed or refused naming the flag or
// argument at fault, and generated valid argv means what it was built to mean.
import fc from 'fast-check';
import { parseArgs } from './cli';
import type { ParsedArgs } from './cli';

const FLAGS = ['--out', '--runbook-base-url'];

const token = fc.oneof(
  fc.constantFrom(
    ...FLAGS,
    '-h',
    '--help',
    '--help=1',
    '--verbose',
    '--verbose=1',
    '--out=x',
    '--out=',
    '--out=-x',
    '--runbook-base-url=u/',
    '-',
    'build',
    'help',
    'deploy',
    '',
  ),
  fc.string({ maxLength: 8 }),
);

/** The flag or argument an error message names, or undefined when it names none. */
function named(message: string): string | undefined {
  const m =
    /^(--[\w-]+) needs a value$/.exec(message) ??
    /^(--[\w-]+) given twice$/.exec(message) ??
    /^(--[\w-]+) takes no value$/.exec(message) ??
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
          const what = named((err as Error).message) as string;
          expect(what).toBeDefined();
          // Named as given, or by its name when given as `--flag=value`.
          expect(argv.some((a) => a === what || a.startsWith(`${what}=`))).toBe(true);
          return;
        }
        expect(parsed.help).toBe(argv.includes('-h') || argv.includes('--help'));
        for (const [flag, v] of [
          ['--out', parsed.out],
          ['--runbook-base-url', parsed.runbookBaseUrl],
        ] as const) {
          const uses = argv.filter((a) => a === flag || a.startsWith(`${flag}=`));
          if (v === undefined) {
            expect(uses).toEqual([]);
          } else {
            expect(uses).toHaveLength(1);
            expect(v).not.toBe('');
            if (uses[0] === flag) {
              // The word right after its flag, never a flag.
              expect(v.startsWith('-')).toBe(false);
              expect(argv[argv.indexOf(flag) + 1]).toBe(v);
            } else {
              expect(uses[0]).toBe(`${flag}=${v}`);
            }
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
        fc.boolean(),
        fc.boolean(),
        (want, rotate, outJoined, urlJoined) => {
          const flag = (name: string, v: string, joined: boolean) =>
            joined ? [`${name}=${v}`] : [name, v];
          const parts: string[][] = [
            ...(want.command === undefined ? [] : [[want.command]]),
            ...(want.out === undefined ? [] : [flag('--out', want.out, outJoined)]),
            ...(want.runbookBaseUrl === undefined
              ? []
              : [flag('--runbook-base-url', want.runbookBaseUrl, urlJoined)]),
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
    [['build', '--out='], '--out needs a value'],
    [['build', '--out=a', '--out', 'b'], '--out given twice'],
    [['build', '--out', 'a', '--out=b'], '--out given twice'],
    [['build', '--out=a', '--verbose=1'], 'unknown flag "--verbose=1"'],
    [['--help=yes'], '--help takes no value'],
    [['build', '--out', 'a', '--out', 'b'], '--out given twice'],
    [
      ['build', '--runbook-base-url', 'x/', '--runbook-base-url', 'y/'],
      '--runbook-base-url given twice',
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
