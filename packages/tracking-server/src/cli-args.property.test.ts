import fc from 'fast-check';
import { type Command, parseCommand, UsageError } from './cli-args';

// The defaults as the usage text and the README give them.
const DEFAULT_PORT = 9300;
const DEFAULT_DATA_DIR = '.beacon/tracking';
const DEFAULT_PUBLIC_URL = 'http://localhost:9300/';

type Flag = readonly [name: string, value: string];

/** A flag as `--name value` or `--name=value`; a value that looks like an option only as the latter. */
const written = ([name, value]: Flag, eq: boolean): string[] =>
  eq || (value.length > 1 && value.startsWith('-')) ? [`--${name}=${value}`] : [`--${name}`, value];

/** A whole number as digits, with up to `zeros` leading zeros kept within the 15 digits taken. */
const digits = (n: number, zeros: number) => '0'.repeat(Math.min(zeros, 15 - String(n).length)) + n;

/**
 * An argv of flags and positionals: the flags in `order`, each in the form `eqs` says, and the
 * positionals at `at` among them, or after `--` at the end (which any positional may be).
 */
function argv(flags: readonly Flag[], positionals: readonly string[], shape: Shape): string[] {
  const args = flags.map((f, i) => written(f, shape.eqs[i] ?? false));
  const ordered = shape.order.map((i) => args[i] as string[]);
  const needsDashes = positionals.some((p) => p.length > 1 && p.startsWith('-'));
  if (shape.dashes || needsDashes) return [...ordered.flat(), '--', ...positionals];
  const at = Math.min(shape.at, ordered.length);
  return [...ordered.slice(0, at).flat(), ...positionals, ...ordered.slice(at).flat()];
}
interface Shape {
  readonly eqs: boolean[];
  readonly order: number[];
  readonly at: number;
  readonly dashes: boolean;
}
const shape = (n: number): fc.Arbitrary<Shape> =>
  fc.record({
    eqs: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    order: fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i),
      { minLength: n },
    ),
    at: fc.nat(n),
    dashes: fc.boolean(),
  });

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const nonEmpty = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.constantFrom('-', '--x', '=', 'a=b', ' ', '/var/lib/beacon-tracker', 'serve'),
);
const count = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: 999_999_999_999_999 }),
);

interface Case {
  readonly argv: string[];
  readonly expected: Command;
}

const serveCase: fc.Arbitrary<Case> = fc
  .record({
    port: opt(fc.integer({ min: 0, max: 65535 })),
    host: opt(fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.constantFrom('localhost', '::'))),
    dataDir: opt(nonEmpty),
    apiToken: opt(fc.oneof(fc.string(), fc.constantFrom('', '-', '--', 't0k3n'))),
    eventsPerMinute: opt(count),
    retentionDays: opt(count),
    scrub: opt(fc.boolean()),
    zeros: fc.array(fc.nat(4), { minLength: 3, maxLength: 3 }),
  })
  .chain((c) => {
    const [z0, z1, z2] = c.zeros as [number, number, number];
    const flags = (<(readonly [string, string | undefined])[]>[
      ['port', c.port === undefined ? undefined : digits(c.port, z0)],
      ['host', c.host],
      ['data-dir', c.dataDir],
      ['api-token', c.apiToken],
      [
        'events-per-minute',
        c.eventsPerMinute === undefined ? undefined : digits(c.eventsPerMinute, z1),
      ],
      ['retention-days', c.retentionDays === undefined ? undefined : digits(c.retentionDays, z2)],
      ['scrub', c.scrub === undefined ? undefined : String(c.scrub)],
    ]).filter((f): f is Flag => f[1] !== undefined);
    const expected: Command = {
      kind: 'serve',
      port: c.port ?? DEFAULT_PORT,
      host: c.host ?? '0.0.0.0',
      dataDir: c.dataDir ?? DEFAULT_DATA_DIR,
      ...(c.apiToken !== undefined ? { apiToken: c.apiToken } : {}),
      defaults: {
        eventsPerMinute: c.eventsPerMinute ?? 0,
        retentionDays: c.retentionDays ?? 30,
        scrub: { enabled: c.scrub ?? true, extraKeys: [], safeKeys: [] },
      },
    };
    return shape(flags.length).map((s) => ({ argv: argv(flags, ['serve'], s), expected }));
  });

