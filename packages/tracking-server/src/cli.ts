#!/usr/bin/env node
// beacon-tracking-server: serve, project add, --help (the command line: cli-args.ts).
import { type Command, parseCommand, USAGE, UsageError } from './cli-args';
import { addProject, dsnFor } from './projects';
import { serve } from './main';
import { createLogger } from './telemetry/logger';

async function run(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`Error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'project add': {
      const project = addProject(command.dataDir, command.name);
      const dsn = dsnFor(project, command.publicUrl);
      process.stdout.write(JSON.stringify({ id: project.id, key: project.key, dsn }) + '\n');
      const prefix = new URL(command.publicUrl).pathname.replace(/\/+$/, '');
      if (prefix !== '')
        process.stderr.write(
          `Note: SDKs will send to ${prefix}/api/${project.id}/envelope/; the tracker serves /api/${project.id}/envelope/, so a proxy in front must strip ${prefix}\n`,
        );
      return 0;
    }
    case 'serve':
      return serveUntilSignal(command);
  }
}

/**
 * Serves until SIGTERM or SIGINT. A failure to start is one JSON log line, as the server's own
 * logs are, for the log pipeline that reads them.
 */
async function serveUntilSignal(command: Extract<Command, { kind: 'serve' }>): Promise<number> {
  const logger = createLogger();
  let tracker;
  try {
    tracker = await serve({
      port: command.port,
      host: command.host,
      dataDir: command.dataDir,
      apiToken: command.apiToken ?? process.env.BEACON_TRACKER_API_TOKEN,
      apiTokenFrom: command.apiToken !== undefined ? '--api-token' : 'BEACON_TRACKER_API_TOKEN',
      defaults: command.defaults,
      logger,
    });
  } catch (error) {
    logger.error('could not start', { error, dataDir: command.dataDir });
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await tracker.close();
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
