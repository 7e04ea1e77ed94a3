// A disk that fills while serving (SQLITE_FULL on the writer thread's commit): each request is
// answered once, 200 only for events committed and, for the rest, 503 in Sentry's form with
// Retry-After, to be sent again (a 500 "internal error" until 2026-12-07); the tracker stays healthy
// (a restart would not free space) and stores again once there is room. The disk is a 3 MB
// tmpfs, which only root can mount (CI runs as root): elsewhere the test fails, saying so.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from './main';
import { addProject } from './projects';
import { openSqlite } from './store/sqlite';
import { silentLogger } from './telemetry/logger';

it('answers 503 with Retry-After for events a full disk refused and 200 only for those committed, and stores again once there is room', async () => {
  const mount = mkdtempSync(join(tmpdir(), 'beacon-disk-full-'));
  const mounting = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount], {
    encoding: 'utf8',
  });
  if (mounting.status !== 0) {
    rmSync(mount, { recursive: true, force: true });
    throw new Error(
      `the disk-full test mounts a 3 MB tmpfs, which needs root (as CI runs): mount ${mounting.error?.message ?? `exited ${mounting.status}: ${mounting.stderr.trim()}`}`,
    );
  }
  try {
    const dir = join(mount, 'data');
    mkdirSync(dir);
    const project = addProject(dir, 'full');
    const filler = join(mount, 'filler');
    writeFileSync(filler, Buffer.alloc(300_000));
    const tracker = await serve({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      apiToken: 't',
      logger: silentLogger,
    });
    const answered = { ok: [] as string[], failed: [] as string[] };
    const other: number[] = [];
    const send = async (n: number) => {
      const id = n.toString(16).padStart(32, '0');
      const event = { event_id: id, message: `full ${n} ${'x'.repeat(20_000)}`, level: 'error' };
      const res = await fetch(
        `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
        {
          method: 'POST',
          body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
        },
      );
      await res.arrayBuffer();
      if (res.status === 200) answered.ok.push(id);
      else if (
        res.status === 503 &&
        res.headers.get('retry-after') === '1' &&
        res.headers.get('x-sentry-error') ===
          'the tracker could not store the request; send it again'
      )
        answered.failed.push(id);
      else other.push(res.status);
    };
    let afterRoom: string[] = [];
    try {
      for (let n = 1; n <= 300; n++) await send(n);
      expect(answered.failed.length).toBeGreaterThan(0);
      expect(answered.ok.length).toBeGreaterThan(0);
      expect(await (await fetch(`${tracker.url}/healthz`)).text()).toBe('ok');
      // Room again: the next events are stored.
      rmSync(filler);
      const okBefore = answered.ok.length;
      for (let n = 1001; n <= 1003; n++) await send(n);
      afterRoom = answered.ok.slice(okBefore);
      expect(afterRoom).toHaveLength(3);
    } finally {
      await tracker.close();
    }
    expect(other).toEqual([]);
    const store = openSqlite(join(dir, 'tracker.db'));
    try {
      expect(store.storedEventIds(answered.ok).size).toBe(answered.ok.length);
      expect(store.storedEventIds(answered.failed).size).toBe(0);
    } finally {
      store.close();
    }
  } finally {
    spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});
