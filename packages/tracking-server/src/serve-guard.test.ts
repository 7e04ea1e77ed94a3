// What guards a running server's data directory: one `serve` a directory (serve.lock), and
// the projects it serves kept while config.json is missing, and none warned of when it never was.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from './main';
import { serveLockFile } from './lock-file';
import { addProject } from './projects';
import { createLogger, silentLogger } from './telemetry/logger';
import { startTestTracker } from './testing/test-tracker';

const envelope = (n: number) =>
  `{}\n{"type":"event"}\n${JSON.stringify({ event_id: n.toString(16).padStart(32, '0'), message: 'guarded' })}\n`;

it('refuses a second serve on a data directory, naming it and the pid holding it', async () => {
  const setup = await startTestTracker('serve-lock', { web: {} });
  try {
    const lock = serveLockFile(setup.dir);
    expect(readFileSync(lock, 'utf8').split(' ')[0]).toBe(String(process.pid));
    await expect(
      serve({ port: 0, host: '127.0.0.1', dataDir: setup.dir, logger: silentLogger }),
    ).rejects.toThrow(
      `${setup.dir} is in use by another beacon-tracking-server serve (pid ${process.pid}, lock ${lock})`,
    );
    await setup.tracker.close();
    expect(existsSync(lock)).toBe(false);
    // Released: the next serve takes it; so does one after a holder that died (no such pid).
    writeFileSync(lock, '2147483646 0123456789abcdef\n');
    const next = await serve({
      port: 0,
      host: '127.0.0.1',
      dataDir: setup.dir,
      logger: silentLogger,
    });
    await next.close();
  } finally {
    await setup.close().catch(() => undefined);
  }
});

it('starts without config.json quietly, and serves the projects once the file is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-no-config-'));
  const lines: { level: string; msg: string }[] = [];
  const tracker = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    logger: createLogger('info', (line) => lines.push(JSON.parse(line))),
  });
  try {
    await new Promise((r) => setTimeout(r, 1_500)); // watchFile polls every 500 ms
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
    const web = addProject(dir, 'web');
    let status = 0;
    for (let n = 1, deadline = Date.now() + 20_000; status !== 200 && Date.now() < deadline; n++) {
      const res = await fetch(`${tracker.url}/api/${web.id}/envelope/?sentry_key=${web.key}`, {
        method: 'POST',
        body: envelope(n),
      });
      status = res.status;
      await res.arrayBuffer();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
  } finally {
    await tracker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps the projects while config.json is missing, and reloads it when it is back', async () => {
  const setup = await startTestTracker('config-gone', { web: {} });
  const { web } = setup.projects;
  const send = (n: number) =>
    fetch(`${setup.tracker.url}/api/${web.id}/envelope/?sentry_key=${web.key}`, {
      method: 'POST',
      body: envelope(n),
    });
  const config = join(setup.dir, 'config.json');
  const settle = () => new Promise((r) => setTimeout(r, 1_500)); // watchFile polls every 500 ms
  try {
    expect((await send(1)).status).toBe(200);
    renameSync(config, `${config}.saved`);
    await settle();
    expect((await send(2)).status).toBe(200);
    renameSync(`${config}.saved`, config);
    writeFileSync(config, JSON.stringify({ projects: [] })); // a real edit still applies
    // Until the watcher has seen the edit: on a busy machine its 500 ms poll can run late.
    let status = 0;
    for (let n = 3, deadline = Date.now() + 20_000; status !== 403 && Date.now() < deadline; n++) {
      const res = await send(n);
      status = res.status;
      await res.arrayBuffer();
      if (status !== 403) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(403);
  } finally {
    await setup.close();
  }
});
