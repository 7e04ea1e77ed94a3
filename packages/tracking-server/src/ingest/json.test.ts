import { jsonText, TOO_DEEP } from './json';

describe('jsonText', () => {
  it('writes text as it is, scalars as String() does and the rest as JSON', () => {
    expect(jsonText('a "b"')).toBe('a "b"');
    expect(jsonText(12.5)).toBe('12.5');
    expect(jsonText(null)).toBe('null');
    expect(jsonText({ toString: '' })).toBe('{"toString":""}');
  });

  it('marks a value nested deeper than JSON.stringify reaches, rather than throwing', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    expect(jsonText(deep)).toBe(TOO_DEEP);
  });
});
