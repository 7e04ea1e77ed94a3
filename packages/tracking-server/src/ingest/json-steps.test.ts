// JSON read a slice at a time (json-steps.ts) against JSON.parse itself: the same value for any
// text it reads, the same error for any it refuses.
import fc from 'fast-check';
import { parseJsonInSteps } from './json-steps';

const noPause = async () => {};

/** JSON.parse's outcome: its value, or its error's name and message. */
const parsed = (text: string) => {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};
const inSteps = async (text: string, slice: number) => {
  try {
    return { value: await parseJsonInSteps(text, noPause, slice) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};

// Text as people and encoders write it: compact, indented, or with spaces of every kind JSON has.
const spaced = (value: unknown, style: number) =>
  style === 0
    ? JSON.stringify(value)
    : style === 1
      ? JSON.stringify(value, null, 2)
      : JSON.stringify(value, null, '\t').replace(/,/g, ' ,\r\n ').replace(/:/g, ' : ');

describe('JSON read in slices', () => {
  it('reads the value JSON.parse reads, at any slice length (20k cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 48 }),
        async (value, style, slice) => {
          const text = spaced(value, style);
          expect(await inSteps(text, slice)).toEqual(parsed(text));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('refuses what JSON.parse refuses, with its error, and reads what it reads (20k cases)', async () => {
    const changed = fc
      .tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.constantFrom(...'[]{},:"\\ 0e-tn'))
      .map(([value, at, c]) => {
        const text = JSON.stringify(value);
        const i = at % Math.max(1, text.length);
        return text.slice(0, i) + c + text.slice(i + 1);
      });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(changed, fc.string()),
        fc.integer({ min: 1, max: 16 }),
        async (text, slice) => {
          expect(await inSteps(text, slice)).toEqual(parsed(text));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('keeps a key named __proto__ as a property, and a repeated key’s last value in its first place', async () => {
    const text = '{"__proto__": {"polluted": 1}, "a": [1, 2, 3], "b": "x", "a": [4, 5, 6]}';
    const value = (await parseJsonInSteps(text, noPause, 4)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a', 'b']);
    expect(value).toEqual(JSON.parse(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('pauses between the slices of a long list, and not for a short text', async () => {
    let pauses = 0;
    const pause = async () => void pauses++;
    const list = Array.from({ length: 1_000 }, (_, i) => ({ span: i, name: `op ${i}` }));
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: list }] }] });
    expect(await parseJsonInSteps(text, pause, 1_024)).toEqual(JSON.parse(text));
    // ~30 characters an element: a slice of 1,024 holds ~34 of them.
    expect(pauses).toBeGreaterThanOrEqual(text.length / 1_024 - 2);
    expect(pauses).toBeLessThanOrEqual((2 * text.length) / 1_024);
    pauses = 0;
    await parseJsonInSteps(text, pause, text.length);
    expect(pauses).toBe(0);
  });

  it('reads a long list nested deeper than it descends, by JSON.parse alone', async () => {
    // Each level is longer than a slice; past 64 levels the rest is one JSON.parse.
    const text = `${'['.repeat(1_000)}${'1,'.repeat(100)}1${']'.repeat(1_000)}`;
    expect(JSON.stringify(await parseJsonInSteps(text, noPause, 8))).toBe(text);
  });
});
