// Go's text/template, as prometheus-adapter runs a metricsQuery (template.New(…).Delims("<<",
// ">>"), no functions of its own): fields and map entries, variables (`$`, `$x := …`, `$x = …`),
// pipelines (`.Series | printf "%s"`), `if` / `else if` / `else`, `range` (a slice, a map in key
// order, an int; with `$i, $v :=`, `else`, `break`, `continue`), `with` / `else with`, and the
// builtins and, or, not, len, index, eq, ne, lt, le, gt, ge, print, println and printf (verbs %v,
// %s, %d, %t and %%). What else Go has (define, template, block, slice, call, html, js,
// urlquery, character and float constants, integers not in decimal, printf flags, a new `$`) is
// refused when the config is read, naming it, never run as something else. Go's own
// text/template is the tests' oracle (go-template-engine.oracle.test.ts runs both).
import {
  scanGoTemplate,
  stringLiteral,
  TemplateError,
  type FieldKind,
  type TemplateValue,
} from './go-template';

/** The template's data: a struct (its fields in order) of strings, slices and maps. */
class Struct {
  constructor(readonly fields: ReadonlyMap<string, Value>) {}
}
/** A string's byte, as index gives it: Go's uint8, a number that prints its type as uint8. */
class Byte {
  constructor(readonly n: number) {}
}
type Value =
  | string
  | number
  | Byte
  | boolean
  | null
  | undefined
  | readonly string[]
  | ReadonlyMap<string, string>
  | Struct;

type Operand =
  | { readonly k: 'dot'; readonly chain: readonly string[] }
  | { readonly k: 'var'; readonly name: string; readonly chain: readonly string[] }
  | { readonly k: 'lit'; readonly value: Value }
  | { readonly k: 'func'; readonly name: string }
  | { readonly k: 'pipe'; readonly pipe: Pipe; readonly chain: readonly string[] };
interface Pipe {
  readonly vars: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly (readonly Operand[])[];
}
interface ControlNode {
  readonly k: 'if' | 'with' | 'range';
  readonly pipe: Pipe;
  readonly body: readonly Node[];
  readonly otherwise: readonly Node[];
}
type Node =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'print'; readonly pipe: Pipe }
  | ControlNode
  | { readonly k: 'break' | 'continue' };

const FUNCS = new Set([
  'and',
  'or',
  'not',
  'len',
  'index',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'print',
  'println',
  'printf',
]);
const REFUSED = new Set(['slice', 'call', 'html', 'js', 'urlquery']);
const KEYWORDS = new Set(['define', 'template', 'block']);

// --- lexing one action ---------------------------------------------------------------------

type Token = (
  | { readonly t: 'dot'; readonly chain: string[] }
  | { readonly t: 'var'; readonly name: string; readonly chain: string[] }
  | { readonly t: 'lit'; readonly value: Value }
  | { readonly t: 'ident'; readonly name: string }
  | { readonly t: 'field'; readonly chain: string[] }
  | { readonly t: '(' | ')' | '|' | ':=' | '=' | ',' }
) & {
  /** Whether space comes before it: Go's parser needs space between a command's operands. */
  readonly spaced?: boolean;
};

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const VAR_NAME = /[A-Za-z0-9_]+/y;
const CHAIN = /(?:\.[A-Za-z_][A-Za-z0-9_]*)+/y;

/** What may follow a name, a field or a variable in Go's lexer (atTerminator). */
const TERMINATOR = /[ \t\r\n.,|:()]/;

