// `npm run package` (scripts/package.mjs) read back with Info-ZIP's unzip, an independent reader:
// the layout `grafana cli --pluginUrl` installs (everything under one folder named for the plugin
// id), every file of dist/ byte for byte, and the same bytes on every run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const ID = 'beacon-observability-app';
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

function distFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? distFiles(path) : [relative(dist, path)];
  });
}

describe('npm run package', () => {
  let out: string;
  let zip: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'beacon-package-'));
    execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), out]);
    zip = join(out, `${ID}-${version}.zip`);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('writes beacon-observability-app-<version>.zip that unzip verifies', () => {
    expect(execFileSync('unzip', ['-tq', zip]).toString()).toMatch(/No errors detected/);
  });

  test('holds every file of dist/ under one folder named for the plugin id', () => {
    const entries = execFileSync('unzip', ['-Z1', zip]).toString().trim().split('\n').sort();
    expect(entries).toEqual(
      distFiles(dist)
        .map((f) => `${ID}/${f}`)
        .sort()
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        `${ID}/plugin.json`,
        `${ID}/module.js`,
        `${ID}/panels/issues-panel/module.js`,
        `${ID}/panels/session-panel/module.js`,
      ])
    );
  });

  test('stores the files byte for byte', () => {
    for (const file of ['plugin.json', 'module.js', 'panels/session-panel/plugin.json']) {
      const stored = execFileSync('unzip', ['-p', zip, `${ID}/${file}`]);
      expect(stored.equals(readFileSync(join(dist, file)))).toBe(true);
    }
  });

  test('gives the same bytes for the same build', () => {
    const again = mkdtempSync(join(tmpdir(), 'beacon-package-'));
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), again]);
      expect(readFileSync(join(again, `${ID}-${version}.zip`)).equals(readFileSync(zip))).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});
