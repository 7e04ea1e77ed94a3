import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  addProject,
  ConfigError,
  ConfigMissingError,
  configFile,
  loadConfig,
  parseConfig,
  reloadConfig,
  storeFile,
} from './projects';
import { openSqlite } from './store/sqlite';

describe('config.json', () => {
  const key = 'a'.repeat(32);

  it('fills project settings from the defaults', () => {
    const c = parseConfig(
      JSON.stringify({
        projects: [
          { id: 1, name: 'web', key, eventsPerMinute: 600, scrub: { extraKeys: ['ssn'] } },
        ],
      }),
      'config.json',
    );
    expect(c.projects[0]).toEqual({
      id: 1,
      name: 'web',
      key,
      eventsPerMinute: 600,
      retentionDays: 30,
      scrub: { enabled: true, extraKeys: ['ssn'], safeKeys: [] },
    });
  });

  it('reads scrub.ipAddresses, absent (IP addresses kept) unless a project sets it', () => {
    const c = parseConfig(
      JSON.stringify({
        projects: [
          { id: 1, name: 'a', key, scrub: { ipAddresses: true } },
          { id: 2, name: 'b', key: 'b'.repeat(32), scrub: { enabled: false, ipAddresses: false } },
          { id: 3, name: 'c', key: 'c'.repeat(32) },
        ],
      }),
      'config.json',
    );
    expect(c.projects.map((p) => p.scrub)).toEqual([
      { enabled: true, extraKeys: [], safeKeys: [], ipAddresses: true },
      { enabled: false, extraKeys: [], safeKeys: [], ipAddresses: false },
      { enabled: true, extraKeys: [], safeKeys: [] },
    ]);
    expect(c.projects[2]?.scrub.ipAddresses).toBeUndefined();
  });

  it.each([
    [
      { projects: [{ id: 1, name: 'w', key, colour: 'red' }] },
      'config.json: projects[0]: unknown key "colour"',
    ],
    [
      { projects: [{ id: 1, name: 'w', key: 'short' }] },
      'config.json: projects[0].key: must be 32 lower-case hex digits',
    ],
    [
      { projects: [{ id: 0, name: 'w', key }] },
      'projects[0].id: must be a positive integer, got 0',
    ],
    [
      { projects: [{ id: '1', name: 'w', key }] },
      'config.json: projects[0].id: must be a positive integer, got "1"',
    ],
    [
      { projects: [{ id: 1, name: 42, key }] },
      'config.json: projects[0].name: must be a non-empty string, got 42',
    ],
    [{ projects: { web: {} } }, 'config.json: projects: must be a list, got an object'],
    [{ projects: ['web'] }, 'config.json: projects[0]: must be an object, got "web"'],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: true }] },
      'config.json: projects[0].scrub: must be an object, got true',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { enabled: 'yes' } }] },
      'projects[0].scrub.enabled: must be true or false, got "yes"',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { ipAddresses: 'true' } }] },
      'config.json: projects[0].scrub.ipAddresses: must be true or false, got "true"',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { scrubIpAddresses: true } }] },
      'config.json: projects[0].scrub: unknown key "scrubIpAddresses" (allowed: enabled, extraKeys, safeKeys, ipAddresses)',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, eventsPerMinute: -1 }] },
      'projects[0].eventsPerMinute: must be a non-negative integer, got -1',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, eventsPerMinute: 0.5 }] },
      'config.json: projects[0].eventsPerMinute: must be a non-negative integer, got 0.5',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, retentionDays: -2 }] },
      'config.json: projects[0].retentionDays: must be a non-negative integer, got -2',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, retentionDays: 7.5 }] },
      'config.json: projects[0].retentionDays: must be a non-negative integer, got 7.5',
    ],
    [
      {
        projects: [
          { id: 1, name: 'a', key },
          { id: 1, name: 'b', key: 'b'.repeat(32) },
        ],
      },
      'config.json: projects[1].id: 1 is also projects[0].id',
    ],
    [
      {
        projects: [
          { id: 1, name: 'a', key },
          { id: 2, name: 'b', key: 'b'.repeat(32) },
          { id: 3, name: 'c', key },
        ],
      },
      `config.json: projects[2].key: "${key}" is also projects[0].key`,
    ],
    [
      {
        projects: [
          { id: 1, name: 'a', key },
          { id: 2, name: 'a', key: 'b'.repeat(32) },
        ],
      },
      'config.json: projects[1].name: "a" is also projects[0].name',
    ],
    [{ project: [] }, 'unknown key "project"'],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { extraKeys: ['ssn', ''] } }] },
      'config.json: projects[0].scrub.extraKeys[1]: must name a key, got ""',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { extraKeys: [' ._-'] } }] },
      'config.json: projects[0].scrub.extraKeys[0]: must name a key, got " ._-"',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { safeKeys: ['session_id', 3] } }] },
      'config.json: projects[0].scrub.safeKeys[1]: must be a string, got 3',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { extraKeys: ['ssn', ['pin']] } }] },
      'config.json: projects[0].scrub.extraKeys[1]: must be a string, got a list',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { extraKeys: 'ssn' } }] },
      'config.json: projects[0].scrub.extraKeys: must be a list of strings, got "ssn"',
    ],
  ])('rejects %j naming the file and key', (doc, message) => {
    expect(() => parseConfig(JSON.stringify(doc), 'config.json')).toThrow(ConfigError);
    expect(() => parseConfig(JSON.stringify(doc), 'config.json')).toThrow(message);
  });

  it.each([
    [
      `{"projects":[{"id":1,"name":"w","key":"${key}","eventsPerMinute":600,"eventsPerMinute":0}]}`,
      'config.json: projects[0].eventsPerMinute: is written twice (JSON would keep only the last)',
    ],
    [`{"projects":[],"projects":[]}`, 'config.json: projects: is written twice'],
    [
      `{"projects":[{"id":1,"name":"a","key":"${key}"},{"id":2,"name":"b","key":"${'b'.repeat(32)}","scrub":{"enabled":true,"enabl\\u0065d":false}}]}`,
      'config.json: projects[1].scrub.enabled: is written twice',
    ],
  ])('refuses a key written twice in one object, naming it: %s', (text, message) => {
    expect(() => parseConfig(text, 'config.json')).toThrow(message);
  });

  it('reads keys and strings that hold quotes, commas and brackets as one key each', () => {
    const text = `{"projects":[{"id":1,"name":"x\\"},{\\"name\\":[","key":"${key}","scrub":{"extraKeys":["a,b","}"],"safeKeys":["\\\\"]}},{"id":2,"name":"y","key":"${'b'.repeat(32)}"}]}`;
    const config = parseConfig(text, 'config.json');
    expect(config.projects.map((p) => p.name)).toEqual(['x"},{"name":[', 'y']);
    expect(config.projects[0]?.scrub).toEqual({
      enabled: true,
      extraKeys: ['a,b', '}'],
      safeKeys: ['\\'],
    });
  });

  it('names the key of a value nested too deeply to write back, rather than overflowing the stack', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const text = `{"projects":[{"id":1,"name":"w","key":"${key}","retentionDays":${deep}}]}`;
    expect(() => parseConfig(text, 'config.json')).toThrow(
      new ConfigError(
        'config.json',
        'projects[0].retentionDays',
        'must be a non-negative integer, got a list',
      ),
    );
  });

  it('shows a number too large for a double as Infinity, not null', () => {
    const text = `{"projects":[{"id":1,"name":"w","key":"${key}","eventsPerMinute":1e400}]}`;
    expect(() => parseConfig(text, 'config.json')).toThrow(
      'config.json: projects[0].eventsPerMinute: must be a non-negative integer, got Infinity',
    );
  });
});