function lex(body: string): Token[] {
  const out: Token[] = [];
  const fail: (what: string) => never = (what) => {
    throw new TemplateError(`in <<${body}>>: ${what}`);
  };
  let spaced = false;
  const push = (token: Token) => {
    out.push(spaced ? { ...token, spaced } : token);
    spaced = false;
  };
  const chainAt = (i: number): [string[], number] => {
    CHAIN.lastIndex = i;
    const m = CHAIN.exec(body);
    return m ? [m[0].slice(1).split('.'), i + m[0].length] : [[], i];
  };
  // Go's lexer ends a name at a character no name holds, and refuses it unless it may follow one.
  const terminated = (i: number) => {
    if (i >= body.length || TERMINATOR.test(body[i] as string)) return;
    const name = body
      .slice(0, i)
      .split(/[\s(|]/)
      .pop() as string;
    fail(`bad character ${JSON.stringify(body[i])} after ${JSON.stringify(name)}`);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (/[ \t\r\n]/.test(c)) {
      spaced = true;
      i++;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < body.length && body[j] !== c) j += c === '"' && body[j] === '\\' ? 2 : 1;
      const value = stringLiteral(body.slice(i, j + 1));
      if (value === undefined) fail(`invalid string ${body.slice(i, j + 1)}`);
      push({ t: 'lit', value });
      i = j + 1;
    } else if (/[-+0-9]/.test(c) || (c === '.' && /[0-9]/.test(body[i + 1] ?? ''))) {
      const m = /[-+]?(?:0|[1-9][0-9]*)(?![A-Za-z0-9_.])/y;
      m.lastIndex = i;
      const n = m.exec(body);
      if (!n)
        fail(
          `number ${JSON.stringify(body.slice(i).split(/[\s)|]/)[0])} is not supported here (a decimal integer is)`,
        );
      const value = Number(n[0]);
      if (!Number.isSafeInteger(value)) fail(`number ${n[0]} is out of range`);
      push({ t: 'lit', value });
      i += n[0].length;
    } else if (c === '$') {
      // Go's lexer takes any letters, digits and _ after `$` for a name: `$0` is one.
      VAR_NAME.lastIndex = i + 1;
      const m = VAR_NAME.exec(body);
      const name = m ? m[0] : '';
      const [chain, next] = chainAt(i + 1 + name.length);
      terminated(next);
      push({ t: 'var', name: `$${name}`, chain });
      i = next;
    } else if (c === '.') {
      const [chain, next] = chainAt(i);
      terminated(chain.length === 0 ? i + 1 : next);
      push({ t: 'dot', chain });
      i = next === i ? i + 1 : next;
    } else if (c === ':' && body[i + 1] === '=') {
      push({ t: ':=' });
      i += 2;
    } else if (c === '(' || c === ')' || c === '|' || c === '=' || c === ',') {
      push({ t: c });
      i++;
      if (c === ')') {
        const [chain, next] = chainAt(i);
        if (chain.length) {
          terminated(next);
          push({ t: 'field', chain });
        }
        i = next;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const name = (IDENT.exec(body) as RegExpExecArray)[0];
      i += name.length;
      if (body[i] === '.') fail(`${name}${body.slice(i).split(/\s/)[0]} is not supported here`);
      terminated(i);
      if (name === 'true' || name === 'false') push({ t: 'lit', value: name === 'true' });
      else if (name === 'nil') push({ t: 'lit', value: null });
      else push({ t: 'ident', name });
    } else {
      fail(`unexpected ${JSON.stringify(c)} (character constants are not supported here)`);
    }
  }
  return out;
}

// --- parsing ------------------------------------------------------------------------------

/** A printf format's first verb that sprintf lacks (`%q`, `%5d`), if any; `%%` is not a verb. */
function unsupportedVerb(format: string): string | undefined {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const verb = format[++i];
    // A `%` at the end is Go's %!(NOVERB), which sprintf writes too.
    if (verb !== undefined && !'vsdt%'.includes(verb)) return `%${verb}`;
  }
  return undefined;
}

interface Scope {
  /** Whether dot is the template's data here (not inside range or with). */
  readonly dotIsRoot: boolean;
  readonly inRange: boolean;
}

class Parser {
  private toks: Token[] = [];
  private at = 0;
  private body = '';
  /**
   * The variables in scope, as Go's parser keeps them (t.vars): a declaration adds its own, in
   * a parenthesized pipeline too, and a control's end takes away what it and its body added.
   */
  vars: string[] = ['$'];

  constructor(private readonly fields: Readonly<Record<string, FieldKind>>) {}

  fail(what: string): never {
    throw new TemplateError(`in <<${this.body}>>: ${what}`);
  }

  start(body: string): void {
    this.body = body;
    this.toks = lex(body);
    this.at = 0;
  }

  peek(): Token | undefined {
    return this.toks[this.at];
  }

