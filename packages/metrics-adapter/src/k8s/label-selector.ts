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

/**
 * The requirements ordered by key as labels.Parse orders them, with Go's sort.Sort, which past 12
 * requirements leaves those of one key in an order of its own: Selector.String()'s order.
 */
export function inSelectorOrder(reqs: readonly Requirement[]): Requirement[] {
  const sorted = [...reqs];
  goSort(sorted, (a, b) => a.key < b.key);
  return sorted;
}

/** The selector in Kubernetes' canonical text form (Selector.String()). */
export function formatLabelSelector(reqs: readonly Requirement[]): string {
  return inSelectorOrder(reqs)
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

/** bits.Len: the number of bits needed to write n (n ≥ 0, below 2^32). */
const bitsLen = (n: number) => 32 - Math.clz32(n);

/**
 * Go's sort.Sort (pattern-defeating quicksort, Go 1.19 and later; src/sort/zsortinterface.go),
 * step by step, so that elements `less` holds equal end in the order Go leaves them in: the
 * selector's own order up to 12 (an insertion sort), another past that.
 */
function goSort<T>(data: T[], less: (x: T, y: T) => boolean): void {
  if (data.length <= 12) {
    // pdqsort's whole work on a short slice, without building the rest: an insertion sort.
    for (let i = 1; i < data.length; i++) {
      for (let j = i; j > 0 && less(data[j] as T, data[j - 1] as T); j--) {
        [data[j], data[j - 1]] = [data[j - 1] as T, data[j] as T];
      }
    }
    return;
  }
  const lessAt = (i: number, j: number) => less(data[i] as T, data[j] as T);
  const swap = (i: number, j: number) => {
    const t = data[i] as T;
    data[i] = data[j] as T;
    data[j] = t;
  };
  const insertionSort = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
    }
  };
  const siftDown = (lo: number, hi: number, first: number) => {
    let root = lo;
    for (;;) {
      let child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && lessAt(first + child, first + child + 1)) child++;
      if (!lessAt(first + root, first + child)) return;
      swap(first + root, first + child);
      root = child;
    }
  };
  const heapSort = (a: number, b: number) => {
    const hi = b - a;
    for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(i, hi, a);
    for (let i = hi - 1; i >= 0; i--) {
      swap(a, a + i);
      siftDown(0, i, a);
    }
  };
  const breakPatterns = (a: number, b: number) => {
    const length = b - a;
    if (length < 8) return;
    let random = BigInt(length); // xorshift, uint64
    const mask = BigInt(2 ** bitsLen(length) - 1);
    const next = () => {
      random ^= (random << 13n) & 0xffffffffffffffffn;
      random ^= random >> 7n;
      random ^= (random << 17n) & 0xffffffffffffffffn;
      return random;
    };
    const mid = a + Math.floor(length / 4) * 2;
    for (let idx = mid - 1; idx <= mid + 1; idx++) {
      let other = Number(next() & mask);
      if (other >= length) other -= length;
      swap(idx, a + other);
    }
  };
  type Hint = 'unknown' | 'increasing' | 'decreasing';
  const choosePivot = (a: number, b: number): [number, Hint] => {
    const l = b - a;
    let swaps = 0;
    const order2 = (x: number, y: number): [number, number] => {
      if (lessAt(y, x)) {
        swaps++;
        return [y, x];
      }
      return [x, y];
    };
    const median = (x: number, y: number, z: number) => {
      [x, y] = order2(x, y);
      [y, z] = order2(y, z);
      [x, y] = order2(x, y);
      return y;
    };
    let i = a + Math.floor(l / 4);
    let j = a + Math.floor(l / 4) * 2;
    let k = a + Math.floor(l / 4) * 3;
    if (l >= 8) {
      if (l >= 50) {
        i = median(i - 1, i, i + 1);
        j = median(j - 1, j, j + 1);
        k = median(k - 1, k, k + 1);
      }
      j = median(i, j, k);
    }
    return [j, swaps === 0 ? 'increasing' : swaps === 12 ? 'decreasing' : 'unknown'];
  };
  const reverseRange = (a: number, b: number) => {
    for (let i = a, j = b - 1; i < j; i++, j--) swap(i, j);
  };
  const partialInsertionSort = (a: number, b: number): boolean => {
    let i = a + 1;
    for (let step = 0; step < 5; step++) {
      while (i < b && !lessAt(i, i - 1)) i++;
      if (i === b) return true;
      if (b - a < 50) return false;
      swap(i, i - 1);
      if (i - a >= 2) {
        for (let j = i - 1; j >= 1; j--) {
          if (!lessAt(j, j - 1)) break;
          swap(j, j - 1);
        }
      }
      if (b - i >= 2) {
        for (let j = i + 1; j < b; j++) {
          if (!lessAt(j, j - 1)) break;
          swap(j, j - 1);
        }
      }
    }
    return false;
  };
  const partition = (a: number, b: number, pivot: number): [number, boolean] => {
    swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    while (i <= j && lessAt(i, a)) i++;
    while (i <= j && !lessAt(j, a)) j--;
    if (i > j) {
      swap(j, a);
      return [j, true];
    }
    swap(i, j);
    i++;
    j--;
    for (;;) {
      while (i <= j && lessAt(i, a)) i++;
      while (i <= j && !lessAt(j, a)) j--;
      if (i > j) break;
      swap(i, j);
      i++;
      j--;
    }
    swap(j, a);
    return [j, false];
  };
  const partitionEqual = (a: number, b: number, pivot: number): number => {
    swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    for (;;) {
      while (i <= j && !lessAt(a, i)) i++;
      while (i <= j && lessAt(a, j)) j--;
      if (i > j) return i;
      swap(i, j);
      i++;
      j--;
    }
  };
  const pdqsort = (a: number, b: number, limit: number): void => {
    let wasBalanced = true;
    let wasPartitioned = true;
    for (;;) {
      const length = b - a;
      if (length <= 12) {
        insertionSort(a, b);
        return;
      }
      if (limit === 0) {
        heapSort(a, b);
        return;
      }
      if (!wasBalanced) {
        breakPatterns(a, b);
        limit--;
      }
      let [pivot, hint] = choosePivot(a, b);
      if (hint === 'decreasing') {
        reverseRange(a, b);
        pivot = b - 1 - (pivot - a);
        hint = 'increasing';
      }
      if (wasBalanced && wasPartitioned && hint === 'increasing' && partialInsertionSort(a, b)) {
        return;
      }
      if (a > 0 && !lessAt(a - 1, pivot)) {
        a = partitionEqual(a, b, pivot);
        continue;
      }
      const [mid, alreadyPartitioned] = partition(a, b, pivot);
      wasPartitioned = alreadyPartitioned;
      const leftLen = mid - a;
      const rightLen = b - mid;
      const balanceThreshold = Math.floor(length / 8);
      if (leftLen < rightLen) {
        wasBalanced = leftLen >= balanceThreshold;
        pdqsort(a, mid, limit);
        a = mid + 1;
      } else {
        wasBalanced = rightLen >= balanceThreshold;
        pdqsort(mid + 1, b, limit);
        b = mid;
      }
    }
  };
  pdqsort(0, data.length, bitsLen(data.length));
}
