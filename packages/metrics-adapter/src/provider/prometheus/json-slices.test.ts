// Prometheus' answers parsed a slice of their list at a time: the same value as JSON.parse of the
// whole body (or the same refusal), with turns of the event loop between slices.
import fc from 'fast-check';
import { parseJsonInSlices } from './json-slices';

/** Tiny slices, so that every few elements are a slice of their own. */
const SMALL = { minBytes: 0, sliceBytes: 16 };
/** SMALL with a microtask for a pause: the property checks values, not turns of the loop. */
const QUICK = { ...SMALL, pause: async () => undefined };

const outcome = async (read: () => Promise<unknown> | unknown) => {
  try {
    return { value: await read() };
  } catch (err) {
    return { error: err instanceof SyntaxError };
  }
};

const seriesAnswer = (n: number) =>
  JSON.stringify({
    status: 'success',
    data: Array.from({ length: n }, (_, i) => ({
      __name__: 'http_requests_total',
      namespace: `ns-${i % 3}`,
      pod: `web-${i}`,
      // Structure inside strings that a split must not take for the list's own.
      path: i % 2 ? '/a,b]}[{"' : 'naïve \\"quoted\\" ✓',
    })),
  });

describe('parseJsonInSlices', () => {
  it('reads a series answer slice by slice, pausing between slices', async () => {
    const text = seriesAnswer(50);
    let pauses = 0;
    const value = await parseJsonInSlices(Buffer.from(text), {
      ...SMALL,
      pause: async () => {
        pauses++;
      },
    });
    expect(value).toEqual(JSON.parse(text));
    // Each element is longer than a slice: one split after each but the last.
    expect(pauses).toBe(49);
  });

  it('reads an instant vector answer slice by slice', async () => {
    const text = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { pod: 'a' }, value: [1764720000, '1'] },
          { metric: { pod: 'b,]' }, value: [1764720000.5, 'NaN'] },
        ],
      },
      warnings: ['slow'],
    });
    expect(await parseJsonInSlices(Buffer.from(text), SMALL)).toEqual(JSON.parse(text));
  });

  it.each([true, false])(
    'reads a VictoriaMetrics cluster answer (isPartial %s) slice by slice',
    async (isPartial) => {
      // vmselect writes isPartial between status and data (Cluster-VictoriaMetrics.md).
      const series = JSON.parse(seriesAnswer(30)) as { data: unknown[] };
      const text = `{"status":"success","isPartial":${isPartial},"data":${JSON.stringify(series.data)}}`;
      let pauses = 0;
      const value = await parseJsonInSlices(Buffer.from(text), {
        ...SMALL,
        pause: async () => {
          pauses++;
        },
      });
      expect(value).toEqual({ status: 'success', isPartial, data: series.data });
      expect(pauses).toBe(29);
    },
  );

  it('parses a body below the threshold whole, never pausing', async () => {
    const pause = jest.fn(async () => undefined);
    const text = seriesAnswer(20);
    expect(await parseJsonInSlices(Buffer.from(text), { sliceBytes: 16, pause })).toEqual(
      JSON.parse(text),
    );
    expect(pause).not.toHaveBeenCalled();
  });

  it.each([
    ['a trailing comma', '{"status":"success","data":[{"a":"1"},{"b":"2"},]}'],
    ['a missing comma', '{"status":"success","data":[{"a":"1"}{"b":"2"}]}'],
    ['two commas', '{"status":"success","data":[{"a":"1"},,{"b":"2"}]}'],
    ['a cut-off body', '{"status":"success","data":[{"a":"1"},{"b":"2"}'],
    ['text after the answer', '{"status":"success","data":[{"a":"1"},{"b":"2"}]} x'],
    ['an unclosed string', '{"status":"success","data":[{"a":"1"},{"b":"2}]}'],
  ])('refuses %s as JSON.parse does', async (_, text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    await expect(parseJsonInSlices(Buffer.from(text), SMALL)).rejects.toThrow(SyntaxError);
  });

  it('keeps the last of a list key written twice, as JSON.parse does', async () => {
    const text = '{"status":"success","data":[{"a":"1"},{"b":"2"}],"data":[]}';
    expect(await parseJsonInSlices(Buffer.from(text), SMALL)).toEqual({
      status: 'success',
      data: [],
    });
  });

  it('gives JSON.parse’s value or refusal for any answer-shaped body (20k cases)', async () => {
    const label = fc.string({ unit: 'grapheme', maxLength: 8 });
    const element = fc.oneof(
      fc.dictionary(label, label, { maxKeys: 4 }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    // Valid answers, and bodies mutated by a byte written over, cut, or put in.
    const body = fc
      .tuple(
        fc.constantFrom(
          (items: unknown[]) => ({ status: 'success', data: items }),
          (items: unknown[]) => ({ status: 'success', data: items, warnings: ['w'] }),
          (items: unknown[]) => ({ status: 'success', isPartial: true, data: items }),
          (items: unknown[]) => ({
            status: 'success',
            isPartial: false,
            data: { resultType: 'vector', result: items },
          }),
          (items: unknown[]) => ({
            status: 'success',
            data: { resultType: 'vector', result: items },
          }),
        ),
        fc.array(element, { maxLength: 12 }),
        fc.option(
          fc.tuple(
            fc.nat(),
            fc.constantFrom(',', ']', '}', '[', '{', '"', '\\', ' ', ''),
            fc.boolean(),
          ),
        ),
      )
      .map(([shape, items, mutation]) => {
        const text = JSON.stringify(shape(items));
        if (!mutation) return text;
        const [at, put, replace] = mutation;
        const i = at % (text.length + 1);
        return text.slice(0, i) + put + text.slice(replace ? i + 1 : i);
      });
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        // The body as bytes (a lone surrogate is written as U+FFFD), read whole by JSON.parse.
        const bytes = Buffer.from(text);
        const expected = await outcome(() => JSON.parse(bytes.toString('utf8')) as unknown);
        expect(await outcome(() => parseJsonInSlices(bytes, QUICK))).toEqual(expected);
      }),
      { numRuns: 20_000 },
    );
  });
});