  /**
   * A pipeline, to the end of the action or a `)`, with its `$x :=` or `$x =` (`decl` 'two':
   * range's `$i, $v :=` too).
   */
  pipe(scope: Scope, decl: 'one' | 'two'): Pipe {
    const vars: string[] = [];
    let assign = false;
    const t0 = this.toks[this.at];
    const t1 = this.toks[this.at + 1];
    if (t0?.t === 'var' && t0.chain.length === 0) {
      if (t1?.t === ':=' || t1?.t === '=') {
        vars.push(t0.name);
        assign = t1.t === '=';
        this.at += 2;
      } else if (decl === 'two' && t1?.t === ',') {
        const t2 = this.toks[this.at + 2];
        const t3 = this.toks[this.at + 3];
        if (t2?.t !== 'var') this.fail('range can declare two variables: $i, $v := …');
        if (t2.chain.length === 0 && (t3?.t === ':=' || t3?.t === '=')) {
          vars.push(t0.name, t2.name);
          assign = t3.t === '=';
          this.at += 4;
        } else {
          // Go's parser reads `range $e, $list` as `range $e := $list`.
          vars.push(t0.name);
          this.at += 2;
        }
      }
    }
    // Go runs `$ := …` (a new `$`); the fields of `$` are checked here as the data's.
    if (vars.includes('$')) this.fail('declaring or assigning $ is not supported here');
    const cmds: Operand[][] = [];
    for (;;) {
      const cmd: Operand[] = [];
      for (;;) {
        const t = this.peek();
        if (!t || t.t === '|' || t.t === ')') break;
        // As Go's parser: a command's operands are apart (`print "a""b"`, `print(1)` are not).
        if (cmd.length > 0 && !t.spaced) this.fail(`unexpected ${this.tokenText(t)} in operand`);
        cmd.push(this.operand(scope));
      }
      if (cmd.length === 0) this.fail(cmds.length ? 'missing command after |' : 'missing value');
      cmds.push(cmd);
      if (this.peek()?.t !== '|') break;
      this.at++;
      const next = cmd[0];
      if (next?.k !== 'func' && cmd.length > 1) this.fail('can only pipe into a function');
      // Go's parser takes a `|` with nothing after it at a pipeline's end (`<<.Series |>>`).
      const after = this.peek();
      if (!after || after.t === ')') break;
    }
    // A command after `|` takes the value piped in as its last argument: a function alone may.
    for (const cmd of cmds.slice(1))
      if (cmd[0]?.k !== 'func')
        this.fail(
          'only a function can take the value piped into it (this adapter has the builtins)',
        );
    for (const cmd of cmds) {
      const [head, format] = cmd;
      if (cmd.length > 1 && head?.k !== 'func')
        this.fail(`${this.describe(head)} takes no arguments`);
      // What is sure to fail at each request is refused here: index of a field of the data
      // by a constant of the wrong type, a printf format with a verb this adapter lacks.
      if (head?.k === 'func' && head.name === 'index') this.checkIndex(cmd.slice(1), scope);
      // A format written in the template is checked here rather than at each request.
      if (head?.k === 'func' && head.name === 'printf' && format?.k === 'lit') {
        const bad = typeof format.value === 'string' && unsupportedVerb(format.value);
        if (bad) this.fail(`printf verb ${bad} is not supported here (%v, %s, %d, %t are)`);
      }
    }
    // Go adds a declared variable to its scope before the pipeline, but pushes its value after
    // it: used inside its own pipeline, or assigned before any declaration of it has run, a
    // variable fails at each run, so it is refused here (one declared in parentheses earlier
    // in the pipeline is there, as Go runs it).
    if (assign)
      for (const v of vars) if (!this.vars.includes(v)) this.fail(`undefined variable: ${v}`);
    if (!assign) this.vars.push(...vars);
    return { vars, assign, cmds };
  }

  tokenText(t: Token): string {
    if (t.t === 'dot' || t.t === 'field') return `.${t.chain.join('.')}`;
    if (t.t === 'var') return [t.name, ...t.chain].join('.');
    if (t.t === 'ident') return t.name;
    if (t.t === 'lit') return JSON.stringify(t.value);
    return JSON.stringify(t.t);
  }

  describe(op: Operand | undefined): string {
    if (!op) return 'nothing';
    if (op.k === 'dot') return op.chain.length ? `.${op.chain.join('.')}` : '.';
    if (op.k === 'var') return op.name + op.chain.map((c) => `.${c}`).join('');
    return 'a value';
  }