describe('addProject', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-projects-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeConfig = (ids: number[]) =>
    writeFileSync(
      configFile(dir),
      JSON.stringify({
        projects: ids.map((id) => ({ id, name: `p${id}`, key: String(id % 10).repeat(32) })),
      }),
    );

  /** A store with the tracker's schema and one row of project 7 in `table`. */
  const storeHolding7 = (insert: string) => {
    openSqlite(storeFile(dir)).close();
    const db = new Database(storeFile(dir));
    db.exec(insert);
    db.close();
  };

  it.each([
    ['releases', "INSERT INTO releases (project_id, name, first_seen) VALUES (7, '1.0', 0)"],
    [
      'sessions',
      "INSERT INTO sessions (id, project_id, start, end, services) VALUES ('s', 7, 0, 0, '')",
    ],
    // A project that sent only spans, snapshots or links into another's session, or only
    // feedback: each is known by those rows alone (its id was given again, and the new project
    // listed the old one's feedback and sessions).
    [
      'operations',
      "INSERT INTO operations (project_id, trace_id, span_id, name, service, start, end, status, attributes) VALUES (7, 't', 's', 'op', 'api', 0, 1, 'ok', '{}')",
    ],
    [
      'memory_snapshots',
      "INSERT INTO memory_snapshots (project_id, trace_id, span_id, service, time) VALUES (7, 't', 's', 'api', 0)",
    ],
    [
      'trace_links',
      "INSERT INTO trace_links (trace_id, correlation_id, project_id, seen) VALUES ('t', 'c', 7, 0)",
    ],
    [
      'feedback',
      "INSERT INTO feedback (project_id, event_id, received_at, name, email, message) VALUES (7, '', 0, 'Ann', 'ann@example.com', 'hi')",
    ],
  ])('never reuses an id the store holds rows of (%s)', (_table, insert) => {
    storeHolding7(insert);
    writeConfig([2]); // project 7 was removed from config.json; its rows stay in the store
    expect(addProject(dir, 'new').id).toBe(8);
  });

  it('numbers after config.json when the store holds lower ids or does not exist', () => {
    writeConfig([2, 5]);
    expect(addProject(dir, 'six').id).toBe(6);
    expect(existsSync(storeFile(dir))).toBe(false);
    storeHolding7("INSERT INTO releases (project_id, name, first_seen) VALUES (3, '1.0', 0)");
    expect(addProject(dir, 'seven').id).toBe(7);
  });

  it('names config.json when it is not JSON', () => {
    writeFileSync(configFile(dir), '{"projects": [');
    expect(() => addProject(dir, 'web')).toThrow(`${configFile(dir)}: not JSON: `);
  });

  it('reads a config.json saved with a UTF-8 byte order mark, and extends it', () => {
    writeConfig([2]);
    writeFileSync(
      configFile(dir),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(configFile(dir))]),
    );
    expect(loadConfig(dir).projects.map((p) => p.id)).toEqual([2]);
    expect(addProject(dir, 'web').id).toBe(3);
  });

  it('refuses to extend a config.json that repeats a key', () => {
    writeConfig([1, 11]);
    expect(() => addProject(dir, 'web')).toThrow(
      `${configFile(dir)}: projects[1].key: "${'1'.repeat(32)}" is also projects[0].key`,
    );
  });

  it('takes over a lock left by a process that died, and leaves no lock or temp file', () => {
    const lock = `${configFile(dir)}.lock`;
    writeFileSync(lock, '12345 dead\n');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    expect(addProject(dir, 'web').id).toBe(1);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });
});

describe('reloadConfig', () => {
  it('refuses a config.json gone while serving instead of reading it as no projects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-reload-'));
    try {
      expect(loadConfig(dir).projects).toEqual([]); // a first start may begin with none
      expect(() => reloadConfig(dir)).toThrow(ConfigMissingError);
      expect(() => reloadConfig(dir)).toThrow(`${join(dir, 'config.json')}: is missing`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names config.json when it cannot be read (a directory in its place), at start, on reload and on add', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-reload-'));
    try {
      mkdirSync(join(dir, 'config.json'));
      const message = `${join(dir, 'config.json')}: cannot be read: EISDIR`;
      expect(() => loadConfig(dir)).toThrow(ConfigError);
      expect(() => loadConfig(dir)).toThrow(message);
      expect(() => reloadConfig(dir)).toThrow(message);
      expect(() => addProject(dir, 'web')).toThrow(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
