// The command line as prometheus-adapter's reads it: spf13/pflag's FlagSet.Parse over os.Args,
// and the Go readers its flag types set their values with (strconv.ParseInt and ParseBool,
// encoding/csv for a string slice). flags.ts says which flags there are and what each means;
// this module only reads. pflag.oracle.test.ts asks pflag itself.

/** A command-line error, worded as pflag words it where it has the same cause. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** A flag as given: its name, and its value as text (`true` for a bare boolean). */
export interface GivenFlag {
  readonly name: string;
  readonly value: string;
}

export interface FlagArgs {
  /** In the order given, each value checked by `check` as it was read. */
  readonly flags: readonly GivenFlag[];
  /** Words that are no flag, and all after `--`: pflag leaves them for the program. */
  readonly positionals: readonly string[];
  /** `--help` or `-h` came before any error: pflag stops there (ErrHelp). */
  readonly help: boolean;
}

export interface FlagTable {
  /** Whether the flag exists, and whether it is a boolean (pflag's NoOptDefVal "true"). */
  kind(name: string): 'value' | 'bool' | undefined;
  /** Reads one value as the flag's type does; throws a FlagError naming the flag. */
  check(name: string, value: string): void;
}

/** The one shorthand: klog's -v, which pflag's AddGoFlag gives every one-letter Go flag. */
const SHORTHAND = 'v';

/**
 * argv as pflag's parseArgs reads it: `--name=value`, `--name value`, a bare `--name` for a
 * boolean (never the next word: `--presets false` leaves `false` as a word); `-v4`, `-v=4` or
 * `-v 4`; any other word after one dash is a shorthand that does not exist, so
 * `-prometheus-url=x` is an error, as it is upstream; `-` alone and words without a dash are
 * left for the program, `--` leaves everything after it; `-h` and `--help` stop the reading.
 */
export function readFlagArgs(argv: readonly string[], table: FlagTable): FlagArgs {
  const flags: GivenFlag[] = [];
  const positionals: string[] = [];
  const give = (name: string, value: string) => {
    table.check(name, value);
    flags.push({ name, value });
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.length < 2 || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const body = arg.slice(2);
      if (body.startsWith('-') || body.startsWith('='))
        throw new FlagError(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      // `--help` is no flag in upstream's set: pflag answers it with its usage, whatever follows.
      if (name === 'help') return { flags, positionals, help: true };
      const kind = table.kind(name);
      if (!kind) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) give(name, body.slice(eq + 1));
      else if (kind === 'bool') give(name, 'true');
      else if (i + 1 < argv.length) give(name, argv[++i] as string);
      else throw new FlagError(`flag needs an argument: ${arg}`);
      continue;
    }
    // One dash: shorthand letters. -v takes the rest of the word, or the next word. pflag
    // skips a word that starts -test. (go test's flags) whole.
    if (arg.startsWith('-test.')) continue;
    const letter = arg[1] as string;
    if (letter === 'h') return { flags, positionals, help: true };
    if (letter !== SHORTHAND) throw new FlagError(`unknown shorthand flag: '${letter}' in ${arg}`);
    if (arg.length > 3 && arg[2] === '=') give('v', arg.slice(3));
    else if (arg.length > 2) give('v', arg.slice(2));
    else if (i + 1 < argv.length) give('v', argv[++i] as string);
    else throw new FlagError(`flag needs an argument: 'v' in ${arg}`);
  }
  return { flags, positionals, help: false };
}

/** Go's strconv.ParseBool, which pflag's booleans (klog's too) use: these spellings only. */
export function goParseBool(text: string): boolean | undefined {
  if (/^(1|t|T|TRUE|true|True)$/.test(text)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(text)) return false;
  return undefined;
}

