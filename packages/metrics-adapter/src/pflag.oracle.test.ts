// The command line against spf13/pflag itself, which prometheus-adapter's main parses os.Args
// with: 5,000 random command lines a run, built here from this adapter's flags (long names with
// `=` or the next word, bare booleans, klog's -v shorthand, -h, --help, --, -, words, unknown
// names, one dash before a long name) and values read as each flag's type reads them (base-0
// ints, booleans, durations, CSV string slices with quotes and line breaks), some of them
// one character off, are parsed by pflag (testdata/pflag-oracle, each flag of the type of
// upstream's, klog's added from a Go flag set as upstream adds them) and here (readFlagArgs and
// the readers parseFlags reads each value with). Both must refuse, both answer help, or both
// set the same flags to the same values and leave the same words. The e2e suite needs Go too;
// without it this test fails, naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from './testing/go-oracle';
import { oneCharOff } from './testing/near-miss';
import { FLAG_TABLE, FLAGS, parseGoDuration } from './flags';
import {
  FlagError,
  goCsvRecord,
  goParseBool,
  goParseInt,
  goParseUint64,
  readFlagArgs,
} from './pflag';

type GoKind = 'string' | 'slice' | 'array' | 'bool' | 'duration' | 'int' | 'uint64' | 'level';
type Answer =
  { error: string } | { help: true } | { set?: Record<string, string>; args?: string[] };

/** Each flag of the type upstream reads it as; `help` is none (pflag answers it with ErrHelp). */
const goKind = (name: string): GoKind => {
  const { kind, goType } = FLAGS[name] ?? {};
  if (name === 'v') return 'level';
  if (name === 'prometheus-header') return 'array';
  if (kind === 'list' || goType === 'stringSlice') return 'slice';
  if (kind === 'bool' || kind === 'ignored-bool') return 'bool';
  if (kind === 'duration' || kind === 'int') return kind;
  if (goType === 'int' || goType === 'uint64' || goType === 'duration') return goType;
  return 'string';
};
const SPECS = Object.keys(FLAGS)
  .filter((name) => name !== 'help')
  .map((name) => ({ name, kind: goKind(name) }));
/** One flag of each type, and the names around them. */
const name = fc.constantFrom(
  'prometheus-url',
  'config',
  'prometheus-header',
  'requestheader-allowed-names',
  'tls-cipher-suites',
  'presets',
  'logtostderr',
  'metrics-relist-interval',
  'secure-port',
  'v',
  'vmodule',
  'help',
  'audit-log-maxage',
  'log_file_max_size',
  'discovery-interval',
  'authorization-always-allow-paths',
  'nope',
  'h',
  'Config',
  'log_dir',
);
const value = fc.oneof(
  fc.constantFrom(
    '443',
    '0x1bb',
    '0o7',
    '0673',
    '0b101',
    '1_000',
    '_1',
    '1__0',
    '0_x',
    '+5',
    '-1',
    '0x',
    '0',
  ),
  fc.constantFrom(
    '9223372036854775807',
    '9223372036854775808',
    '2147483647',
    '2147483648',
    '-2147483648',
  ),
  fc.constantFrom('true', 'false', '1', '0', 't', 'F', 'TRUE', 'yes', ''),
  fc.constantFrom('1m', '90s', '-1s', '1.5h', '1d', '0', ''),
  fc.constantFrom(
    'a,b',
    '"a,b",c',
    'a"b',
    '"a',
    '"a""b"',
    ' ',
    'a,,b',
    '\n',
    'a\nb',
    '"a\nb",c',
    '\r\n',
    '"a"\r',
    '"a" ,b',
    'a\r\nb',
    ',',
  ),
  fc.constantFrom('http://p:9090', '-', '--', '-v', '=', 'x=y', 'X-Scope-OrgID=t'),
  fc.string({ maxLength: 6 }),
);
const word = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(name, value).map(([n, v]) => [`--${n}=${v}`]) },
  { weight: 3, arbitrary: fc.tuple(name, value).map(([n, v]) => [`--${n}`, v]) },
  { weight: 2, arbitrary: name.map((n) => [`--${n}`]) },
  { weight: 2, arbitrary: value.map((v) => [`-v${v}`]) },
  fc.tuple(name, value).map(([n, v]) => [`-${n}=${v}`]),
  value.map((v) => [`-v=${v}`]),
  fc.constantFrom(
    ['-v'],
    ['-h'],
    ['-hv'],
    ['--'],
    ['-'],
    ['word'],
    [''],
    ['-test.v'],
    ['---x'],
    ['--=x'],
    ['-x'],
  ),
);
const argv = fc.array(word, { maxLength: 5 }).map((words) => words.flat());
/** A command line with one word one character off. */
const mutated = fc
  .tuple(argv, fc.nat())
  .chain(([a, at]) =>
    a.length === 0
      ? fc.constant(a)
      : oneCharOff(
          fc.constant(a[at % a.length] as string),
          fc.constantFrom('-', '=', ',', '"', 'v', ' ', '\n'),
        ).map((w) => a.map((x, i) => (i === at % a.length ? w : x))),
  );