  operand(scope: Scope): Operand {
    const t = this.toks[this.at++] as Token;
    switch (t.t) {
      case 'dot':
        if (scope.dotIsRoot) this.checkChain(t.chain);
        return { k: 'dot', chain: t.chain };
      case 'var':
        if (!this.vars.includes(t.name)) this.fail(`undefined variable: ${t.name}`);
        if (t.name === '$') this.checkChain(t.chain);
        return { k: 'var', name: t.name, chain: t.chain };
      case 'lit':
        return { k: 'lit', value: t.value };
      case 'ident':
        // As an argument, a function is called with none (Go's evalArg): `print print` is "".
        if (FUNCS.has(t.name)) return { k: 'func', name: t.name };
        if (REFUSED.has(t.name) || KEYWORDS.has(t.name))
          this.fail(`${t.name} is not supported here`);
        return this.fail(`function ${JSON.stringify(t.name)} not defined`);
      case '(': {
        const pipe = this.pipe(scope, 'one');
        if (this.toks[this.at++]?.t !== ')') this.fail('unclosed left paren');
        let chain: string[] = [];
        const f = this.peek();
        if (f?.t === 'field') {
          chain = f.chain;
          this.at++;
        }
        return { k: 'pipe', pipe, chain };
      }
      default:
        return this.fail(`unexpected ${JSON.stringify(t.t)}`);
    }
  }

  /** `index .Field key…` with a constant key: a map's is a string, a slice's an int. */
  checkIndex(args: readonly Operand[], scope: Scope): void {
    const [target, key] = args;
    const root =
      (target?.k === 'dot' && scope.dotIsRoot) || (target?.k === 'var' && target.name === '$');
    if (!root || target.chain.length !== 1 || key?.k !== 'lit') return;
    const kind = this.fields[target.chain[0] as string];
    const ok =
      kind === 'map'
        ? typeof key.value === 'string'
        : kind === 'slice'
          ? typeof key.value === 'number'
          : true;
    if (!ok) this.fail('index takes a map field and a quoted key, or a slice field and a number');
  }

  /** A field chain from the template's data, checked against its fields' kinds. */
  checkChain(chain: readonly string[]): void {
    const [field, key, more] = chain;
    if (field === undefined) return;
    const kind = Object.hasOwn(this.fields, field) ? this.fields[field] : undefined;
    if (!kind) {
      const known = Object.keys(this.fields).map((f) => `.${f}`);
      throw new TemplateError(
        `template field .${field} does not exist (available: ${known.join(', ')})`,
      );
    }
    if (key !== undefined && kind !== 'map') this.fail(`.${field} has no field .${key}`);
    if (more !== undefined) this.fail(`.${field}.${key} has no field .${more}`);
  }

  end(): void {
    if (this.at < this.toks.length)
      this.fail(`unexpected ${JSON.stringify(this.toks[this.at]?.t)}`);
  }
}

/** An action's first word, ended as Go's lexer ends a name (`with+3` is no keyword, nor `if` in it). */
const KEYWORD = /^([a-z]+)(?![^ \t\r\n.,|:()])\s*/;

