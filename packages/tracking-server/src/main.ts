// Wiring for `serve`: data directory, SQLite store, projects (reloaded when config.json
// changes, so `project add` needs no restart), retention, HTTP server. The only module with
// side effects.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  unwatchFile,
  watchFile,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from './api/app';
import {
  configFile,
  loadConfig,
  type Project,
  type ProjectSettings,
  DEFAULT_SETTINGS,
} from './projects';
import { openSqlite } from './store/sqlite';
import { createLogger, type Logger } from './telemetry/logger';
import { createTrackerMetrics } from './telemetry/metrics';

export interface ServeOptions {
  readonly port: number;
  readonly host?: string;
  readonly dataDir: string;
  readonly apiToken?: string;
  readonly defaults?: ProjectSettings;
  readonly logger?: Logger;
}

export interface RunningTracker {
  readonly url: string;
  readonly port: number;
  readonly apiToken: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The API token: the flag or environment, else one kept in the data directory. */
function apiToken(options: ServeOptions, logger: Logger): string {
  if (options.apiToken) return options.apiToken;
  const file = join(options.dataDir, 'api-token');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
    logger.info('no --api-token or BEACON_TRACKER_API_TOKEN: generated one', { file });
  }
  return readFileSync(file, 'utf8').trim();
}

export async function serve(options: ServeOptions): Promise<RunningTracker> {
  const logger = options.logger ?? createLogger();
  mkdirSync(options.dataDir, { recursive: true });
  const defaults = options.defaults ?? DEFAULT_SETTINGS;
  let projects: readonly Project[] = loadConfig(options.dataDir, defaults).projects;
  const config = configFile(options.dataDir);
  watchFile(config, { interval: 500 }, () => {
    try {
      projects = loadConfig(options.dataDir, defaults).projects;
      logger.info('projects reloaded', { projects: projects.length });
    } catch (error) {
      logger.error('config.json is invalid; keeping the previous projects', { error });
    }
  });

  const repo = openSqlite(join(options.dataDir, 'tracker.db'));
  const token = apiToken(options, logger);
  const app = createApp({
    repo,
    projects: () => projects,
    apiToken: token,
    metrics: createTrackerMetrics(),
    logger,
  });
  const server = createServer({ keepAliveTimeout: 65_000 }, app);

  // Retention: old events go in small batches between requests, never in one long delete.
  const sweep = () => {
    const days = Math.max(...projects.map((p) => p.retentionDays), defaults.retentionDays);
    const before = Date.now() - days * 86_400_000;
    const step = () => {
      const removed = repo.deleteEventsBefore(before, 500) + repo.deleteSessionsBefore(before, 500);
      if (removed > 0) setImmediate(step);
    };
    step();
  };
  const retention = setInterval(sweep, 3_600_000);
  retention.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('serving', { port, dataDir: options.dataDir, projects: projects.length });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiToken: token,
    server,
    async close() {
      clearInterval(retention);
      unwatchFile(config);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      repo.close();
    },
  };
}
