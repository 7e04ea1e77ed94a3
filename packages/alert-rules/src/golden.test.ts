import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAll } from './build';
import { PACKAGE_ROOT } from './spec';

const GOLDEN = path.join(PACKAGE_ROOT, 'testdata', 'golden');

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`)
      : [`${prefix}${e.name}`],
  );
}

describe('the build output', () => {
  const files = renderAll();

  if (process.env.UPDATE_GOLDEN === '1') {
    for (const [rel, content] of files) {
      mkdirSync(path.dirname(path.join(GOLDEN, rel)), { recursive: true });
      writeFileSync(path.join(GOLDEN, rel), content);
    }
  }

  it('is the set of files under testdata/golden', () => {
    expect([...files.keys()]).toEqual(listFiles(GOLDEN).sort());
  });

  it.each([...files.keys()])('matches testdata/golden/%s', (rel) => {
    expect(files.get(rel)).toBe(readFileSync(path.join(GOLDEN, rel), 'utf8'));
  });

  it('is the same when rendered twice', () => {
    expect([...renderAll()]).toEqual([...files]);
  });

  it('starts every file with the generated header', () => {
    for (const content of files.values()) {
      expect(content.startsWith('# generated — do not edit\n')).toBe(true);
    }
  });
});
