// What `serve` leaves behind when it cannot start, and what a running one logs when config.json
// is edited badly.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from './main';
import { addProject, configFile } from './projects';
import { createLogger, silentLogger } from './telemetry/logger';

/** The handles that keep a process alive: config watchers and a worker's message port. */
const holders = () =>
  (process as unknown as { _getActiveHandles(): object[] })
    ._getActiveHandles()
    .filter((h) => ['StatWatcher', 'MessagePort'].includes(h.constructor.name));

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-serve-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('leaves no writer thread, config watcher or lock behind when it cannot listen (a port in use)', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));
  // Compared by identity: one the test runner held before may close meanwhile (CI saw 1 → 0).
  const before = new Set(holders());
  try {
    await expect(serve({ port, host: '127.0.0.1', dataDir: dir, logger })).rejects.toThrow(
      'EADDRINUSE',
    );
    // The writer thread's port and the config watcher are gone (each kept the process alive).
    expect(holders().filter((h) => !before.has(h))).toEqual([]);
    // No watcher: a config.json written now is not read.
    writeFileSync(configFile(dir), '{');
    await settle(1_500);
    expect(lines.filter((l) => l.includes('config.json'))).toEqual([]);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
  // And the directory is free for the next serve.
  writeFileSync(configFile(dir), '{"projects":[]}');
  const next = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, logger: silentLogger });
  await next.close();
});

it('keeps the last good projects on a bad edit while serving, logging why at error', async () => {
  const web = addProject(dir, 'web');
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));
  const tracker = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, apiToken: 't', logger });
  const send = () =>
    fetch(`${tracker.url}/api/${web.id}/envelope/?sentry_key=${web.key}`, {
      method: 'POST',
      body: '{}\n{"type":"event"}\n{"message":"kept"}\n',
    }).then(async (res) => (await res.arrayBuffer(), res.status));
  try {
    const file = configFile(dir);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('"projects"', '"projcets"'));
    let logged: Record<string, unknown> | undefined;
    for (const deadline = Date.now() + 20_000; !logged && Date.now() < deadline;) {
      await settle(100);
      logged = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.level === 'error');
    }
    expect(logged).toMatchObject({
      level: 'error',
      msg: 'config.json is invalid; keeping the previous projects',
      error: `${file}: unknown key "projcets" (allowed: projects)`,
    });
    expect(await send()).toBe(200);
  } finally {
    await tracker.close();
  }
});

it('generates an API token into the data directory, owner-only and whole, and keeps it across restarts', async () => {
  const first = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, logger: silentLogger });
  const file = join(dir, 'api-token');
  try {
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^[0-9a-f]{48}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(first.apiToken).toBe(text.trim());
  } finally {
    await first.close();
  }
  const again = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, logger: silentLogger });
  try {
    expect(again.apiToken).toBe(readFileSync(file, 'utf8').trim());
    const res = await fetch(`${again.url}/api/v1/issues`, {
      headers: { authorization: `Bearer ${again.apiToken}` },
    });
    expect(res.status).toBe(200);
  } finally {
    await again.close();
  }
});

it('answers on IPv4 and IPv6 without a host, as the StatefulSet runs it (every interface of both families)', async () => {
  const tracker = await serve({ port: 0, dataDir: dir, apiToken: 't', logger: silentLogger });
  try {
    const health = async (host: string) => {
      const res = await fetch(`http://${host}:${tracker.port}/healthz`);
      return [host, res.status];
    };
    expect([await health('127.0.0.1'), await health('[::1]')]).toEqual([
      ['127.0.0.1', 200],
      ['[::1]', 200],
    ]);
  } finally {
    await tracker.close();
  }
});
