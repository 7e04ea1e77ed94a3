// A tracker for the HTTP tests: a fresh data directory holding the named projects, each with
// the settings given written into config.json as an operator would, served on a free loopback
// port with no logs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningTracker } from '../main';
import { addProject, configFile, type Project } from '../projects';
import { silentLogger } from '../telemetry/logger';

export interface TestTracker<P extends string> {
  readonly dir: string;
  readonly tracker: RunningTracker;
  readonly projects: Record<P, Project>;
  close(): Promise<void>;
}

export async function startTestTracker<P extends string>(
  name: string,
  settings: Record<P, Record<string, unknown>>,
  apiToken = 't',
): Promise<TestTracker<P>> {
  const dir = mkdtempSync(join(tmpdir(), `beacon-${name}-`));
  const projects = {} as Record<P, Project>;
  for (const p of Object.keys(settings) as P[]) projects[p] = addProject(dir, p);
  const file = configFile(dir);
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as { projects: { name: P }[] };
  cfg.projects = cfg.projects.map((entry) => ({ ...entry, ...settings[entry.name] }));
  writeFileSync(file, JSON.stringify(cfg));
  const tracker = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    apiToken,
    logger: silentLogger,
  });
  return {
    dir,
    tracker,
    projects,
    async close() {
      await tracker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
