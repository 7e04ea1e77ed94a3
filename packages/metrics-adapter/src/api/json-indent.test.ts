import fc from 'fast-check';
import { indentJson } from './json-indent';

const indent = (text: string) => indentJson(Buffer.from(text)).toString();

describe('indentJson, as json.Indent(src, "", "  ")', () => {
  it('puts each member on its line, two spaces a level, and keeps empty ones on theirs', () => {
    expect(indent('{"kind":"List","metadata":{},"items":[{"a":1,"b":[]},{"c":null}]}')).toBe(
      [
        '{',
        '  "kind": "List",',
        '  "metadata": {},',
        '  "items": [',
        '    {',
        '      "a": 1,',
        '      "b": []',
        '    },',
        '    {',
        '      "c": null',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(indent('[]')).toBe('[]');
    expect(indent('"x"')).toBe('"x"');
    expect(indent('-1.5e+21')).toBe('-1.5e+21');
  });

  it('copies strings byte for byte, punctuation, escapes and UTF-8 in them too', () => {
    expect(indent('{"a,{[:":"\\"},\\\\","é😀":"\\u003c"}')).toBe(
      '{\n  "a,{[:": "\\"},\\\\",\n  "é😀": "\\u003c"\n}',
    );
  });

  it('drops the space outside strings, as Go does', () => {
    expect(indent(' { "a" : [ 1 , 2 ] ,\n"b":{ } }')).toBe(
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}',
    );
  });

  it('writes what JSON.stringify(value, null, 2) writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(indent(JSON.stringify(value))).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 2_000 },
    );
  });
});