/** A public URL as written, and as the command gives it back (WHATWG's serialisation). */
const publicUrl = fc
  .record({
    scheme: fc.constantFrom('http', 'https', 'HTTP', 'Https', 'hTtP'),
    host: fc.oneof(fc.domain(), fc.constantFrom('localhost', '127.0.0.1', '[::1]')),
    port: opt(fc.integer({ min: 1, max: 65535 })),
    path: opt(fc.array(fc.stringMatching(/^[a-z0-9_~-]{1,8}$/), { maxLength: 3 })),
    slash: fc.boolean(),
  })
  .map(({ scheme, host, port, path, slash }) => {
    const s = scheme.toLowerCase();
    const defaultPort = s === 'http' ? 80 : 443;
    const shownPort = port === undefined ? '' : `:${port}`;
    const keptPort = port === undefined || port === defaultPort ? '' : `:${port}`;
    const p = path === undefined ? '' : `/${path.join('/')}${slash && path.length > 0 ? '/' : ''}`;
    return {
      text: `${scheme}://${host}${shownPort}${p}`,
      url: `${s}://${host}${keptPort}${p === '' ? '/' : p}`,
    };
  });

/** A project name: any text with something besides white space, padded with white space. */
const projectName = fc
  .record({
    core: fc
      .oneof(nonEmpty, fc.constantFrom('checkout', '-x', '--help', 'project', 'add'))
      .filter((s) => s.trim() === s && s !== ''),
    before: fc.constantFrom('', ' ', '\t', '  \n'),
    after: fc.constantFrom('', ' ', '\u00a0', '\n'),
  })
  .map(({ core, before, after }) => ({ written: before + core + after, name: core }));

const projectAddCase: fc.Arbitrary<Case> = fc
  .record({ name: projectName, dataDir: opt(nonEmpty), url: opt(publicUrl) })
  .chain(({ name, dataDir, url }) => {
    const flags = (<(readonly [string, string | undefined])[]>[
      ['data-dir', dataDir],
      ['public-url', url?.text],
    ]).filter((f): f is Flag => f[1] !== undefined);
    const expected: Command = {
      kind: 'project add',
      name: name.name,
      dataDir: dataDir ?? DEFAULT_DATA_DIR,
      publicUrl: url?.url ?? DEFAULT_PUBLIC_URL,
    };
    return shape(flags.length).map((s) => ({
      argv: argv(flags, ['project', 'add', name.written], s),
      expected,
    }));
  });

/** --help (or -h) once, beside any positionals and well-formed flags but itself: help wins. */
const helpCase: fc.Arbitrary<Case> = fc
  .record({
    help: fc.constantFrom('--help', '-h'),
    words: fc.array(
      fc.oneof(
        fc.constantFrom('serve', 'project', 'add', 'frobnicate'),
        nonEmpty.filter((w) => !w.startsWith('-')),
      ),
      { maxLength: 3 },
    ),
    flags: fc.uniqueArray(
      fc.tuple(
        fc.constantFrom('port', 'data-dir', 'api-token', 'public-url', 'scrub', 'retention-days'),
        fc.oneof(fc.string(), fc.constantFrom('', 'x', '99999999')),
      ),
      { selector: ([name]) => name, maxLength: 4 },
    ),
  })
  .chain(({ help, words, flags }) =>
    fc.record({ s: shape(flags.length), helpAt: fc.boolean() }).map(({ s, helpAt }) => {
      // Not after `--`, where it is a positional, nor between a flag and its value.
      const rest = argv(flags, words, { ...s, dashes: false });
      return { argv: helpAt ? [help, ...rest] : [...rest, help], expected: { kind: 'help' } };
    }),
  );

