// Projects and their settings, kept in the data directory's config.json: the public key SDKs
// authenticate with, and per-project rate limit, scrubbing and retention (defaults from flags).
// Parsed strictly: an unknown key or a wrong type is an error naming the file and the key.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProjectSettings {
  /** Events accepted per minute before 429; 0 means unlimited. */
  readonly eventsPerMinute: number;
  readonly scrub: {
    readonly enabled: boolean;
    readonly extraKeys: readonly string[];
    readonly safeKeys: readonly string[];
  };
  /**
   * Days events, operations, memory snapshots and sessions are kept; 0 keeps them for ever.
   * The default (`--retention-days`) also covers projects config.json does not list.
   */
  readonly retentionDays: number;
}

export interface Project extends ProjectSettings {
  readonly id: number;
  readonly name: string;
  readonly key: string;
}

export interface TrackerConfig {
  readonly projects: readonly Project[];
}

export const DEFAULT_SETTINGS: ProjectSettings = {
  eventsPerMinute: 0,
  scrub: { enabled: true, extraKeys: [], safeKeys: [] },
  retentionDays: 30,
};

export class ConfigError extends Error {
  constructor(file: string, path: string, detail: string) {
    super(`${file}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(o: Obj, allowed: readonly string[], file: string, path: string) {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k))
      throw new ConfigError(
        file,
        path,
        `unknown key ${JSON.stringify(k)} (allowed: ${allowed.join(', ')})`,
      );
  }
}

function num(v: unknown, file: string, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ConfigError(file, path, 'must be a non-negative number');
  return v;
}

function strings(v: unknown, file: string, path: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new ConfigError(file, path, 'must be a list of strings');
  return v as string[];
}

export function parseConfig(
  text: string,
  file: string,
  defaults: ProjectSettings = DEFAULT_SETTINGS,
): TrackerConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', `not JSON: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new ConfigError(file, '', 'must be a JSON object');
  only(doc, ['projects'], file, '');
  if (doc.projects !== undefined && !Array.isArray(doc.projects))
    throw new ConfigError(file, 'projects', 'must be a list');
  const projects = ((doc.projects as unknown[]) ?? []).map((p, i): Project => {
    const path = `projects[${i}]`;
    if (!isObj(p)) throw new ConfigError(file, path, 'must be an object');
    only(p, ['id', 'name', 'key', 'eventsPerMinute', 'scrub', 'retentionDays'], file, path);
    if (typeof p.id !== 'number' || !Number.isSafeInteger(p.id) || p.id < 1)
      throw new ConfigError(file, `${path}.id`, 'must be a positive integer');
    if (typeof p.name !== 'string' || !p.name)
      throw new ConfigError(file, `${path}.name`, 'must be a non-empty string');
    if (typeof p.key !== 'string' || !/^[0-9a-f]{32}$/.test(p.key))
      throw new ConfigError(file, `${path}.key`, 'must be 32 lower-case hex digits');
    let scrub = defaults.scrub;
    if (p.scrub !== undefined) {
      if (!isObj(p.scrub)) throw new ConfigError(file, `${path}.scrub`, 'must be an object');
      only(p.scrub, ['enabled', 'extraKeys', 'safeKeys'], file, `${path}.scrub`);
      if (p.scrub.enabled !== undefined && typeof p.scrub.enabled !== 'boolean')
        throw new ConfigError(file, `${path}.scrub.enabled`, 'must be true or false');
      scrub = {
        enabled: (p.scrub.enabled as boolean | undefined) ?? defaults.scrub.enabled,
        extraKeys: strings(p.scrub.extraKeys, file, `${path}.scrub.extraKeys`),
        safeKeys: strings(p.scrub.safeKeys, file, `${path}.scrub.safeKeys`),
      };
    }
    return {
      id: p.id,
      name: p.name,
      key: p.key,
      eventsPerMinute: num(
        p.eventsPerMinute,
        file,
        `${path}.eventsPerMinute`,
        defaults.eventsPerMinute,
      ),
      retentionDays: num(p.retentionDays, file, `${path}.retentionDays`, defaults.retentionDays),
      scrub,
    };
  });
  const ids = new Set<number>();
  for (const p of projects) {
    if (ids.has(p.id)) throw new ConfigError(file, 'projects', `project id ${p.id} is given twice`);
    ids.add(p.id);
  }
  return { projects };
}

export const configFile = (dataDir: string) => join(dataDir, 'config.json');

export function loadConfig(dataDir: string, defaults?: ProjectSettings): TrackerConfig {
  const file = configFile(dataDir);
  if (!existsSync(file)) return { projects: [] };
  return parseConfig(readFileSync(file, 'utf8'), file, defaults);
}

/** Adds a project (id = next free, random 128-bit key) and writes config.json atomically. */
export function addProject(dataDir: string, name: string): Project {
  const file = configFile(dataDir);
  if (name.trim() === '')
    throw new ConfigError(file, 'projects', 'a project name must not be empty');
  mkdirSync(dataDir, { recursive: true });
  const raw: { projects: Obj[] } = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { projects: Obj[] })
    : { projects: [] };
  parseConfig(JSON.stringify(raw), file); // refuse to extend a broken file
  raw.projects ??= [];
  if (raw.projects.some((p) => p.name === name))
    throw new ConfigError(file, 'projects', `a project named ${JSON.stringify(name)} exists`);
  const id = raw.projects.reduce((m, p) => Math.max(m, Number(p.id)), 0) + 1;
  const project = { id, name, key: randomBytes(16).toString('hex') };
  raw.projects.push(project);
  writeFileSync(`${file}.tmp`, JSON.stringify(raw, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  return { ...DEFAULT_SETTINGS, ...project };
}

/** The DSN an SDK is given: `<scheme>://<key>@<host>/<projectId>`. */
export function dsnFor(project: Pick<Project, 'id' | 'key'>, publicUrl: string): string {
  const url = new URL(publicUrl);
  url.username = project.key;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${project.id}`;
  return url.toString();
}
