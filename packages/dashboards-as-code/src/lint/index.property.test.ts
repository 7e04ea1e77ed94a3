// Properties of loadSchema, which reads the file `lint --schema` names: whatever the file holds,
// the answer is a JSON object or an Error naming the path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadSchema } from '.';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-schema-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** File contents: stray bytes, any JSON value, JSON objects cut short or with a byte changed. */
const content = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .tuple(fc.object({ maxDepth: 2 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }))
    .map(([o, at, c]) => {
      const text = JSON.stringify(o);
      const i = at % (text.length + 1);
      return at % 2 === 0 ? text.slice(0, i) : text.slice(0, i) + c + text.slice(i + 1);
    }),
);

describe('loadSchema', () => {
  it('reads any file (2000 cases) as a JSON object or fails naming the path and the problem', () => {
    const file = join(dir, 'any.json');
    fc.assert(
      fc.property(content, (text) => {
        writeFileSync(file, text);
        let schema: object;
        try {
          schema = loadSchema(file);
        } catch (err) {
          expect((err as Error).constructor).toBe(Error);
          expect((err as Error).message).toMatch(
            new RegExp(`^cannot read Grafana dashboard schema ${file}: .`),
          );
          return;
        }
        expect(schema).not.toBeNull();
        expect(typeof schema).toBe('object');
        expect(Array.isArray(schema)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any JSON object written to the file (2000 cases), indented or not', () => {
    const file = join(dir, 'object.json');
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
          maxKeys: 6,
        }),
        fc.constantFrom(undefined, 2, '\t'),
        (o, indent) => {
          writeFileSync(file, JSON.stringify(o, null, indent));
          expect(loadSchema(file)).toStrictEqual(JSON.parse(JSON.stringify(o)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['null', 'it is null, not a JSON object'],
    ['[]', 'it is a list, not a JSON object'],
    ['42', 'it is number, not a JSON object'],
  ])('refuses a schema file holding %s, naming it', (text, problem) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, text);
    expect(() => loadSchema(file)).toThrow(
      `cannot read Grafana dashboard schema ${file}: ${problem}`,
    );
  });
});