/** The UsageError parseCommand throws for `args` (a test failure if it returns or throws another). */
function refusal(args: readonly string[]): UsageError {
  let command;
  try {
    command = parseCommand(args);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(args)} was read as ${JSON.stringify(command)}`);
}

describe('parseCommand (property)', () => {
  it('reads every well-formed serve, project add and help command line to the command its generator meant (10k cases)', () => {
    fc.assert(
      fc.property(fc.oneof(serveCase, projectAddCase, helpCase), ({ argv: a, expected }) => {
        expect(parseCommand(a)).toEqual(expected);
      }),
      { numRuns: 10_000 },
    );
  });

  /** Its message names one of these: a flag as given, a word, or a word quoted. */
  function names(message: string, args: readonly string[]): boolean {
    if (message === 'no command given') return true;
    return args.some((a) => {
      const flag = /^(--?[^=]+)/.exec(a)?.[1];
      // Node's parseArgs splits a group of short flags by UTF-16 unit: `-😀` is named `-\ud83d`.
      const shorts =
        a.startsWith('-') && !a.startsWith('--')
          ? a
              .slice(1)
              .split('')
              .map((c) => `-${c}`)
          : [];
      return (
        (a.trim() !== '' && message.includes(a)) ||
        message.includes(JSON.stringify(a)) ||
        (flag !== undefined && message.includes(flag)) ||
        shorts.some((s) => message.includes(s))
      );
    });
  }

  const token = fc.oneof(
    fc.constantFrom(
      'serve',
      'project',
      'add',
      'help',
      '--help',
      '-h',
      '-hh',
      '--',
      '-',
      '',
      ' ',
      '--port',
      '--port=',
      '--port=65536',
      '--port=1e3',
      '--data-dir',
      '--data-dir=',
      '--api-token',
      '--public-url',
      '--public-url=ftp://x',
      '--events-per-minute',
      '--retention-days=-1',
      '--scrub',
      '--scrub=yes',
      '--no-scrub',
      '--toString',
      '--__proto__',
      '--constructor=1',
      '-p',
      '-x',
      '-hé',
      '-😀',
      '9300',
      'checkout',
    ),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.string({ maxLength: 6 }).map((s) => `--${s}`),
    fc
      .tuple(
        fc.constantFrom('port', 'data-dir', 'scrub', 'public-url', 'help'),
        fc.string({ maxLength: 6 }),
      )
      .map(([n, v]) => `--${n}=${v}`),
  );

  it('reads an arbitrary argv to a command, or refuses it with a UsageError naming the flag or word at fault (10k cases)', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 7 }), (args) => {
        let command: Command;
        try {
          command = parseCommand(args);
        } catch (err) {
          if (!(err instanceof UsageError)) throw err;
          if (!names(err.message, args))
            throw new Error(
              `${JSON.stringify(err.message)} names nothing in ${JSON.stringify(args)}`,
            );
          return;
        }
        expect(['help', 'serve', 'project add']).toContain(command.kind);
      }),
      { numRuns: 10_000 },
    );
  });

  const blank = fc.constantFrom('', ' ', '\t', '\n', '\u00a0');
  it('names every word of an unknown command, a blank one quoted (5k cases)', () => {
    const word = fc.oneof(
      fc.string({ maxLength: 6 }).filter((w) => !w.startsWith('-')),
      blank,
    );
    const words = fc
      .array(word, { minLength: 1, maxLength: 4 })
      .filter(
        (ws) =>
          !(ws[0] === 'serve' && ws.length === 1) &&
          !(ws[0] === 'project' && ws[1] === 'add' && ws.length === 3),
      );
    fc.assert(
      fc.property(words, (ws) => {
        const { message } = refusal(ws);
        expect(message.startsWith('unknown command: ')).toBe(true);
        for (const w of ws)
          if (w.trim() === '') expect(message).toContain(JSON.stringify(w));
          else expect([w, JSON.stringify(w)].some((shown) => message.includes(shown))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  /** The flags of an argv: what starts with `--` before a `--` of its own. */
  const flagsOf = (a: readonly string[]) =>
    (a.includes('--') ? a.slice(0, a.indexOf('--')) : a).filter((x) => x.startsWith('--'));

  /** A valid command line with one thing wrong, and the flag the refusal must name. */
  const notInteger = fc.oneof(
    fc.constantFrom(
      '',
      '1e3',
      '0x10',
      '+1',
      ' 1',
      '1 ',
      '1.5',
      'NaN',
      'Infinity',
      '١٢',
      '9'.repeat(16),
    ),
    fc.string({ maxLength: 6 }).filter((s) => !/^[0-9]+$/.test(s)),
  );
  const badUrl = fc.oneof(
    fc.constantFrom(
      'notaurl',
      'ftp://host.example',
      'http://',
      'https:///path',
      '//host.example',
      'http://u:p@host.example',
      'http://u@host.example',
      'https://host.example/?',
      'https://host.example/#',
      'https://host.example/x?a=1',
      'http://host:99999',
      'http://ho st',
      '',
    ),
    fc.string({ maxLength: 12 }).filter((s) => !/^https?:\/\//i.test(s)),
  );
  const broken: fc.Arbitrary<{ argv: string[]; flag: string }> = fc.oneof(
    fc
      .record({
        c: serveCase,
        flag: fc.constantFrom('events-per-minute', 'retention-days', 'port'),
        v: notInteger,
      })
      .map(({ c, flag, v }) => ({
        argv: [...c.argv.filter((a) => a !== '--'), `--${flag}=${v}`],
        flag,
      })),
    fc
      .record({ c: serveCase, p: fc.integer({ min: 65536, max: 999_999_999_999_999 }) })
      .map(({ c, p }) => ({
        argv: [`--port=${p}`, ...c.argv],
        flag: 'port',
      })),
    fc
      .record({ c: serveCase, v: fc.string().filter((s) => s !== 'true' && s !== 'false') })
      .map(({ c, v }) => ({
        argv: [`--scrub=${v}`, ...c.argv],
        flag: 'scrub',
      })),
    fc.record({ c: fc.oneof(serveCase, projectAddCase) }).map(({ c }) => ({
      argv: ['--data-dir=', ...c.argv],
      flag: 'data-dir',
    })),
    fc.record({ c: projectAddCase, v: badUrl }).map(({ c, v }) => ({
      argv: [`--public-url=${v}`, ...c.argv],
      flag: 'public-url',
    })),
    fc.record({ c: serveCase, v: fc.string() }).map(({ c, v }) => ({
      argv: [`--public-url=${v}`, ...c.argv],
      flag: 'public-url',
    })),
    fc
      .record({
        c: projectAddCase,
        flag: fc.constantFrom('port', 'api-token', 'events-per-minute', 'retention-days', 'scrub'),
        v: fc.string(),
      })
      .map(({ c, flag, v }) => ({ argv: [`--${flag}=${v}`, ...c.argv], flag })),
    // A flag given twice, the second time in the other form or with the same value.
    fc
      .record({ c: fc.oneof(serveCase, projectAddCase), pick: fc.nat() })
      .filter(({ c }) => flagsOf(c.argv).length > 0)
      .map(({ c, pick }) => {
        const given = flagsOf(c.argv);
        const flag = /^--([^=]+)/.exec(given[pick % given.length] as string)?.[1] as string;
        return { argv: [`--${flag}=x`, ...c.argv], flag };
      }),
  );

  it('refuses a well-formed command line with one flag made wrong, naming that flag (10k cases)', () => {
    fc.assert(
      fc.property(broken, ({ argv: a, flag }) => {
        expect(refusal(a).message).toContain(`--${flag}`);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('parseCommand', () => {
  it.each([
    [[''], 'unknown command: ""'],
    [['serve', ' '], 'unknown command: serve " "'],
    [['project', 'add', 'web', '\t'], 'project add takes one project name, got 2: web "\\t"'],
  ])(
    'quotes a blank word of a command line it refuses %j, which plain named nothing',
    (args, message) => {
      expect(() => parseCommand(args)).toThrow(new UsageError(message));
    },
  );
});