/** Parses the actions into a tree, as Go's parse package does (the part listed above). */
function parse(text: string, fields: Readonly<Record<string, FieldKind>>): Node[] {
  const p = new Parser(fields);
  const parts = scanGoTemplate(text);
  let i = 0;
  // Parses nodes until an `else` or `end`, which it returns (undefined at the template's end).
  const list = (scope: Scope, out: Node[]): { word: 'else' | 'end'; rest: string } | undefined => {
    while (i < parts.length) {
      const part = parts[i++] as (typeof parts)[number];
      if (part.kind === 'text') {
        out.push({ k: 'text', text: part.text });
        continue;
      }
      const body = part.body;
      const word = KEYWORD.exec(body);
      const kw = word?.[1];
      if (kw === 'end' || kw === 'else') {
        if (kw === 'end' && body !== 'end') {
          p.start(body);
          p.fail('unexpected words after end');
        }
        return { word: kw, rest: body.slice(word?.[0].length ?? 0) };
      }
      if (kw === 'break' || kw === 'continue') {
        p.start(body);
        if (body !== kw) p.fail(`unexpected words after ${kw}`);
        if (!scope.inRange) p.fail(`${kw} outside of range`);
        out.push({ k: kw });
        continue;
      }
      if (kw === 'if' || kw === 'with' || kw === 'range') {
        out.push(control(kw, body.slice(word?.[0].length ?? 0), scope, body));
        continue;
      }
      if (kw && KEYWORDS.has(kw)) {
        p.start(body);
        p.fail(`${kw} is not supported here`);
      }
      p.start(body);
      const pipe = p.pipe(scope, 'one');
      p.end();
      out.push({ k: 'print', pipe });
    }
    return undefined;
  };
  const control = (kw: 'if' | 'with' | 'range', rest: string, scope: Scope, body: string): Node => {
    // What the control declares lasts to its end; what its body declares, to the body's end.
    const outside = p.vars.length;
    p.start(rest);
    const pipe = p.pipe(scope, kw === 'range' ? 'two' : 'one');
    p.end();
    if (pipe.cmds.length === 0) p.fail(`missing value for ${kw}`);
    const declared = p.vars.length;
    const inner: Scope = {
      dotIsRoot: kw === 'if' ? scope.dotIsRoot : false,
      inRange: kw === 'range' ? true : scope.inRange,
    };
    const nodes: Node[] = [];
    const stop = list(inner, nodes);
    // Go's parser keeps the body's variables for the else too, where they fail at each run
    // (the body has not run): they are refused there.
    p.vars.length = declared;
    if (!stop) throw new TemplateError(`in <<${body}>>: unexpected EOF (no <<end>>)`);
    const otherwise: Node[] = [];
    if (stop.word === 'else') {
      const chained = KEYWORD.exec(stop.rest);
      if (chained && chained[1] === kw && kw !== 'range') {
        // `else if …` / `else with …`: one more control whose <<end>> ends this one too.
        otherwise.push(
          control(chained[1] as 'if' | 'with', stop.rest.slice(chained[0].length), scope, body),
        );
      } else {
        if (stop.rest !== '') {
          p.start(`else ${stop.rest}`);
          p.fail('unexpected words after else');
        }
        const afterElse = list(scope, otherwise);
        if (!afterElse || afterElse.word !== 'end')
          throw new TemplateError(`in <<${body}>>: expected <<end>> after <<else>>`);
      }
    }
    p.vars.length = outside;
    return { k: kw, pipe, body: nodes, otherwise };
  };
  const nodes: Node[] = [];
  const stop = list({ dotIsRoot: true, inRange: false }, nodes);
  if (stop) throw new TemplateError(`unexpected <<${stop.word}>>`);
  return nodes;
}

// --- running ------------------------------------------------------------------------------

class Break {}
class Continue {}

const typeName = (v: Value): string =>
  typeof v === 'string'
    ? 'string'
    : typeof v === 'number'
      ? 'int'
      : v instanceof Byte
        ? 'uint8'
        : typeof v === 'boolean'
          ? 'bool'
          : v === null || v === undefined
            ? 'nil'
            : Array.isArray(v)
              ? '[]string'
              : v instanceof Map
                ? 'map[string]string'
                : 'naming.queryTemplateArgs';

