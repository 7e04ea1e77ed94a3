// What the tracker writes to its data directory is readable by its own user alone: the store
// holds what users sent (addresses, emails, feedback) and config.json the projects' keys. Under a
// umask of 022 the directory was 755 and every file 644 but the API token.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from './main';
import { addProject } from './projects';
import { silentLogger } from './telemetry/logger';

let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-data-modes-'));
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;
/** The modes of the files serve wrote, by name (-wal and -shm as SQLite made them). */
const modesAfterServing = async (dataDir: string) => {
  const tracker = await serve({ port: 0, host: '127.0.0.1', dataDir, logger: silentLogger });
  try {
    const files = ['config.json', 'api-token', 'tracker.db', 'tracker.db-wal', 'tracker.db-shm'];
    // WAL mode is set when the store opens: both files exist while it is open.
    expect(files.filter((f) => !existsSync(join(dataDir, f)))).toEqual([]);
    return Object.fromEntries(files.map((f) => [f, mode(join(dataDir, f)).toString(8)]));
  } finally {
    await tracker.close();
  }
};
const PRIVATE = {
  'config.json': '600',
  'api-token': '600',
  'tracker.db': '600',
  'tracker.db-wal': '600',
  'tracker.db-shm': '600',
};

it('creates its data directory for its user alone, and each file in it', async () => {
  const dataDir = join(dir, 'state', 'tracking');
  addProject(dataDir, 'shop');
  expect(await modesAfterServing(dataDir)).toEqual(PRIVATE);
  expect(mode(dataDir).toString(8)).toBe('700');
});

it('creates its store for its user alone in a directory open to others (a mounted volume)', async () => {
  const dataDir = join(dir, 'volume');
  mkdirSync(dataDir, { mode: 0o755 });
  addProject(dataDir, 'shop');
  expect(await modesAfterServing(dataDir)).toEqual(PRIVATE);
  // A directory it did not create keeps the mode it was given.
  expect(mode(dataDir).toString(8)).toBe('755');
});
