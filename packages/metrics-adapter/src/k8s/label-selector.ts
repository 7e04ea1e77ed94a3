// Kubernetes label selectors, the full grammar of k8s.io/apimachinery/pkg/labels:
//
//   selector    ::= "" | requirement ("," requirement)*
//   requirement ::= "!" KEY | KEY [ ("in" | "notin") "(" VALUE ("," VALUE)* ")"
//                                 | ("=" | "==" | "!=") VALUE | (">" | "<") INTEGER ]
//
// KEY is a qualified name (optional DNS-subdomain prefix and "/", then a name of at most 63
// characters); VALUE is empty or a name of at most 63 characters. Errors name the selector, the
// position and what was expected, as the adapter answers them in a 400 Status.

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and de-duplicated, as Kubernetes keeps them; empty for exists / does-not-exist. */
  readonly values: readonly string[];
}

export class LabelSelectorError extends Error {
  constructor(
    readonly selector: string,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid label selector ${JSON.stringify(selector)}: at position ${position}: ${detail}`);
    this.name = 'LabelSelectorError';
  }
}

type TokenKind =
  'id' | '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '>' | '<' | 'in' | 'notin' | 'eos';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

const SYMBOLS = ['!=', '==', '!', '=', '(', ')', ',', '>', '<'] as const;
// apimachinery's isWhitespace: \f and \v are not, so they end up in a key or value and are refused.
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isSpecial = (c: string) => isSpace(c) || '!=(),><'.includes(c);

// apimachinery's lexer reads a NUL as it reads the end of its input: a NUL that ends a token is
// taken with it, and one where a token would start ends the selector, whatever follows
// ("a\0=b" and "a=b \0junk" are a=b; "a=b\0junk" is refused, as "a=b junk").
const NUL = '\0';

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === NUL) break;
    const sym = SYMBOLS.find((s) => input.startsWith(s, i));
    if (sym) {
      tokens.push({ kind: sym, text: sym, pos: i });
      i += sym.length;
    } else {
      let j = i;
      while (j < input.length && !isSpecial(input[j] as string) && input[j] !== NUL) j++;
      const text = input.slice(i, j);
      const kind = text === 'in' ? 'in' : text === 'notin' ? 'notin' : 'id';
      tokens.push({ kind, text, pos: i });
      i = j;
    }
    if (input[i] === NUL) i++;
  }
  tokens.push({ kind: 'eos', text: '', pos: Math.min(i, input.length) });
  return tokens;
}

/** A token read as a key or value: `in` and `notin` are names there, as apimachinery reads them. */
const isWord = (tok: Token) => tok.kind === 'id' || tok.kind === 'in' || tok.kind === 'notin';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `label key ${JSON.stringify(key)} has an empty prefix`;
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `label key prefix ${JSON.stringify(prefix)} must be a DNS subdomain (lower-case letters, digits, "-" and ".", at most 253 characters)`;
    }
  }
  if (name.length === 0) return `label key ${JSON.stringify(key)} has an empty name`;
  if (name.length > 63)
    return `label key name ${JSON.stringify(name)} is longer than 63 characters`;
  if (!NAME.test(name)) {
    return `label key name ${JSON.stringify(name)} must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `label value ${JSON.stringify(value)} is longer than 63 characters`;
  if (!NAME.test(value)) {
    return `label value ${JSON.stringify(value)} must be empty or letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/**
 * A label value as strconv.ParseInt(v, 10, 64) reads it, or undefined where that fails: an
 * optional sign, decimal digits (leading zeros allowed, however many), within int64.
 */
function parseInt64(v: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(v)) return undefined;
  const n = BigInt(v);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

/**
 * `>` and `<` take a value that ParseInt reads and that is a valid label value too, as
 * NewRequirement checks both: digits only (no sign), zero-padded to any length up to 63.
 */
const isGtLtValue = (v: string) =>
  labelValueProblem(v) === undefined && parseInt64(v) !== undefined;

class Parser {
  private i = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private fail(tok: Token, detail: string): never {
    throw new LabelSelectorError(this.input, tok.pos, detail);
  }
  private found(tok: Token): string {
    return tok.kind === 'eos' ? 'end of selector' : JSON.stringify(tok.text);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    if (this.peek().kind === 'eos') return reqs;
    for (;;) {
      reqs.push(this.requirement());
      const tok = this.next();
      if (tok.kind === 'eos') return reqs;
      if (tok.kind !== ',')
        this.fail(tok, `expected "," or end of selector, found ${this.found(tok)}`);
    }
  }

  private key(): string {
    const tok = this.next();
    // Where a key belongs, `in` and `notin` are keys like any other, as apimachinery reads them.
    if (!isWord(tok)) this.fail(tok, `expected a label key, found ${this.found(tok)}`);
    const problem = labelKeyProblem(tok.text);
    if (problem) this.fail(tok, problem);
    return tok.text;
  }

  private value(): string {
    const tok = this.peek();
    // `key=` and `key=,…` hold an empty value, as in Kubernetes.
    if (tok.kind === 'eos' || tok.kind === ',') return '';
    this.next();
    if (!isWord(tok)) this.fail(tok, `expected a label value, found ${this.found(tok)}`);
    return this.checked(tok);
  }

  private checked(tok: Token): string {
    const problem = labelValueProblem(tok.text);
    if (problem) this.fail(tok, problem);
    return tok.text;
  }

  private requirement(): Requirement {
    if (this.peek().kind === '!') {
      this.next();
      return { key: this.key(), operator: '!', values: [] };
    }
    const key = this.key();
    const op = this.next();
    switch (op.kind) {
      case 'eos':
      case ',':
        this.i--;
        return { key, operator: 'exists', values: [] };
      case '=':
      case '==':
      case '!=':
        return { key, operator: op.kind, values: [this.value()] };
      case 'in':
      case 'notin':
        return { key, operator: op.kind, values: this.valueSet(op.kind) };
      case '>':
      case '<': {
        const tok = this.next();
        if (tok.kind !== 'id' || !isGtLtValue(tok.text)) {
          this.fail(
            tok,
            `operator "${op.text}" needs a non-negative integer value (int64), found ${this.found(tok)}`,
          );
        }
        return { key, operator: op.kind === '>' ? 'gt' : 'lt', values: [tok.text] };
      }
      default:
        return this.fail(
          op,
          `expected one of in, notin, =, ==, !=, >, < after key ${JSON.stringify(key)}, found ${this.found(op)}`,
        );
    }
  }

  /**
   * `(` values `)`, step by step as apimachinery's parseValues and parseIdentifiersList: `()`,
   * `(a,)`, `(,a)` and `(a,,b)` hold an empty value; a "," read right after another is taken
   * with it, so that the next must be a value or a third "," (`(,,)` and `(a,,)` are refused,
   * `(,,,)` is not).
   */
  private valueSet(op: string): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(open, `expected "(" after "${op}", found ${this.found(open)}`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (!isWord(first) && first.kind !== ',') {
      this.fail(
        first,
        `expected a label value, "," or ")" in the value set, found ${this.found(first)}`,
      );
    }
    const values = new Set<string>();
    for (;;) {
      const tok = this.next();
      if (isWord(tok)) {
        values.add(this.checked(tok));
        const after = this.peek();
        if (after.kind === ')') break;
        if (after.kind !== ',')
          this.fail(after, `expected "," or ")" in the value set, found ${this.found(after)}`);
      } else if (tok.kind === ',') {
        if (values.size === 0) values.add('');
        const after = this.peek();
        if (after.kind === ')') {
          values.add('');
          break;
        }
        if (after.kind === ',') {
          this.next();
          values.add('');
        }
      } else {
        this.fail(
          tok,
          `expected a label value or "," after ",," in the value set, found ${this.found(tok)}`,
        );
      }
    }
    this.next(); // ")"
    return [...values].sort();
  }
}

/** Parses a label selector; throws LabelSelectorError naming the selector and the problem. */
export function parseLabelSelector(selector: string): Requirement[] {
  return new Parser(selector, lex(selector)).parse();
}

/** Whether a set of labels satisfies every requirement (an empty selector matches everything). */
export function matchesLabels(
  reqs: readonly Requirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
      case '==':
      case 'in':
        return has && r.values.includes(value as string);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(value as string);
      case 'gt':
      case 'lt': {
        // As Requirement.Matches: a label value ParseInt cannot read (not a number, or out of
        // int64's range) matches neither operator.
        const a = has ? parseInt64(value as string) : undefined;
        const b = parseInt64(r.values[0] as string);
        if (a === undefined || b === undefined) return false;
        return r.operator === 'gt' ? a > b : a < b;
      }
    }
  });
}

/** The selector in Kubernetes' canonical text form (Selector.String(): requirements by key). */
export function formatLabelSelector(reqs: readonly Requirement[]): string {
  return [...reqs]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${r.values.join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
        default:
          return `${r.key}${r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}
