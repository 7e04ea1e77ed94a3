// Go's text/template with prometheus-adapter's `<<` `>>` delimiters: the lexing of text,
// actions, comments and the `<<-` / `->>` whitespace trims (scanGoTemplate), and the flat subset
// a resources.template is read back with: fields (`<<.Resource>>`), a map's entry
// (`<<.LabelValuesByName.pod>>`) and `index` (`<<index .GroupBySlice 0>>`); any other action is
// refused there, naming it. A metricsQuery runs on go-template-engine.ts, which has the rest.

/** How a field prints and what may follow it: Go's fmt of a string, a []string or a map. */
export type FieldKind = 'string' | 'slice' | 'map';
export type TemplateValue = string | readonly string[] | Readonly<Record<string, string>>;

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: string; readonly key?: string }
  | { readonly kind: 'index'; readonly field: string; readonly key: string | number };

export class TemplateError extends Error {}

const FIELD = /^\.([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/;
const SPACE = /[ \t\r\n]/;

/** Splits an action's text into words, keeping quoted strings whole (they may hold spaces). */
function words(action: string): string[] {
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+/g;
  for (const m of action.matchAll(re)) out.push(m[0]);
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  '"': 34,
};

/**
 * A Go string literal's value, as Go's strconv.Unquote reads it (the template parser's): `raw`
 * (carriage returns dropped), or "…" with \a \b \f \n \r \t \v \\ \", \xHH, octal \NNN,
 * \uHHHH and \UHHHHHHHH. Undefined for anything else, an escape Go refuses included.
 */
export function stringLiteral(word: string): string | undefined {
  if (word.startsWith('`') && word.endsWith('`') && word.length >= 2)
    return word.slice(1, -1).replace(/\r/g, '');
  if (!/^"(?:[^"\\\n]|\\.)*"$/.test(word)) return undefined;
  const bytes: number[] = [];
  const body = word.slice(1, -1);
  for (let i = 0; i < body.length;) {
    const c = body[i] as string;
    if (c !== '\\') {
      const cp = body.codePointAt(i) as number;
      bytes.push(...Buffer.from(String.fromCodePoint(cp)));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1] as string;
    const simple = Object.hasOwn(SIMPLE_ESCAPES, e) ? SIMPLE_ESCAPES[e] : undefined;
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    const hex = { x: 2, u: 4, U: 8 }[e];
    const digits = hex ? body.slice(i + 2, i + 2 + hex) : body.slice(i + 1, i + 4);
    if (hex ? !/^[0-9A-Fa-f]+$/.test(digits) || digits.length !== hex : !/^[0-7]{3}$/.test(digits))
      return undefined;
    const value = parseInt(digits, hex ? 16 : 8);
    if (e === 'x' || !hex) {
      if (value > 255) return undefined;
      bytes.push(value);
    } else {
      if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return undefined;
      bytes.push(...Buffer.from(String.fromCodePoint(value)));
    }
    i += hex ? 2 + hex : 4;
  }
  return Buffer.from(bytes).toString('utf8');
}

function fieldOf(word: string, fields: Readonly<Record<string, FieldKind>>, action: string) {
  const m = FIELD.exec(word);
  if (!m) return undefined;
  const [, field = '', key] = m;
  const kind = Object.hasOwn(fields, field) ? fields[field] : undefined;
  if (!kind) {
    const known = Object.keys(fields).map((f) => `.${f}`);
    throw new TemplateError(
      `template field .${field} does not exist (available: ${known.join(', ')})`,
    );
  }
  if (key !== undefined && kind !== 'map')
    throw new TemplateError(`in <<${action}>>: .${field} has no field .${key}`);
  return { field, kind, key };
}

function parseAction(
  action: string,
  fields: Readonly<Record<string, FieldKind>>,
  allowIndex: boolean,
): TemplatePart {
  const body = action;
  const w = words(body);
  const field = w.length === 1 ? fieldOf(w[0] as string, fields, body) : undefined;
  if (field) return { kind: 'field', field: field.field, ...(field.key ? { key: field.key } : {}) };
  if (allowIndex && w.length === 3 && w[0] === 'index') {
    const target = fieldOf(w[1] as string, fields, body);
    const arg = w[2] as string;
    if (target && target.key === undefined && target.kind === 'map') {
      const key = stringLiteral(arg);
      if (key !== undefined) return { kind: 'index', field: target.field, key };
    }
    if (target && target.key === undefined && target.kind === 'slice' && /^\d+$/.test(arg))
      return { kind: 'index', field: target.field, key: Number(arg) };
    throw new TemplateError(
      `in <<${body}>>: index takes a map field and a quoted key, or a slice field and a number`,
    );
  }
  const supported = allowIndex ? '<<.Field>>, <<.Map.key>> and <<index .Field key>>' : '<<.Field>>';
  throw new TemplateError(`unsupported template action <<${body}>> (supported: ${supported})`);
}

/** A template's text and actions in order, comments left out and the trims applied. */
export type ScannedPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly body: string };

