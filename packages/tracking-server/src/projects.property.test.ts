import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  ConfigError,
  loadConfig,
  parseConfig,
  type ProjectSettings,
  reloadConfig,
} from './projects';

// The defaults as the README and the CLI's usage give them: `--events-per-minute` 0 (no limit),
// `--retention-days` 30, `--scrub true`, and no extra or safe keys.
const README_DEFAULTS: ProjectSettings = {
  eventsPerMinute: 0,
  retentionDays: 30,
  scrub: { enabled: true, extraKeys: [], safeKeys: [] },
};

/** A value that JSON.stringify cannot write (a number beyond a double, deep nesting): raw text. */
class Raw {
  constructor(readonly text: string) {}
}
type Json = null | boolean | number | string | Raw | Json[] | { [k: string]: Json };

/** JSON text of a tree holding Raw leaves; objects keep the order of their entries. */
function write(v: Json, indent: string, depth = 0): string {
  if (v instanceof Raw) return v.text;
  const pad = indent ? `\n${indent.repeat(depth + 1)}` : '';
  const end = indent ? `\n${indent.repeat(depth)}` : '';
  if (Array.isArray(v))
    return v.length === 0 ? '[]' : `[${v.map((x) => pad + write(x, indent, depth + 1))}${end}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).map(
      ([k, x]) => `${pad}${JSON.stringify(k)}:${indent ? ' ' : ''}${write(x, indent, depth + 1)}`,
    );
    return entries.length === 0 ? '{}' : `{${entries.join(',')}${end}}`;
  }
  return JSON.stringify(v);
}

/** An object with its entries in this order, `__proto__` included as an own key. */
const obj = (entries: readonly (readonly [string, Json | undefined])[]): { [k: string]: Json } =>
  Object.fromEntries(entries.filter((e): e is [string, Json] => e[1] !== undefined));

const hex32 = fc
  .array(fc.constantFrom(...'0123456789abcdef'), { minLength: 32, maxLength: 32 })
  .map((cs) => cs.join(''));
const count = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
/** An extra scrub key: anything with a character other than the separators `-`, `.`, `_`, space. */
const extraKey = fc
  .tuple(
    fc.string({ maxLength: 4 }),
    fc.constantFrom('ssn', 'X', '1', 'é', '$', 'pin'),
    fc.string(),
  )
  .map(([a, b, c]) => a + b + c);
const name = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.constantFrom('checkout', 'web', '__proto__', 'constructor', ' ', 'a b'),
);

interface Written {
  readonly eventsPerMinute?: number;
  readonly retentionDays?: number;
  readonly scrub?: {
    readonly enabled?: boolean;
    readonly extraKeys?: string[];
    readonly safeKeys?: string[];
    readonly ipAddresses?: boolean;
  };
}
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const written: fc.Arbitrary<Written> = fc.record({
  eventsPerMinute: opt(count),
  retentionDays: opt(count),
  scrub: opt(
    fc.record({
      enabled: opt(fc.boolean()),
      extraKeys: opt(fc.array(extraKey, { maxLength: 3 })),
      safeKeys: opt(fc.array(fc.string(), { maxLength: 3 })),
      ipAddresses: opt(fc.boolean()),
    }),
  ),
});
const PROJECT_KEYS = ['id', 'name', 'key', 'eventsPerMinute', 'retentionDays', 'scrub'];
const SCRUB_KEYS = ['enabled', 'extraKeys', 'safeKeys', 'ipAddresses'];
const order = (keys: string[]) => fc.shuffledSubarray(keys, { minLength: keys.length });

/** An integer as JSON may write it: `100`, `100.0`, `1e+2`, `100E0` are all the number 100. */
type Spelling = 'plain' | 'point' | 'exponent' | 'E';
function spell(n: number, how: Spelling): Json {
  if (how === 'plain') return n;
  if (how === 'point') return new Raw(`${n}.0`);
  if (how === 'exponent') return new Raw(n.toExponential());
  return new Raw(`${n}E0`);
}

/** A valid config.json as a tree, the defaults it is read with, and what it means. */
interface Valid {
  readonly doc: { [k: string]: Json };
  readonly defaults: ProjectSettings | undefined;
  readonly expected: ReturnType<typeof parseConfig>;
}

const validConfig: fc.Arbitrary<Valid> = fc
  .integer({ min: 0, max: 5 })
  .chain((n) => {
    const each = { minLength: n, maxLength: n };
    return fc.record({
      ids: fc.uniqueArray(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), each),
      keys: fc.uniqueArray(hex32, each),
      names: fc.uniqueArray(name, each),
      settings: fc.array(written, each),
      orders: fc.array(fc.tuple(order(PROJECT_KEYS), order(SCRUB_KEYS)), each),
      omitProjects: fc.boolean(),
      spelling: fc.constantFrom<Spelling>('plain', 'point', 'exponent', 'E'),
      defaults: opt(
        fc.record({
          eventsPerMinute: count,
          retentionDays: count,
          // The CLI sets only `enabled` (--scrub); it has no flag for extra or safe keys.
          scrub: fc.record({
            enabled: fc.boolean(),
            extraKeys: fc.constant([]),
            safeKeys: fc.constant([]),
          }),
        }),
      ),
    });
  })
  .map(({ ids, keys, names, settings, orders, omitProjects, spelling, defaults }) => {
    const base = defaults ?? README_DEFAULTS;
    const spelt = (n: number | undefined) => (n === undefined ? undefined : spell(n, spelling));
    const projects = ids.map((id, i) => {
      const s = settings[i] as Written;
      const [projectOrder, scrubOrder] = orders[i] as [string[], string[]];
      const scrub =
        s.scrub && obj(scrubOrder.map((k) => [k, s.scrub?.[k as keyof typeof s.scrub]]));
      const fields: Record<string, Json | undefined> = {
        id: spelt(id),
        name: names[i] as string,
        key: keys[i] as string,
        eventsPerMinute: spelt(s.eventsPerMinute),
        retentionDays: spelt(s.retentionDays),
        scrub,
      };
      return {
        raw: obj(projectOrder.map((k) => [k, fields[k]])),
        meaning: {
          id,
          name: names[i] as string,
          key: keys[i] as string,
          eventsPerMinute: s.eventsPerMinute ?? base.eventsPerMinute,
          retentionDays: s.retentionDays ?? base.retentionDays,
          // A project's scrub object replaces the default one; what it leaves out is the
          // default's `enabled`, no extra or safe keys, and IP addresses kept (absent).
          scrub: s.scrub
            ? {
                enabled: s.scrub.enabled ?? base.scrub.enabled,
                extraKeys: s.scrub.extraKeys ?? [],
                safeKeys: s.scrub.safeKeys ?? [],
                ...(s.scrub.ipAddresses !== undefined ? { ipAddresses: s.scrub.ipAddresses } : {}),
              }
            : base.scrub,
        },
      };
    });
    const doc: { [k: string]: Json } =
      omitProjects && projects.length === 0 ? {} : { projects: projects.map((p) => p.raw) };
    return { doc, defaults, expected: { projects: projects.map((p) => p.meaning) } };
  });

const file = fc.oneof(
  fc.constantFrom('config.json', '/var/lib/beacon-tracker/config.json', 'C:\\data\\config.json'),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const indent = fc.constantFrom('', '  ', '\t');

const MAX = Number.MAX_SAFE_INTEGER;
const isNonNegativeInteger = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What each field takes, from the README and the doc comments, written out by hand. */
const VALID: Record<string, (v: unknown) => boolean> = {
  projects: (v) => Array.isArray(v),
  project: isPlainObject,
  id: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
  name: (v) => typeof v === 'string' && v !== '',
  key: (v) => typeof v === 'string' && /^[0-9a-f]{32}$/.test(v),
  eventsPerMinute: isNonNegativeInteger,
  retentionDays: isNonNegativeInteger,
  scrub: isPlainObject,
  enabled: (v) => typeof v === 'boolean',
  extraKeys: (v) => Array.isArray(v) && v.every((k) => typeof k === 'string' && /[^-.\s_]/.test(k)),
  safeKeys: (v) => Array.isArray(v) && v.every((k) => typeof k === 'string'),
  ipAddresses: (v) => typeof v === 'boolean',
};

/** Values of every JSON type, the tricky ones included; `Raw` for what JSON.stringify cannot write. */
// JSON.stringify overflows the stack from some 5,000 levels (Node 20); JSON.parse does not.
const deep = fc
  .constantFrom(1, 2, 30, 6_000, 12_000)
  .chain((d) =>
    fc.constantFrom(
      new Raw('['.repeat(d) + ']'.repeat(d)),
      new Raw('{"a":'.repeat(d) + '1' + '}'.repeat(d)),
      new Raw('[{"x":'.repeat(d) + 'null' + '}]'.repeat(d)),
    ),
  );
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, weight: 6 },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Json>(
      'NaN',
      'Infinity',
      '-Infinity',
      '1e3',
      '0x10',
      ' 1',
      '1',
      '',
      'true',
      -1,
      0.5,
      -0.5,
      MAX + 1,
      2 ** 64,
      Number.MIN_VALUE,
      0,
      1,
      'A'.repeat(32),
      'g'.repeat(32),
      'a'.repeat(31),
      'a'.repeat(33),
      [],
      {},
      [''],
      [' '],
      ['-._'],
      [1],
      [null],
      ['ssn', 2],
      new Raw('1e400'),
      new Raw('-1e400'),
      new Raw('1.5e2'),
      new Raw('-1E-400'),
    ),
  },
  { arbitrary: deep, weight: 1 },
);

/** A JSON value that is wrong for the field (its `Raw` text is read to judge it). */
const wrongFor = (field: string) =>
  anyValue.filter((v) => !VALID[field]?.(v instanceof Raw ? JSON.parse(v.text) : v));

/** The check every refusal must pass: a ConfigError whose message names the file, then `path`. */
function expectRefusal(run: () => unknown, file: string, path: string): void {
  let error: unknown;
  try {
    run();
  } catch (err) {
    error = err;
  }
  if (!(error instanceof ConfigError))
    throw new Error(`expected a ConfigError naming ${path || 'the file'}, got ${String(error)}`);
  // The path, then its detail or a deeper path (`.scrub` within `projects[0]`).
  const head = `${file}: ${path}`;
  const rest = error.message.slice(head.length);
  if (!error.message.startsWith(head) || (path !== '' && !/^([:.[]|$)/.test(rest)))
    throw new Error(`expected a message starting ${JSON.stringify(head)}: ${error.message}`);
}

describe('parseConfig (property)', () => {
  it('reads every valid config.json to the settings its generator meant, defaults filled in (5k cases)', () => {
    fc.assert(
      fc.property(validConfig, indent, file, ({ doc, defaults, expected }, gap, name) => {
        const config = parseConfig(write(doc, gap), name, defaults);
        expect(config).toEqual(expected);
      }),
      { numRuns: 5_000 },
    );
  });

  /** One change to a valid config, and the key path the error must name. */
  type Mutation = { readonly doc: { [k: string]: Json }; readonly path: string };
  const projectsOf = (doc: { [k: string]: Json }) =>
    (doc.projects ?? []) as { [k: string]: Json }[];
  const withProject = (
    doc: { [k: string]: Json },
    i: number,
    change: (p: { [k: string]: Json }) => { [k: string]: Json } | Json,
  ) => ({
    ...doc,
    projects: projectsOf(doc).map((p, j) => (j === i ? change(p) : p)) as Json[],
  });
  /** `p` with `key` renamed to `to`, in place (so the order is kept). */
  const renamed = (p: { [k: string]: Json }, key: string, to: string) =>
    obj(Object.entries(p).map(([k, v]) => [k === key ? to : k, v]));
  const unknownKey = fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'ID',
      'Id',
      ' id',
      'project',
      'projects ',
      'eventsperminute',
      'retention_days',
      'scrubbing',
      'enable',
    ),
  );

  const mutated: fc.Arbitrary<Mutation> = validConfig
    .filter(({ doc }) => projectsOf(doc).length > 0)
    .chain(({ doc }) => {
      const n = projectsOf(doc).length;
      const at = fc.integer({ min: 0, max: n - 1 });
      const notIn = (allowed: string[]) => unknownKey.filter((k) => !allowed.includes(k));
      const rename = fc.oneof(
        notIn(['projects']).map((to) => ({ doc: renamed(doc, 'projects', to), path: '' })),
        fc.record({ i: at, to: notIn(PROJECT_KEYS), k: fc.nat() }).map(({ i, to, k }) => {
          const keys = Object.keys(projectsOf(doc)[i] as object);
          const key = keys[k % keys.length] as string;
          return { doc: withProject(doc, i, (p) => renamed(p, key, to)), path: `projects[${i}]` };
        }),
        fc
          .record({ i: at, to: notIn(SCRUB_KEYS), k: fc.nat(), extra: anyValue })
          .map(({ i, to, k, extra }) => ({
            doc: withProject(doc, i, (p) => {
              const scrub = isPlainObject(p.scrub) ? (p.scrub as { [k: string]: Json }) : {};
              const keys = Object.keys(scrub);
              const key = keys[k % Math.max(1, keys.length)];
              return {
                ...p,
                scrub: key === undefined ? obj([[to, extra]]) : renamed(scrub, key, to),
              };
            }),
            path: `projects[${i}].scrub`,
          })),
      );
      const field = fc.constantFrom(
        'id',
        'name',
        'key',
        'eventsPerMinute',
        'retentionDays',
        'scrub',
      );
      const replace = fc.oneof(
        wrongFor('projects').map((v) => ({ doc: { ...doc, projects: v }, path: 'projects' })),
        fc.record({ i: at, v: wrongFor('project') }).map(({ i, v }) => ({
          doc: withProject(doc, i, () => v),
          path: `projects[${i}]`,
        })),
        fc.record({ i: at, f: field }).chain(({ i, f }) =>
          wrongFor(f).map((v) => ({
            doc: withProject(doc, i, (p) => ({ ...p, [f]: v })),
            path: `projects[${i}].${f}`,
          })),
        ),
        fc.record({ i: at, f: fc.constantFrom(...SCRUB_KEYS) }).chain(({ i, f }) =>
          wrongFor(f).map((v) => ({
            doc: withProject(doc, i, (p) => ({
              ...p,
              scrub: { ...(isPlainObject(p.scrub) ? (p.scrub as object) : {}), [f]: v },
            })),
            path: `projects[${i}].scrub.${f}`,
          })),
        ),
      );
      const drop = fc
        .record({ i: at, f: fc.constantFrom('id', 'name', 'key') })
        .map(({ i, f }) => ({
          doc: withProject(doc, i, (p) => obj(Object.entries(p).filter(([k]) => k !== f))),
          path: `projects[${i}].${f}`,
        }));
      const arms = [rename, replace, drop];
      if (n >= 2) {
        // A project later in the list takes an earlier one's id, key or name.
        const repeat = fc
          .record({ a: at, b: at, f: fc.constantFrom('id', 'key', 'name') })
          .filter(({ a, b }) => a !== b)
          .map(({ a, b, f }) => {
            const [j, i] = a < b ? [a, b] : [b, a];
            const taken = (projectsOf(doc)[j] as { [k: string]: Json })[f] as Json;
            return {
              doc: withProject(doc, i, (p) => ({ ...p, [f]: taken })),
              path: `projects[${i}].${f}: ${JSON.stringify(taken instanceof Raw ? JSON.parse(taken.text) : taken)} is also projects[${j}].${f}`,
            };
          });
        arms.push(repeat);
      }
      return fc.oneof(...arms);
    });

  it('refuses a valid config with one key renamed, one value wrong, one field gone or repeated, naming the file and that key (3k cases)', () => {
    fc.assert(
      fc.property(mutated, indent, file, ({ doc, path }, gap, name) => {
        expectRefusal(() => parseConfig(write(doc, gap), name), name, path);
      }),
      { numRuns: 3_000 },
    );
  });

  /** What an accepted document means, by the README's rules (for the arbitrary-input property). */
  function meaning(doc: { projects?: Record<string, unknown>[] }) {
    return (doc.projects ?? []).map((p) => {
      const scrub = p.scrub as Record<string, unknown> | undefined;
      return {
        id: p.id,
        name: p.name,
        key: p.key,
        eventsPerMinute: p.eventsPerMinute ?? README_DEFAULTS.eventsPerMinute,
        retentionDays: p.retentionDays ?? README_DEFAULTS.retentionDays,
        scrub: scrub
          ? {
              enabled: scrub.enabled ?? true,
              extraKeys: scrub.extraKeys ?? [],
              safeKeys: scrub.safeKeys ?? [],
              ...(scrub.ipAddresses !== undefined ? { ipAddresses: scrub.ipAddresses } : {}),
            }
          : README_DEFAULTS.scrub,
      };
    });
  }

  /** Arbitrary values where a project's fields go, and arbitrary keys beside them. */
  const projectish = fc.dictionary(
    fc.oneof(fc.constantFrom(...PROJECT_KEYS), fc.string({ maxLength: 6 })),
    fc.oneof(
      anyValue,
      fc.dictionary(
        fc.oneof(fc.constantFrom(...SCRUB_KEYS), fc.string({ maxLength: 4 })),
        anyValue,
        { maxKeys: 3 },
      ),
    ),
    { maxKeys: 7 },
  );
  const arbitraryDoc: fc.Arbitrary<Json> = fc.oneof(
    anyValue,
    fc.record({ projects: fc.oneof(anyValue, fc.array(projectish, { maxLength: 3 })) }),
    fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 3 }),
  );

  it('reads arbitrary JSON to a config it holds whole, or refuses it with a ConfigError naming the file (10k cases)', () => {
    fc.assert(
      fc.property(arbitraryDoc, indent, (doc, gap) => {
        const text = write(doc, gap);
        let config;
        try {
          config = parseConfig(text, 'config.json');
        } catch (err) {
          expectRefusal(
            () => {
              throw err;
            },
            'config.json',
            '',
          );
          return;
        }
        expect(config.projects).toEqual(meaning(JSON.parse(text)));
      }),
      { numRuns: 10_000 },
    );
  });

  it('refuses text that is not a config, arbitrary bytes included, with a ConfigError naming the file (10k cases)', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)), // cut short
      fc.constantFrom(
        '',
        'NaN',
        '{"projects": NaN}',
        '\uFEFF{}',
        '{"projects":[]}garbage',
        '[]',
        'null',
      ),
    );
    fc.assert(
      fc.property(text, file, (t, name) => {
        try {
          parseConfig(t, name);
        } catch (err) {
          expectRefusal(
            () => {
              throw err;
            },
            name,
            '',
          );
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('loadConfig and reloadConfig (property)', () => {
  it('read a valid config.json from the data directory to what its generator meant (300 cases)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-config-property-'));
    try {
      fc.assert(
        fc.property(validConfig, indent, ({ doc, defaults, expected }, gap) => {
          writeFileSync(join(dir, 'config.json'), write(doc, gap));
          expect(loadConfig(dir, defaults)).toEqual(expected);
          expect(reloadConfig(dir, defaults)).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
