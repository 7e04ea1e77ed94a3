// A SQLite store in a directory of its own for one test, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';

/** Runs `run` against a new store in a temporary directory named after `prefix`. */
export function withTempStore<T>(prefix: string, run: (repo: Repository) => T): T {
  const dir = mkdtempSync(join(tmpdir(), `beacon-${prefix}-`));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    return run(repo);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
