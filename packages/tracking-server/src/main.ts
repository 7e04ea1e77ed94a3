// Wiring for `serve`: data directory, SQLite store, projects (reloaded when config.json
// changes, so `project add` needs no restart), retention, HTTP server. The only module with
// side effects.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unwatchFile,
  watchFile,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from './api/app';
import { answerClientErrors } from './api/client-error';
import { drainer } from './api/drain';
import {
  configFile,
  ConfigMissingError,
  loadConfig,
  reloadConfig,
  type Project,
  type ProjectSettings,
  DEFAULT_SETTINGS,
  PRIVATE_DIR,
  storeFile,
} from './projects';
import { lockDataDir } from './lock-file';
import { retentionRules, sweepRetention } from './retention';
import type { Repository } from './store/repository';
import { openSqlite } from './store/sqlite';
import { inlineReader, workerReader, type StoreReader } from './store/reader';
import { inlineWriter, workerWriter, type EventWriter } from './store/writer';
import { createLogger, type Logger } from './telemetry/logger';
import { createTrackerMetrics } from './telemetry/metrics';

export interface ServeOptions {
  readonly port: number;
  readonly host?: string;
  readonly dataDir: string;
  readonly apiToken?: string;
  /** Where apiToken came from (`--api-token`, `BEACON_TRACKER_API_TOKEN`), named if it is refused. */
  readonly apiTokenFrom?: string;
  readonly defaults?: ProjectSettings;
  readonly logger?: Logger;
  /**
   * Where ingested data is committed: on a worker thread (the default), or on the main thread
   * (`inline`).
   */
  readonly writer?: 'worker' | 'inline';
  /** How often old data is deleted (each project's retentionDays); hourly by default. */
  readonly sweepEveryMs?: number;
  /** How long close() lets requests in flight finish before cutting their connections. */
  readonly closeGraceMs?: number;
}

/**
 * The default of closeGraceMs: within the 30 s Kubernetes gives a pod between SIGTERM and
 * SIGKILL, with time left for the writer's last commit.
 */
const CLOSE_GRACE_MS = 10_000;

