// Projects and their settings, kept in the data directory's config.json: the public key SDKs
// authenticate with, and per-project rate limit, scrubbing and retention (defaults from flags).
// Parsed strictly: an unknown key or a wrong type is an error naming the file and the key.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isObj, type Obj } from './ingest/json';
import { ageMs, lockToken, releaseLock, tryLock } from './lock-file';
import { columnsOf } from './store/table-columns';

export interface ProjectSettings {
  /**
   * Events accepted per minute before 429, and pieces of user feedback in a window of their own;
   * 0 means unlimited.
   */
  readonly eventsPerMinute: number;
  readonly scrub: {
    readonly enabled: boolean;
    readonly extraKeys: readonly string[];
    readonly safeKeys: readonly string[];
    /**
     * Keep IP addresses out of the store (Sentry's "Prevent Storing of IP Addresses"): none is
     * filled in for `{{auto}}` or infer_ip, `user.ip_address`, `request.env.REMOTE_ADDR` and
     * `sdk.client_ip` are removed, and addresses in text become `[ip]` (scrub.ts). Off when absent.
     */
    readonly ipAddresses?: boolean;
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
  constructor(file: string, path: string, detail: string, options?: ErrorOptions) {
    super(`${file}: ${path ? `${path}: ` : ''}${detail}`, options);
    this.name = 'ConfigError';
  }
}

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

/**
 * A value as an error shows it. Not JSON.stringify: a list nested some thousands deep overflowed
 * the stack (a RangeError instead of the ConfigError), and 1e400 (Infinity) read as `null`.
 */
function shown(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

// Integers like their CLI flags: a fraction of an event per minute would refuse every event,
// and retention is kept in whole days, as `--retention-days` and Sentry's own take it.
function count(v: unknown, file: string, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new ConfigError(file, path, `must be a non-negative integer, got ${shown(v)}`);
  return v;
}

function strings(v: unknown, file: string, path: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v))
    throw new ConfigError(file, path, `must be a list of strings, got ${shown(v)}`);
  // The entry at fault, by its index: "must be a list of strings" left the user to find it.
  const at = v.findIndex((s) => typeof s !== 'string');
  if (at >= 0)
    throw new ConfigError(file, `${path}[${at}]`, `must be a string, got ${shown(v[at])}`);
  return v as string[];
}

/**
 * An extra key matches anywhere in a key once `-`, `.` and spaces are read as `_` (scrub.ts), so
 * one that is empty or only those filtered every value of every event (event_id and timestamp
 * included: its events were refused or stored as `[Filtered]`) or of every key with a separator.
 */
function extraKeys(v: unknown, file: string, path: string): string[] {
  const keys = strings(v, file, path);
  keys.forEach((k, i) => {
    if (/^[-.\s_]*$/.test(k))
      throw new ConfigError(
        file,
        `${path}[${i}]`,
        `must name a key, got ${shown(k)}: an extra key matches anywhere in a key`,
      );
  });
  return keys;
}

type Frame =
  | { kind: 'object'; keys: Set<string>; key: string; awaitingKey: boolean }
  | { kind: 'list'; index: number };

/**
 * The path of the first key written twice in one object of `text` (valid JSON), if any. JSON.parse
 * keeps the last value and drops the first without a word: an `eventsPerMinute` added at the
 * end of a project that already had one silently replaced it (or was replaced). A loop, and the
 * path built only when found: a value nested thousands deep must not overflow the stack, nor
 * keep a path a level.
 */
