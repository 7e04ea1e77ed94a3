import { classifyType, TYPES } from './classify';
import type { ExceptionValue } from './grouping';
import { CORPUS, type CorpusEntry } from './testdata/error-corpus';

// Each error of the corpus as its SDK sends it: the exceptions (cause first), the library frames
// on the outermost one (a path is a file name, anything else a module, as the SDKs set them).
const sent = (entry: CorpusEntry): ExceptionValue[] =>
  entry.exceptions.map(([type, value, module], i, all) => ({
    type,
    value,
    ...(module === undefined ? {} : { module }),
    ...(i === all.length - 1 && entry.frames
      ? {
          stacktrace: {
            frames: entry.frames.map((f) =>
              f.includes('/') ? { filename: f, in_app: false } : { module: f, in_app: false },
            ),
          },
        }
      : {}),
  }));

describe('the labelled corpus of real errors', () => {
  it('holds at least 150 errors, each labelled with a type, a reason and its upstream source', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    for (const entry of CORPUS) {
      expect(TYPES).toContain(entry.expected);
      expect(entry.reason.length).toBeGreaterThan(0);
      expect(entry.source.length).toBeGreaterThan(0);
    }
  });

  it.each(
    CORPUS.map(
      (e) => [e.expected, e.exceptions.map(([t, v]) => `${t}: ${v}`).join(' ← '), e] as const,
    ),
  )('files under %s: %s', (expected, _text, entry) => {
    expect(classifyType(sent(entry), '')).toBe(expected);
  });
});