export interface RunningTracker {
  readonly url: string;
  readonly port: number;
  readonly apiToken: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The API token: the flag or environment, else one kept in the data directory. */
function apiToken(options: ServeOptions, logger: Logger): string {
  if (options.apiToken !== undefined)
    return checkedToken(options.apiToken, options.apiTokenFrom ?? 'the API token');
  const file = join(options.dataDir, 'api-token');
  if (!existsSync(file)) {
    // Written whole or not at all: a crash cannot leave an empty file behind, nor can a power
    // loss (synced before the rename; an empty one would be refused at every start after).
    const fd = openSync(`${file}.tmp`, 'w', 0o600);
    try {
      writeSync(fd, randomBytes(24).toString('hex') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
    logger.info('no --api-token or BEACON_TRACKER_API_TOKEN: generated one', { file });
  }
  return checkedToken(readFileSync(file, 'utf8').trim(), file);
}

/**
 * A token a request can present: not empty (an empty one would let in requests that send
 * none) and one word, as `Authorization: Bearer <token>` carries it.
 */
export function checkedToken(token: string, where: string): string {
  if (token === '') throw new Error(`${where} is empty: refusing to serve the API without a token`);
  // Named by position and code point, never shown: it is a secret.
  const bad = token.search(/[^\x21-\x7e]/);
  if (bad >= 0) {
    const hex = (token.codePointAt(bad) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    // A Secret made with `kubectl create secret --from-file` keeps the file's last newline.
    const hint = /^[\r\n]+$/.test(token.slice(bad)) ? ': it ends with a line break' : '';
    throw new Error(
      `${where} must be printable ASCII without spaces (it is sent as a bearer token); character ${bad + 1} of ${token.length} is U+${hex}${hint}`,
    );
  }
  return token;
}

/** Creates `file` empty, readable by this user alone, unless something is there already. */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * The store, its path named in what it throws (SQLite's own says only "unable to open database file").
 * A new one is created readable by this user alone, as SQLite then creates its -wal and -shm
 * files (it gives them the database's mode): events hold users' addresses, emails and what they
 * wrote, and a data directory that already existed may be open to others.
 */
function openStore(dbFile: string, checkpoint: boolean): Repository {
  try {
    createPrivately(dbFile);
    return openSqlite(dbFile, { checkpoint });
  } catch (err) {
    throw new Error(`${dbFile}: ${(err as Error).message}`);
  }
}

export async function serve(options: ServeOptions): Promise<RunningTracker> {
  const logger = options.logger ?? createLogger();
  // Its own user's alone where it is created (PRIVATE_DIR).
  mkdirSync(options.dataDir, { recursive: true, mode: PRIVATE_DIR });
  // Before the store is opened: a second serve on this directory stops here.
  const unlock = lockDataDir(options.dataDir);
  try {
    return await serveLocked(options, logger, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function serveLocked(
  options: ServeOptions,
  logger: Logger,
  unlock: () => void,
): Promise<RunningTracker> {
  const defaults = options.defaults ?? DEFAULT_SETTINGS;
  let projects: readonly Project[] = loadConfig(options.dataDir, defaults).projects;
  const config = configFile(options.dataDir);
  watchFile(config, { interval: 500 }, (now, before) => {
    // Polling a file that is not there calls once with both stats zeroed: still absent, as a
    // first start without the file began (it warned that the file had gone, every such start).
    if (now.mtimeMs === 0 && before.mtimeMs === 0) return;
    try {
      projects = reloadConfig(options.dataDir, defaults).projects;
      logger.info('projects reloaded', { projects: projects.length });
    } catch (error) {
      if (error instanceof ConfigMissingError)
        logger.warn('config.json is missing; keeping the previous projects', {
          file: config,
          projects: projects.length,
        });
      else logger.error('config.json is invalid; keeping the previous projects', { error });
    }
  });

  let repo: Repository | undefined;
  let writer: EventWriter | undefined;
  let reader: StoreReader | undefined;
  try {
    const dbFile = storeFile(options.dataDir);
    const inline = options.writer === 'inline';
    // This connection first (it creates the schema), then the store threads'.
    repo = openStore(dbFile, inline);
    writer = inline
      ? inlineWriter(repo)
      : workerWriter(dbFile, (error) =>
          logger.error('the store writer stopped: ingest fails until the tracker restarts', {
            error,
          }),
        );
    reader = inline
      ? inlineReader(repo)
      : workerReader(dbFile, {
          // Ingest goes on meanwhile (the writer thread); reads fail until a new thread runs.
          onFailure: (error, restartInMs) =>
            logger.error('the store reader thread died: API reads fail until it restarts', {
              error,
              restartInMs,
            }),
          onRestart: ({ deaths, downMs }) =>
            logger.info('the store reader thread restarted: API reads are answered again', {
              deaths,
              downMs,
            }),
        });
    const store = { repo, writer, reader };
    return await serveStore(options, logger, unlock, () => projects, defaults, store);
  } catch (err) {
    // A start that failed (a port in use, a bad token) leaves nothing running: the config
    // watcher and the writer thread kept the process alive, the thread's connection open after
    // the lock was released.
    unwatchFile(config);
    await writer?.close().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    repo?.close();
    throw err;
  }
}

async function serveStore(
  options: ServeOptions,
  logger: Logger,
  unlock: () => void,
  projectsNow: () => readonly Project[],
  defaults: ProjectSettings,
  { repo, writer, reader }: { repo: Repository; writer: EventWriter; reader: StoreReader },
): Promise<RunningTracker> {
  const config = configFile(options.dataDir);
  const token = apiToken(options, logger);
  const app = createApp({
    repo,
    writer,
    reader,
    projects: projectsNow,
    apiToken: token,
    metrics: createTrackerMetrics(),
    logger,
  });
  const server = createServer({ keepAliveTimeout: 65_000 }, app);
  answerClientErrors(server);
  const drain = drainer(server);

  // Retention, per project (the default for projects config.json does not list): old events,
  // operations, memory snapshots and sessions go in transactions of at most 500 rows on the
  // writer thread, queued between ingest batches — never one long delete that would hold up a
  // commit.
  let sweeping: Promise<void> | undefined;
  let closing = false;
  const sweepOnce = async () => {
    try {
      const rules = retentionRules(projectsNow(), defaults, Date.now());
      const deleted = await sweepRetention(writer, rules, 500, () => closing);
      if (deleted > 0) logger.info('retention sweep', { deleted });
    } catch (error) {
      logger.error('retention sweep failed', { error });
    } finally {
      sweeping = undefined;
    }
  };
  const sweep = () => (sweeping ??= sweepOnce());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // An unspecified address (the default 0.0.0.0, or ::) is every interface of both families, as
    // Go and Kubernetes servers read it: Node listens on :: dual-stack where the machine has IPv6.
    // On 0.0.0.0 alone, the StatefulSet's pod in an IPv6-only cluster refused its probes and Service.
    const host = options.host ?? '0.0.0.0';
    const everywhere = host === '0.0.0.0' || host === '::';
    server.listen({ port: options.port, ...(everywhere ? {} : { host }) }, () => resolve());
  });
  // Once serving: a start that fails has no sweep to stop.
  const retention = setInterval(() => void sweep(), options.sweepEveryMs ?? 3_600_000);
  retention.unref();
  const firstSweep = setTimeout(() => void sweep(), 10_000);
  firstSweep.unref();
  const port = (server.address() as AddressInfo).port;
  logger.info('serving', { port, dataDir: options.dataDir, projects: projectsNow().length });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiToken: token,
    server,
    async close() {
      closing = true;
      clearInterval(retention);
      clearTimeout(firstSweep);
      unwatchFile(config);
      // A sweep stops after its batch in progress, before the writer closes under it.
      await Promise.all([drain(options.closeGraceMs ?? CLOSE_GRACE_MS), sweeping]);
      await Promise.all([writer.close(), reader.close()]);
      repo.close();
      unlock();
    },
  };
}