function repeatedKey(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.awaitingKey) {
        top.key = JSON.parse(text.slice(i, j + 1)) as string;
        top.awaitingKey = false;
        if (top.keys.has(top.key))
          return stack
            .map((f, n) => (f.kind === 'list' ? `[${f.index}]` : n === 0 ? f.key : `.${f.key}`))
            .join('');
        top.keys.add(top.key);
      }
      i = j;
    } else if (c === '{') {
      stack.push({ kind: 'object', keys: new Set(), key: '', awaitingKey: true });
    } else if (c === '[') {
      stack.push({ kind: 'list', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top) {
      if (top.kind === 'object') top.awaitingKey = true;
      else top.index++;
    }
  }
  return undefined;
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
  const repeated = repeatedKey(text);
  if (repeated !== undefined)
    throw new ConfigError(file, repeated, 'is written twice (JSON would keep only the last)');
  if (!isObj(doc)) throw new ConfigError(file, '', 'must be a JSON object');
  only(doc, ['projects'], file, '');
  if (doc.projects !== undefined && !Array.isArray(doc.projects))
    throw new ConfigError(file, 'projects', `must be a list, got ${shown(doc.projects)}`);
  const projects = ((doc.projects as unknown[]) ?? []).map((p, i): Project => {
    const path = `projects[${i}]`;
    if (!isObj(p)) throw new ConfigError(file, path, `must be an object, got ${shown(p)}`);
    only(p, ['id', 'name', 'key', 'eventsPerMinute', 'scrub', 'retentionDays'], file, path);
    if (typeof p.id !== 'number' || !Number.isSafeInteger(p.id) || p.id < 1)
      throw new ConfigError(file, `${path}.id`, `must be a positive integer, got ${shown(p.id)}`);
    if (typeof p.name !== 'string' || !p.name)
      throw new ConfigError(
        file,
        `${path}.name`,
        `must be a non-empty string, got ${shown(p.name)}`,
      );
    if (typeof p.key !== 'string' || !/^[0-9a-f]{32}$/.test(p.key))
      throw new ConfigError(file, `${path}.key`, 'must be 32 lower-case hex digits');
    let scrub = defaults.scrub;
    if (p.scrub !== undefined) {
      if (!isObj(p.scrub))
        throw new ConfigError(file, `${path}.scrub`, `must be an object, got ${shown(p.scrub)}`);
      only(p.scrub, ['enabled', 'extraKeys', 'safeKeys', 'ipAddresses'], file, `${path}.scrub`);
      for (const flag of ['enabled', 'ipAddresses'] as const)
        if (p.scrub[flag] !== undefined && typeof p.scrub[flag] !== 'boolean')
          throw new ConfigError(
            file,
            `${path}.scrub.${flag}`,
            `must be true or false, got ${shown(p.scrub[flag])}`,
          );
      const ipAddresses =
        (p.scrub.ipAddresses as boolean | undefined) ?? defaults.scrub.ipAddresses;
      scrub = {
        enabled: (p.scrub.enabled as boolean | undefined) ?? defaults.scrub.enabled,
        extraKeys: extraKeys(p.scrub.extraKeys, file, `${path}.scrub.extraKeys`),
        safeKeys: strings(p.scrub.safeKeys, file, `${path}.scrub.safeKeys`),
        ...(ipAddresses !== undefined ? { ipAddresses } : {}),
      };
    }
    return {
      id: p.id,
      name: p.name,
      key: p.key,
      eventsPerMinute: count(
        p.eventsPerMinute,
        file,
        `${path}.eventsPerMinute`,
        defaults.eventsPerMinute,
      ),
      retentionDays: count(p.retentionDays, file, `${path}.retentionDays`, defaults.retentionDays),
      scrub,
    };
  });
  refuseRepeats(projects, file);
  return { projects };
}

/**
 * Ids, keys and names identify a project: a repeated key would route one project's OTLP spans
 * to the other, a repeated name makes `project add`'s refusal and the operator's edits ambiguous.
 */
function refuseRepeats(projects: readonly Project[], file: string): void {
  for (const field of ['id', 'key', 'name'] as const) {
    const first = new Map<number | string, number>();
    projects.forEach((p, i) => {
      const j = first.get(p[field]);
      if (j !== undefined)
        throw new ConfigError(
          file,
          `projects[${i}].${field}`,
          `${JSON.stringify(p[field])} is also projects[${j}].${field}`,
        );
      first.set(p[field], i);
    });
  }
}

export const configFile = (dataDir: string) => join(dataDir, 'config.json');

/** config.json is gone while serving (see reloadConfig). */
export class ConfigMissingError extends ConfigError {
  constructor(file: string) {
    super(file, '', 'is missing');
    this.name = 'ConfigMissingError';
  }
}

/** config.json at start: a data directory without one starts with no projects. */
export function loadConfig(dataDir: string, defaults?: ProjectSettings): TrackerConfig {
  const file = configFile(dataDir);
  if (!existsSync(file)) return { projects: [] };
  return parseConfig(readText(file), file, defaults);
}

/**
 * config.json's text, without the byte order mark an editor may save UTF-8 with (JSON has none);
 * a file that cannot be read is a ConfigError naming it (some of Node's errors do not: a
 * directory in its place was `EISDIR: illegal operation on a directory, read`).
 */