/** What this adapter reads, in the oracle's terms. */
function ours(words: string[]): Answer {
  let read;
  try {
    read = readFlagArgs(words, FLAG_TABLE);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    return { error: err.message };
  }
  if (read.help) return { help: true };
  const values = new Map<string, string[]>();
  for (const f of read.flags) values.set(f.name, [...(values.get(f.name) ?? []), f.value]);
  const set: Record<string, string> = {};
  for (const [n, vs] of values) {
    const last = vs[vs.length - 1] as string;
    const kind = goKind(n);
    const number = (r: ReturnType<typeof goParseInt>) =>
      'value' in r ? r.value.toString() : 'unread';
    if (kind === 'slice')
      set[n] = JSON.stringify(
        vs.flatMap((v) => {
          const r = goCsvRecord(v);
          return 'fields' in r ? r.fields : ['unread'];
        }),
      );
    else if (kind === 'array') set[n] = JSON.stringify(vs);
    else if (kind === 'bool') set[n] = String(goParseBool(last));
    else if (kind === 'duration') set[n] = `${parseGoDuration(last, n)}ms`;
    else if (kind === 'int') set[n] = number(goParseInt(last, 0, 64));
    else if (kind === 'level') set[n] = number(goParseInt(last, 10, 32));
    else if (kind === 'uint64') set[n] = number(goParseUint64(last, 0));
    else set[n] = last;
  }
  return { set: sorted(set), args: [...read.positionals] };
}

/** The flags set, by name, as Go's map comes out of its JSON. */
const sorted = (set: Record<string, string>) =>
  Object.fromEntries(Object.entries(set).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Go's answer in ours' terms: a duration's nanoseconds as milliseconds, as a float64 holds them. */
function go(answer: Answer): Answer {
  if (!('set' in answer) && !('args' in answer) && ('error' in answer || 'help' in answer))
    return answer;
  const a = answer as { set?: Record<string, string>; args?: string[] };
  const set: Record<string, string> = {};
  for (const [n, v] of Object.entries(a.set ?? {}))
    set[n] =
      goKind(n) === 'duration'
        ? `${Number(BigInt(v)) / 1e6}ms`
        : /^(slice|array)$/.test(goKind(n))
          ? JSON.stringify(JSON.parse(v)) // as JSON.stringify writes it, not Go's \u003c
          : v;
  return { set: sorted(set), args: a.args ?? [] };
}

describe('the command line against spf13/pflag', () => {
  it('refuses what pflag refuses and reads what it reads, for 5,000 random command lines', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const argvs = fc.sample(fc.oneof(argv, argv, mutated), { numRuns: 5_000, seed });
    const answers = askGoOracle<Answer[]>(
      'the spf13/pflag oracle',
      join(__dirname, 'testdata', 'pflag-oracle'),
      {
        flags: SPECS,
        argvs,
      },
    );
    const differ: unknown[] = [];
    const seen = { read: 0, refused: 0, help: 0 };
    for (const [i, words] of argvs.entries()) {
      const want = go(answers[i] as Answer);
      const got = ours(words);
      if ('error' in want && 'error' in got) seen.refused++;
      else if ('help' in want && 'help' in got) seen.help++;
      else if (JSON.stringify(want) === JSON.stringify(got)) seen.read++;
      else differ.push({ argv: words, pflag: answers[i], ours: got });
    }
    expect({ seed, differ: differ.slice(0, 20) }).toEqual({ seed, differ: [] });
    // The command lines reach every outcome often enough for the comparison to mean something.
    expect(seen.read).toBeGreaterThan(1_000);
    expect(seen.refused).toBeGreaterThan(1_000);
    expect(seen.help).toBeGreaterThan(100);
  });
});
