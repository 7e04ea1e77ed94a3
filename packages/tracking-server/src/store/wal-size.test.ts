// The WAL file after a burst that a long read held back from being checkpointed: cut back to
// the store's limit once a checkpoint has emptied it, not kept at its high-water size.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { openSqlite } from './sqlite';

const scrub = createScrubber({ enabled: true });
const NOW = Date.UTC(2026, 11, 3, 9);
const LIMIT = 512 * 1024;

let next = 0;
/** `count` events of ~4 KB each (random text, which no compression makes smaller), each with an id of its own. */
const events = (count: number) =>
  Array.from({ length: count }, () => {
    next++;
    return readEvent(
      {
        event_id: next.toString(16).padStart(32, '0'),
        message: `burst ${next} ${randomBytes(3000).toString('base64')}`,
      },
      1,
      scrub,
      NOW,
    );
  });

it('cuts the WAL back to its limit after a burst a long read held back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-wal-'));
  const file = join(dir, 'tracker.db');
  const repo = openSqlite(file, { walLimitBytes: LIMIT });
  const reader = new Database(file, { readonly: true });
  try {
    repo.ingest(events(10));
    // A read transaction open across the burst: no checkpoint can empty the WAL meanwhile.
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM events').get();
    for (let i = 0; i < 40; i++) repo.ingest(events(100));
    const highWater = statSync(`${file}-wal`).size;
    expect(highWater).toBeGreaterThan(8 * 1024 * 1024); // the burst: 4,000 events of 4 KB, past a checkpoint's 2,000 pages
    reader.exec('COMMIT');

    // The next commits checkpoint the WAL whole, then write from its start again.
    for (let i = 0; i < 3; i++) repo.ingest(events(1));
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(LIMIT);
    expect(repo.storedEventIds([(1).toString(16).padStart(32, '0')]).size).toBe(1);
  } finally {
    reader.close();
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