/** strconv's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let s = text.replace(/^[+-]/, '');
  let saw = '^';
  const hex = /^0x/i.test(s);
  if (/^0[box]/i.test(s)) {
    s = s.slice(2);
    saw = '0';
  }
  for (const c of s) {
    if (/[0-9]/.test(c) || (hex && /[a-f]/i.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

type Parsed = { value: bigint } | { error: 'invalid syntax' | 'value out of range' };
const SYNTAX = { error: 'invalid syntax' } as const;
const RANGE = { error: 'value out of range' } as const;

/** strconv.ParseUint's digits, before its range check: base 0 reads a prefix and `_`. */
function unsignedDigits(s: string, base: 0 | 10): Parsed {
  if (s === '') return SYNTAX;
  let radix = 10;
  let digits = s;
  if (base === 0 && s.startsWith('0')) {
    const prefix = s.length >= 3 ? (s[1] as string).toLowerCase() : '';
    const radixOf: Record<string, number> = { b: 2, o: 8, x: 16 };
    radix = radixOf[prefix] ?? 8;
    digits = s.slice(radixOf[prefix] ? 2 : 1);
  }
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    if (c === '_' && base === 0) {
      underscores = true;
      continue;
    }
    const d = /^[0-9a-z]$/i.test(c) ? parseInt(c, 36) : NaN;
    if (!(d < radix)) return SYNTAX;
    n = n * BigInt(radix) + BigInt(d);
  }
  if (underscores && !underscoreOK(s)) return SYNTAX;
  return { value: n };
}

/**
 * Go's strconv.ParseInt(text, base, bits): pflag's int flags (`--secure-port`) read base 0,
 * which takes a sign, a 0x, 0o, 0b or bare 0 (octal) prefix and `_` between digits; klog's
 * `-v` reads base 10 into 32 bits. The number, or Go's reason.
 */
export function goParseInt(text: string, base: 0 | 10, bits: 32 | 64): Parsed {
  const negative = text.startsWith('-');
  const read = unsignedDigits(/^[+-]/.test(text) ? text.slice(1) : text, base);
  if ('error' in read) return read;
  const limit = 1n << BigInt(bits - 1);
  if (negative ? read.value > limit : read.value >= limit) return RANGE;
  return { value: negative ? -read.value : read.value };
}

/** Go's strconv.ParseUint(text, base, 64), as klog's uint64 flags read: no sign. */
export function goParseUint64(text: string, base: 0 | 10): Parsed {
  const read = unsignedDigits(text, base);
  if ('error' in read) return read;
  return read.value >= 1n << 64n ? RANGE : read;
}

/**
 * The first record of `text` as Go's encoding/csv reads it, as pflag's string slices read each
 * value (readAsCSV): fields split at commas, a field in double quotes may hold commas, `""` and
 * line breaks; empty lines before it skipped, lines after it not read. `""` is no fields.
 * Go's reason (`bare " in non-quoted-field`) when a quote is out of place.
 */
export function goCsvRecord(text: string): { fields: string[] } | { error: string } {
  if (text === '') return { fields: [] };
  // encoding/csv's readLine: lines end at \n, \r\n read as \n, a \r before the end dropped.
  const lines = text.split(/(?<=\n)/).map((l) => l.replace(/\r\n$/, '\n'));
  const last = lines.length - 1;
  lines[last] = (lines[last] as string).replace(/\r$/, '');
  let at = 0;
  while (at < lines.length && (lines[at] === '\n' || lines[at] === '')) at++;
  if (at === lines.length) return { error: 'EOF' };
  let line = lines[at++] as string;
  const fields: string[] = [];
  for (;;) {
    if (!line.startsWith('"')) {
      const comma = line.indexOf(',');
      const field = comma >= 0 ? line.slice(0, comma) : line.replace(/\n$/, '');
      if (field.includes('"')) return { error: 'bare " in non-quoted-field' };
      fields.push(field);
      if (comma < 0) return { fields };
      line = line.slice(comma + 1);
      continue;
    }
    line = line.slice(1);
    let field = '';
    for (;;) {
      const quote = line.indexOf('"');
      if (quote >= 0) {
        field += line.slice(0, quote);
        line = line.slice(quote + 1);
        if (line.startsWith('"')) {
          field += '"';
          line = line.slice(1);
        } else if (line.startsWith(',')) {
          fields.push(field);
          line = line.slice(1);
          break;
        } else if (line === '' || line === '\n') {
          fields.push(field);
          return { fields };
        } else return { error: 'extraneous or missing " in quoted-field' };
      } else if (line !== '') {
        field += line;
        line = at < lines.length ? (lines[at++] as string) : '';
      } else return { error: 'extraneous or missing " in quoted-field' };
    }
  }
}