/** fmt's %v. */
function show(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Byte) return String(v.n);
  if (Array.isArray(v)) return `[${(v as readonly string[]).join(' ')}]`;
  if (v instanceof Map) {
    const keys = [...v.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${keys.map((k) => `${k}:${v.get(k)}`).join(' ')}]`;
  }
  return `{${[...(v as Struct).fields.values()].map(show).join(' ')}}`;
}

/** Go's template truth: a non-zero value, a non-empty string, slice or map. */
function truth(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (v instanceof Byte) return v.n !== 0;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** A number's value, an int's or a byte's (Go's eq and lt compare the two kinds as numbers). */
const num = (v: Value) => (typeof v === 'number' ? v : v instanceof Byte ? v.n : undefined);

const basic = (v: Value) =>
  num(v) !== undefined
    ? 'number'
    : typeof v === 'string' || typeof v === 'boolean'
      ? typeof v
      : undefined;

/** Go's eq for one pair: a nil against anything else is unequal, not an error. */
function equal(a: Value, b: Value): boolean {
  const nil = (v: Value) => v === null || v === undefined;
  if (nil(a) || nil(b)) return nil(a) && nil(b);
  return compare('eq', a, b) === 0;
}

function compare(name: string, a: Value, b: Value): number {
  const kind = basic;
  if (!kind(a) || !kind(b))
    throw new TemplateError(
      `error calling ${name}: ${a === undefined || b === undefined ? 'invalid type for comparison' : 'non-comparable type'}`,
    );
  if (kind(a) !== kind(b))
    throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
  if (typeof a === 'boolean' && name !== 'eq' && name !== 'ne')
    throw new TemplateError(`error calling ${name}: invalid type for comparison`);
  const [x, y] = [num(a) ?? a, num(b) ?? b] as (string | number | boolean)[];
  return x === y ? 0 : (x as string | number) < (y as string | number) ? -1 : 1;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: readonly Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += show(a);
  });
  return out;
}

/** One operand as fmt formats it for %v, %s, %d or %t: a slice, map or struct element-wise. */
function formatted(verb: string, a: Value): string {
  if (verb === 'v') return show(a);
  if (a === null || a === undefined) return `%!${verb}(<nil>)`;
  if (Array.isArray(a)) return `[${a.map((e) => formatted(verb, e)).join(' ')}]`;
  if (a instanceof Map) {
    const keys = [...a.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return `map[${keys.map((k) => `${formatted(verb, k)}:${formatted(verb, a.get(k))}`).join(' ')}]`;
  }
  if (a instanceof Struct)
    return `{${[...a.fields.values()].map((f) => formatted(verb, f)).join(' ')}}`;
  const ok = { s: 'string', d: 'number', t: 'boolean' }[verb] === basic(a);
  return ok ? show(a) : `%!${verb}(${typeName(a)}=${show(a)})`;
}

/** fmt.Sprintf with the verbs %v %s %d %t and %%, no flags or widths. */
function sprintf(format: string, args: readonly Value[]): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const verb = format[++i];
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    // First: Go reads flags and widths (`% 1d`) before it looks for the operand.
    if (!'vsdt'.includes(verb))
      throw new TemplateError(`printf verb %${verb} is not supported here (%v, %s, %d, %t are)`);
    if (n >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatted(verb, args[n++] as Value);
  }
  if (n < args.length)
    out += `%!(EXTRA ${args
      .slice(n)
      .map((a) => (a === null ? '<nil>' : `${typeName(a)}=${show(a)}`))
      .join(', ')})`;
  return out;
}

/** Calls a builtin with `count` arguments, which `evalArg` evaluates when asked (and, or). */
function call(name: string, count: number, evalArg: (i: number) => Value): Value {
  const args = Array.from({ length: count });
  const want = (n: number) => {
    if (count !== n)
      throw new TemplateError(`wrong number of args for ${name}: want ${n} got ${count}`);
  };
  switch (name) {
    case 'and':
    case 'or': {
      if (args.length === 0)
        throw new TemplateError(`wrong number of args for ${name}: want at least 1 got 0`);
      // A nil among them is a value-less argument to them, as Go passes one.
      let v: Value = undefined;
      for (let i = 0; i < args.length; i++) {
        v = evalArg(i) ?? undefined;
        if (truth(v) === (name === 'or')) return v;
      }
      return v;
    }
    case 'not':
      want(1);
      return !truth(evalArg(0));
  }
  // An argument with no value (a map's missing entry) is nil to a function, as Go passes it to
  // an `any` parameter; and and or above return it as it is.
  const vals = args.map((_, i) => evalArg(i) ?? null);
  switch (name) {
    case 'len': {
      want(1);
      const v = vals[0];
      if (typeof v === 'string') return utf8Length(v);
      if (Array.isArray(v)) return v.length;
      if (v instanceof Map) return v.size;
      throw new TemplateError(`error calling len: len of type ${typeName(v)}`);
    }
    case 'index': {
      if (vals.length === 0)
        throw new TemplateError('wrong number of args for index: want at least 1 got 0');
      let v = vals[0] as Value;
      if (v === null) throw new TemplateError('error calling index: index of untyped nil');
      for (const key of vals.slice(1)) {
        const at = num(key);
        if (typeof v === 'string') {
          // A string's byte, as Go indexes one.
          const bytes: Buffer = Buffer.from(v, 'utf8');
          if (at === undefined)
            throw new TemplateError(
              `error calling index: cannot index slice/array with type ${typeName(key)}`,
            );
          if (at < 0 || at >= bytes.length)
            throw new TemplateError(`error calling index: index out of range: ${at}`);
          v = new Byte(bytes[at] as number);
        } else if (Array.isArray(v)) {
          if (at === undefined)
            throw new TemplateError(
              `error calling index: cannot index slice/array with type ${typeName(key)}`,
            );
          if (at < 0 || at >= v.length)
            throw new TemplateError(`error calling index: index out of range: ${at}`);
          v = (v as readonly string[])[at];
        } else if (v instanceof Map) {
          if (typeof key !== 'string')
            throw new TemplateError(
              `error calling index: value has type ${typeName(key)}; should be string`,
            );
          v = v.get(key) ?? '';
        } else if (v === undefined || v === null) {
          throw new TemplateError('error calling index: index of untyped nil');
        } else {
          throw new TemplateError(`error calling index: can't index item of type ${typeName(v)}`);
        }
      }
      return v;
    }
    case 'eq': {
      if (vals.length < 2)
        throw new TemplateError('error calling eq: missing argument for comparison');
      return vals.slice(1).some((b) => equal(vals[0], b));
    }
    case 'ne':
      want(2);
      return !equal(vals[0], vals[1]);
    case 'lt':
      want(2);
      return compare('lt', vals[0], vals[1]) < 0;
    case 'le':
      want(2);
      return compare('le', vals[0], vals[1]) <= 0;
    case 'gt':
      want(2);
      return compare('gt', vals[0], vals[1]) > 0;
    case 'ge':
      want(2);
      return compare('ge', vals[0], vals[1]) >= 0;
    case 'print':
      return sprint(vals);
    case 'println':
      return vals.map(show).join(' ') + '\n';
    case 'printf': {
      const [format, ...rest] = vals;
      if (typeof format !== 'string') throw new TemplateError('printf wants a format string first');
      return sprintf(format, rest);
    }
  }
  throw new TemplateError(`function ${name} not defined`);
}