function readText(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigMissingError(file);
    throw new ConfigError(file, '', `cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * config.json as changed while serving. A file gone (an editor saving by rename, a botched
 * copy) is a ConfigMissingError, not a config of no projects: taken as one, it answered 403 to
 * every SDK (which drops what it gets a 403 for) and a sweep then gave every project the
 * default retention.
 */
export function reloadConfig(dataDir: string, defaults?: ProjectSettings): TrackerConfig {
  const file = configFile(dataDir);
  return parseConfig(readText(file), file, defaults);
}

/** The store's SQLite file (the name main.ts opens). */
export const storeFile = (dataDir: string) => join(dataDir, 'tracker.db');

/**
 * The store's tables whose projects another table holds: every event is in an issue of its
 * project, and events are the largest table. Every other table with a project_id is asked
 * (sqlite-schema.ts, sessions-schema.ts), read whole where no index leads with it, once an add:
 * a session's row names the project of its first record only, so a project that sent only spans
 * or snapshots into another's session, or only feedback, is known by those rows.
 */
const PROJECTS_HELD_ELSEWHERE = new Set(['events']);

/** The highest project id the store holds rows of; 0 when there is no store yet. */
export function highestStoredProjectId(dataDir: string): number {
  const file = storeFile(dataDir);
  if (!existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck();
      return (tables.all() as string[])
        .filter((t) => !PROJECTS_HELD_ELSEWHERE.has(t) && columnsOf(db, t).includes('project_id'))
        .reduce((max, t) => {
          const id = db.prepare(`SELECT MAX(project_id) FROM "${t}"`).pluck().get();
          return Math.max(max, (id as number | null) ?? 0);
        }, 0);
    } finally {
      db.close();
    }
  } catch (err) {
    throw new Error(`${file}: cannot read the project ids it holds: ${(err as Error).message}`);
  }
}

/**
 * Adds a project (random 128-bit key) and writes config.json atomically. Its id is above every id
 * config.json or the store holds, so a project removed from config.json never passes its issues
 * and events on to a new one. Concurrent adds (other processes included) take turns on a lock.
 */
export function addProject(dataDir: string, name: string): Project {
  const file = configFile(dataDir);
  if (name.trim() === '')
    throw new ConfigError(file, 'projects', 'a project name must not be empty');
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR });
  // Outside the lock: scanning a large store takes a while, and adds do not change what it holds.
  const stored = highestStoredProjectId(dataDir);
  return withLock(`${file}.lock`, () => {
    const raw = readConfigToExtend(file);
    if (raw.projects.some((p) => p.name === name))
      throw new ConfigError(file, 'projects', `a project named ${JSON.stringify(name)} exists`);
    const id = raw.projects.reduce((m, p) => Math.max(m, Number(p.id)), stored) + 1;
    const project = { id, name, key: randomBytes(16).toString('hex') };
    raw.projects.push(project);
    writeAtomically(file, JSON.stringify(raw, null, 2) + '\n');
    return { ...DEFAULT_SETTINGS, ...project };
  });
}

/** config.json as written (settings not filled in), refused with parseConfig's errors if broken. */
function readConfigToExtend(file: string): Obj & { projects: Obj[] } {
  if (!existsSync(file)) return { projects: [] };
  const text = readText(file);
  parseConfig(text, file);
  const raw = JSON.parse(text) as Obj & { projects?: Obj[] };
  return { ...raw, projects: raw.projects ?? [] };
}

/**
 * The mode of a data directory the tracker creates: its user's alone. The store holds what users
 * sent (addresses, emails, feedback) and config.json the projects' keys; under a umask of 022
 * both were readable by every user of the host.
 */
export const PRIVATE_DIR = 0o700;

/**
 * A temp file of this call's own, so concurrent writers never rename each other's; readable by
 * this user alone (config.json holds the projects' keys).
 */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const LOCK_WAIT_MS = 10_000;
/** A holder is done in milliseconds: a lock this old was left by one that died. */
const LOCK_STALE_MS = 30_000;
const LOCK_RETRY_MS = 20;

/** Runs fn holding `lock` (lock-file.ts), so concurrent adds take turns across processes. */
function withLock<T>(lock: string, fn: () => T): T {
  const token = lockToken();
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!tryLock(lock, token, () => ageMs(lock) > LOCK_STALE_MS)) {
    if (Date.now() > deadline)
      throw new Error(
        `${lock}: another project add has held it for over ${LOCK_WAIT_MS / 1000} s (remove the file if none is running)`,
      );
    sleep(LOCK_RETRY_MS);
  }
  try {
    return fn();
  } finally {
    releaseLock(lock, token);
  }
}

// addProject is synchronous (the CLI and tests call it so): block the thread between tries.
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The DSN an SDK is given: `<scheme>://<key>@<host>/<projectId>`. */
export function dsnFor(project: Pick<Project, 'id' | 'key'>, publicUrl: string): string {
  const url = new URL(publicUrl);
  url.username = project.key;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${project.id}`;
  return url.toString();
}