/** Splits a template with `<<` `>>` delimiters into text and actions, as Go's lexer does. */
export function scanGoTemplate(text: string): ScannedPart[] {
  const parts: ScannedPart[] = [];
  let pending = '';
  /** Ends the text so far, one part with the text before it when a comment came between. */
  const flush = () => {
    const last = parts[parts.length - 1];
    if (pending && last?.kind === 'text')
      parts[parts.length - 1] = { kind: 'text', text: last.text + pending };
    else if (pending) parts.push({ kind: 'text', text: pending });
    pending = '';
  };
  let trimNext = false;
  let at = 0;
  while (at <= text.length) {
    const open = text.indexOf('<<', at);
    let literal = text.slice(at, open < 0 ? text.length : open);
    if (trimNext) literal = literal.replace(/^[ \t\r\n]+/, '');
    pending += literal;
    if (open < 0) break;
    let start = open + 2;
    // `<<- ` trims the whitespace before the action; `<<-3>>` would be the number -3.
    if (text[start] === '-' && SPACE.test(text[start + 1] ?? '')) {
      pending = pending.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    const close = text.startsWith('/*', start)
      ? commentEnd(text, start)
      : closingDelimiter(text, start);
    if (close < 0) throw new TemplateError(`unclosed action: ${JSON.stringify(text.slice(open))}`);
    let end = close;
    trimNext = text[close - 1] === '-' && SPACE.test(text[close - 2] ?? '');
    if (trimNext) end = close - 2;
    const action = text.slice(start, end);
    // The text before a comment is done too: a `<<-` after it trims only the text after it.
    flush();
    if (!isComment(action)) parts.push({ kind: 'action', body: action.trim() });
    at = close + 2;
  }
  flush();
  return parts;
}

/** Whether an action is a comment; one Go's lexer would refuse is an error. */
function isComment(action: string): boolean {
  const body = action.trim();
  if (!body.startsWith('/*')) return false;
  // As Go's lexer: a comment follows `<<` (or `<<- `) directly and ends at its first `*/`,
  // right before `>>` (or ` ->>`).
  if (!action.startsWith('/*') || action.indexOf('*/', 2) !== action.length - 2)
    throw new TemplateError(
      `in <<${body}>>: a comment must start right after << and end right before >>`,
    );
  return true;
}

/**
 * Reads a template with `<<` `>>` delimiters into fields, map entries and index (the subset a
 * resources.template and the simplest queries use). Throws a TemplateError naming the first
 * action that is unknown or unsupported, or an unclosed `<<`.
 */
export function parseGoTemplate(
  text: string,
  fields: Readonly<Record<string, FieldKind>>,
  { allowIndex = true }: { allowIndex?: boolean } = {},
): TemplatePart[] {
  return scanGoTemplate(text).map((p) =>
    p.kind === 'text' ? p : parseAction(p.body, fields, allowIndex),
  );
}

/**
 * Where the `>>` after a comment starting at `from` is: as Go's lexer, a comment ends at its
 * first `*\/` (a quote inside it is text), and `>>` or ` ->>` must follow right after.
 */
function commentEnd(text: string, from: number): number {
  const end = text.indexOf('*/', from + 2);
  if (end < 0) throw new TemplateError(`unclosed comment: ${JSON.stringify(text.slice(from))}`);
  const after = end + 2;
  const trimmed = SPACE.test(text[after] ?? '') && text.startsWith('->>', after + 1);
  const close = trimmed ? after + 2 : after;
  if (!text.startsWith('>>', close))
    throw new TemplateError(
      `in <<${text.slice(from, after)}…: a comment must start right after << and end right before >>`,
    );
  return close;
}

/** Where an action's `>>` is, past any quoted string in it; -1 when there is none. */
function closingDelimiter(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '>' && text[i + 1] === '>') return i;
  }
  return -1;
}

/** Go's fmt %v of the values a template prints. */
function print(value: TemplateValue | undefined): string {
  if (value === undefined) return '<no value>';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.join(' ')}]`;
  const map = value as Readonly<Record<string, string>>;
  const keys = Object.keys(map).sort();
  return `map[${keys.map((k) => `${k}:${map[k]}`).join(' ')}]`;
}

/** Runs a parsed template on `data`, which has every field the template was parsed with. */
export function executeGoTemplate(
  parts: readonly TemplatePart[],
  data: Readonly<Record<string, TemplateValue>>,
): string {
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') {
      out += p.text;
      continue;
    }
    const value = data[p.field];
    if (p.kind === 'field') {
      const map = value as Readonly<Record<string, string>>;
      // A map entry that is not there prints as Go prints an invalid value.
      out += print(
        p.key === undefined ? value : Object.hasOwn(map, p.key) ? map[p.key] : undefined,
      );
    } else if (typeof p.key === 'number') {
      const slice = value as readonly string[];
      if (p.key >= slice.length)
        throw new TemplateError(`index ${p.key} out of range: .${p.field} has ${slice.length}`);
      out += slice[p.key];
    } else {
      // index of a missing map key is the element type's zero value.
      const map = value as Readonly<Record<string, string>>;
      out += Object.hasOwn(map, p.key) ? map[p.key] : '';
    }
  }
  return out;
}