class Runner {
  private out = '';
  private vars: { name: string; value: Value }[] = [];

  constructor(private readonly root: Struct) {}

  run(nodes: readonly Node[]): string {
    this.vars = [{ name: '$', value: this.root }];
    this.walk(nodes, this.root);
    return this.out;
  }

  private lookup(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if ((this.vars[i] as { name: string }).name === name)
        return (this.vars[i] as { value: Value }).value;
    throw new TemplateError(`undefined variable: ${name}`);
  }

  private chain(v: Value, chain: readonly string[]): Value {
    for (const name of chain) {
      if (v instanceof Struct) {
        if (!v.fields.has(name))
          throw new TemplateError(`can't evaluate field ${name} in type struct`);
        v = v.fields.get(name);
      } else if (v instanceof Map) {
        v = v.has(name) ? v.get(name) : undefined;
      } else if (v === undefined) {
        // A field of no value (a map's missing entry) has none either, as Go evaluates it.
      } else if (v === null) {
        throw new TemplateError(`nil pointer evaluating .${name}`);
      } else {
        throw new TemplateError(`can't evaluate field ${name} in type ${typeName(v)}`);
      }
    }
    return v;
  }

  private operand(op: Operand, dot: Value): Value {
    switch (op.k) {
      case 'dot':
        return this.chain(dot, op.chain);
      case 'var':
        return this.chain(this.lookup(op.name), op.chain);
      case 'lit':
        return op.value;
      case 'pipe':
        return this.chain(this.pipe(op.pipe, dot), op.chain);
      case 'func':
        return call(op.name, 0, () => undefined);
    }
  }

  private pipe(pipe: Pipe, dot: Value): Value {
    let value: Value = undefined;
    pipe.cmds.forEach((cmd, n) => {
      const [head, ...rest] = cmd;
      if (head?.k === 'func') {
        // A value piped in is the last argument. An argument with no value (a map's missing
        // entry) is nil to a function, as Go passes it to an `any` parameter.
        const prior = value;
        const arg = (i: number): Value =>
          i === rest.length ? prior : this.operand(rest[i] as Operand, dot);
        value = call(head.name, rest.length + (n > 0 ? 1 : 0), arg);
      } else {
        if (cmd.length === 1 && head?.k === 'lit' && head.value === null)
          throw new TemplateError('nil is not a command');
        value = this.operand(head as Operand, dot);
      }
    });
    // Each variable takes the pipeline's value (range's two as well, until it iterates).
    for (const name of pipe.vars) this.set(name, value, pipe.assign);
    return value;
  }

