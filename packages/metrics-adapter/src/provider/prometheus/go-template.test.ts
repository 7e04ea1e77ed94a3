import fc from 'fast-check';
import { executeGoTemplate, parseGoTemplate, TemplateError, type FieldKind } from './go-template';

const FIELDS: Record<string, FieldKind> = { S: 'string', L: 'slice', M: 'map' };
const DATA = { S: 'sv', L: ['a', 'b'], M: { k: 'v', 'x-y': 'w' } };
const render = (text: string) => executeGoTemplate(parseGoTemplate(text, FIELDS), DATA);

describe('Go template subset', () => {
  it.each([
    ['plain <<.S>>', 'plain sv'],
    ['<<.L>> <<.M>>', '[a b] map[k:v x-y:w]'],
    ['<<index .M "x-y">><<index .M `k`>><<index .L 1>>', 'wvb'],
    ['<<.M.k>>/<<.M.nope>>/<<index .M "nope">>', 'v/<no value>/'],
    ['a  \n <<- .S ->>  \n b', 'asvb'],
    ['a <</* a comment */>> b', 'a  b'],
    ['<< .S >>', 'sv'],
    ['a > b >> c', 'a > b >> c'],
    ['<<index .M ">>">>', ''],
  ])('renders %j as %j', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it.each([
    ['<<.T>>', 'template field .T does not exist (available: .S, .L, .M)'],
    ['<<if .S>>x<<end>>', 'unsupported template action <<if .S>>'],
    ['<<$x := .S>>', 'unsupported template action <<$x := .S>>'],
    ['<<.S', 'unclosed action'],
    ['<<>>', 'unsupported template action <<>>'],
    ['<<index .L "a">>', 'index takes a map field'],
  ])('refuses %j', (text, message) => {
    expect(() => parseGoTemplate(text, FIELDS)).toThrow(TemplateError);
    expect(() => parseGoTemplate(text, FIELDS)).toThrow(message);
  });

  // Expected values are what Go's text/template (go1.26) answered for each template.
  it.each([
    ['<<index .M "\\x6b">>', 'v'],
    ['<<index .M "\\u006b">>', 'v'],
    ['<<index .M "\\U0000006b">>', 'v'],
    ['<<index .M "\\153">>', 'v'],
    ['<<index .M "x\\055y">>', 'w'],
    ['<<index .M `k\r`>>', 'v'],
    ['a <<- /* c */ ->> b', 'ab'],
    ['a <</**/>> b', 'a  b'],
  ])('reads Go string literals and comments as Go does: %j renders %j', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it.each([
    ['<< /* c */ >>', 'a comment must start right after << and end right before >>'],
    ['<</* c */ >>', 'a comment must start right after << and end right before >>'],
    ['<</* a */ /* b */>>', 'a comment must start right after << and end right before >>'],
    ['<<-  /* c */>>', 'a comment must start right after << and end right before >>'],
    ['<<index .M "\\e">>', 'index takes a map field and a quoted key'],
    ['<<index .M "\\400">>', 'index takes a map field and a quoted key'],
    ['<<index .M "\\/">>', 'index takes a map field and a quoted key'],
    ['<<index .M "\\uD800">>', 'index takes a map field and a quoted key'],
  ])('refuses %j, as Go refuses it', (text, message) => {
    expect(() => parseGoTemplate(text, FIELDS)).toThrow(TemplateError);
    expect(() => parseGoTemplate(text, FIELDS)).toThrow(message);
  });

  it('refuses index past the end of a slice when it runs, as Go does', () => {
    expect(() => render('<<index .L 2>>')).toThrow('index 2 out of range: .L has 2');
  });

  // Templates and their expected output built side by side from pieces, by hand's rules.
  const piece = fc.oneof(
    fc
      .string({ maxLength: 6 })
      .filter((t) => !t.includes('<') && !t.includes('>'))
      .map((t) => [t, t] as const),
    fc.constant(['<<.S>>', 'sv'] as const),
    fc.constant(['<< .L >>', '[a b]'] as const),
    fc.constant(['<<.M.k>>', 'v'] as const),
    fc.constant(['<<index .M "k">>', 'v'] as const),
    fc.constant(['<<index .L 0>>', 'a'] as const),
  );

  it('renders any mix of text and supported actions as the pieces say', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.map(([t]) => t).join('');
        const expected = pieces.map(([, out]) => out).join('');
        expect(render(text)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers any text with a template or a TemplateError, never another exception', () => {
    const near = fc
      .array(
        fc.constantFrom(
          '<<',
          '>>',
          '-',
          ' ',
          '.',
          'S',
          'M',
          'k',
          '"',
          '`',
          'index',
          '0',
          '/*',
          '*/',
          '|',
          'x',
        ),
        {
          maxLength: 16,
        },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(near, fc.string({ maxLength: 30 })), (text) => {
        try {
          const parts = parseGoTemplate(text, FIELDS);
          try {
            executeGoTemplate(parts, DATA);
          } catch (err) {
            return err instanceof TemplateError;
          }
          return true;
        } catch (err) {
          return err instanceof TemplateError;
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