  private set(name: string, value: Value, assign: boolean): void {
    if (assign) {
      for (let i = this.vars.length - 1; i >= 0; i--) {
        const v = this.vars[i] as { name: string; value: Value };
        if (v.name === name) {
          v.value = value;
          return;
        }
      }
      throw new TemplateError(`undefined variable: ${name}`);
    }
    this.vars.push({ name, value });
  }

  private walk(nodes: readonly Node[], dot: Value): void {
    const mark = this.vars.length;
    for (const node of nodes) {
      switch (node.k) {
        case 'text':
          this.out += node.text;
          break;
        case 'print': {
          const v = this.pipe(node.pipe, dot);
          if (node.pipe.vars.length === 0) this.out += show(v);
          break;
        }
        case 'break':
          throw new Break();
        case 'continue':
          throw new Continue();
        case 'if':
        case 'with': {
          const inner = this.vars.length;
          const v = this.pipe(node.pipe, dot);
          if (truth(v)) this.walk(node.body, node.k === 'with' ? v : dot);
          else this.walk(node.otherwise, dot);
          this.vars.length = inner;
          break;
        }
        case 'range':
          this.range(node, dot);
          break;
      }
    }
    this.vars.length = mark;
  }

  /** As Go's walkRange: the variables declared once, set for each element, the body's undone. */
  private range(node: ControlNode, dot: Value): void {
    const outside = this.vars.length;
    const { vars, assign } = node.pipe;
    const v = this.pipe(node.pipe, dot);
    const mark = this.vars.length;
    let items: [Value, Value][];
    if (Array.isArray(v)) items = (v as readonly string[]).map((e, i) => [i, e]);
    else if (v instanceof Map)
      items = [...v.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, v.get(k)]);
    else if (num(v) !== undefined) {
      const count = num(v) as number;
      if (vars.length > 1)
        throw new TemplateError(`can't use ${count} to iterate over more than one variable`);
      // Go would run on for as long as it is told; a query is not that long.
      if (count > 100_000) throw new TemplateError(`range ${count}: more than 100000 iterations`);
      // Over a byte, the elements are bytes too (Go ranges over any integer kind).
      const element = (i: number) => (v instanceof Byte ? new Byte(i) : i);
      items = Array.from({ length: Math.max(count, 0) }, (_, i) => [element(i), element(i)]);
    } else if (v === undefined || v === null) items = [];
    else throw new TemplateError(`range can't iterate over ${show(v)}`);
    if (items.length === 0) this.walk(node.otherwise, dot);
    for (const [key, elem] of items) {
      // `$v` (or `$i, $v`) := sets the variables just declared, the element's the top one.
      const top = (n: number, value: Value) => {
        (this.vars[this.vars.length - n] as { value: Value }).value = value;
      };
      if (vars.length === 1) {
        if (assign) this.set(vars[0] as string, elem, true);
        else top(1, elem);
      } else if (vars.length === 2) {
        if (assign) {
          this.set(vars[0] as string, key, true);
          this.set(vars[1] as string, elem, true);
        } else {
          top(1, elem);
          top(2, key);
        }
      }
      try {
        this.walk(node.body, elem);
      } catch (err) {
        if (err instanceof Break) break;
        if (!(err instanceof Continue)) throw err;
      } finally {
        this.vars.length = mark;
      }
    }
    this.vars.length = outside;
  }
}

/** A parsed template, checked against its data's fields, ready to run. */
export interface GoTemplate {
  execute(data: Readonly<Record<string, TemplateValue>>): string;
}

/**
 * Parses a template with `<<` `>>` delimiters, as Go's text/template would, checking the fields
 * it names on its data outside range and with. Throws a TemplateError naming what it refuses.
 */
export function compileGoTemplate(
  text: string,
  fields: Readonly<Record<string, FieldKind>>,
): GoTemplate {
  const nodes = parse(text, fields);
  return {
    execute(data) {
      const root = new Struct(
        new Map(
          Object.keys(fields).map((name) => {
            const v = data[name];
            const value: Value =
              v === undefined || typeof v === 'string' || Array.isArray(v)
                ? (v as Value)
                : new Map(Object.entries(v as Record<string, string>));
            return [name, value];
          }),
        ),
      );
      return new Runner(root).run(nodes);
    },
  };
}
