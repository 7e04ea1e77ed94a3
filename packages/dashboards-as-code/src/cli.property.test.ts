// Properties of beacon-dashboards' command line: any argv is parsed or refused naming the flag or
// argument at fault, and generated valid command lines mean what they were built to mean.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { UsageError, main, parseFlags } from './cli';
import type { GrafanaApi } from './grafana';

const ALLOWED = ['out', 'dashboards-path'];
const NAMES = [...ALLOWED, 'format', 'schema', 'grafana-url', 'token', 'folder', 'prune', ''];

/** Tokens a command line is made of: flags known and unknown, both forms, stray words. */
const token = fc.oneof(
  fc.constantFrom(...NAMES).map((n) => `--${n}`),
  fc.tuple(fc.constantFrom(...NAMES), fc.string({ maxLength: 6 })).map(([n, v]) => `--${n}=${v}`),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('-h', '-', '--', '=', '-x', ''),
);

/** What parseFlags may say, with the flag or argument it names. */
function named(message: string): string | undefined {
  const m =
    /^unexpected argument (".*")$/.exec(message) ??
    /^unknown flag --(.*)$/.exec(message) ??
    /^flag --(.*) needs a value$/.exec(message) ??
    /^flag --(.*) given twice$/.exec(message);
  if (!m) return undefined;
  const what = m[1] as string;
  return what.startsWith('"') ? (JSON.parse(what) as string) : `--${what}`;
}

describe('parseFlags', () => {
  it('parses any argv (10k cases) to allowed flags with values, or a UsageError naming the flag or argument', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), (args) => {
        let flags: Map<string, string>;
        try {
          flags = parseFlags(args, ALLOWED);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
          const what = named((err as Error).message);
          expect(what).toBeDefined();
          // The named flag or argument is one the user typed.
          expect(args.some((a) => a === what || a.startsWith(`${what as string}=`))).toBe(true);
          return;
        }
        for (const [k, v] of flags) {
          expect(ALLOWED).toContain(k);
          expect(v).not.toBe('');
          expect(args.includes(`--${k}=${v}`) || args.includes(v)).toBe(true);
          // A flag is never taken as the value of the one before it.
          if (!args.includes(`--${k}=${v}`)) expect(v.startsWith('--')).toBe(false);
        }
        // Every argument was used: as a flag, or as the value after one.
        expect(args.length).toBe(
          [...flags].reduce((n, [k, v]) => n + (args.includes(`--${k}=${v}`) ? 1 : 2), 0),
        );
      }),
      { numRuns: 10_000 },
    );
  });

  const value = fc
    .string({ minLength: 1, maxLength: 10 })
    .filter((v) => !v.startsWith('--') && v !== '');

  it('parses generated flags (10k cases) in either form and any order to their values', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(ALLOWED),
        fc.array(value, { minLength: ALLOWED.length, maxLength: ALLOWED.length }),
        fc.array(fc.boolean(), { minLength: ALLOWED.length, maxLength: ALLOWED.length }),
        (names, values, joined) => {
          const args = names.flatMap((n, i) =>
            joined[i] ? [`--${n}=${values[i] as string}`] : [`--${n}`, values[i] as string],
          );
          const expected = new Map(names.map((n, i) => [n, values[i] as string]));
          expect(parseFlags(args, ALLOWED)).toEqual(expected);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it.each([
    [['--out', '--dashboards-path', '/srv'], 'flag --out needs a value'],
    [['--out', '--dashboards-path'], 'flag --out needs a value'],
  ])('refuses %j: the next flag is not a value', (args, message) => {
    expect(() => parseFlags(args, ALLOWED)).toThrow(message);
  });

  it('still takes a value that starts with -- in the --name=value form', () => {
    expect(parseFlags(['--out=--odd'], ALLOWED)).toEqual(new Map([['out', '--odd']]));
  });
});

// --- diff and push, with a fake Grafana behind the connect seam ---------------------------------

interface Seen {
  connect?: { url: string; token: string };
  folder?: string;
  searched: boolean;
}

function fakeGrafana(seen: Seen): (url: string, token: string) => GrafanaApi {
  return (url, token) => {
    seen.connect = { url, token };
    return {
      getDashboard: () => Promise.resolve(undefined),
      getFolder: (uid) => {
        seen.folder = uid;
        return Promise.resolve({ uid, title: uid });
      },
      createFolder: (f) => Promise.resolve(f),
      saveDashboard: (req) => {
        seen.folder = req.folderUid;
        return Promise.resolve({ id: 1, uid: '', url: '/d', status: 'success', version: 1 });
      },
      deleteDashboard: () => Promise.resolve(),
      searchDashboardsByTag: () => {
        seen.searched = true;
        return Promise.resolve([]);
      },
    };
  };
}

async function run(argv: string[], env: Record<string, string>, seen: Seen) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    { env, connect: fakeGrafana(seen) },
  );
  return { code, stdout, stderr };
}

// Not -h: main answers -h anywhere with the usage, before it reads the flags.
const flagValue = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((v) => !v.startsWith('--') && v !== '-h');
const folderUid = fc
  .array(fc.constantFrom(...'abcXYZ019-_'.split('')), { minLength: 1, maxLength: 40 })
  .map((cs) => cs.join(''))
  // The next flag is never a value (`--folder --a` lacks one); `--folder=--a` would do.
  .filter((uid) => !uid.startsWith('--'));

describe('beacon-dashboards diff and push', () => {
  it('run against the Grafana and token, folder and prune a generated command line gives (300 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          command: fc.constantFrom('diff', 'push'),
          url: flagValue,
          token: flagValue,
          tokenFromEnv: fc.boolean(),
          folder: fc.option(folderUid, { nil: undefined }),
          prune: fc.boolean(),
          joined: fc.boolean(),
          order: fc.nat(),
        }),
        async (c) => {
          const flag = (n: string, v: string) => (c.joined ? [`--${n}=${v}`] : [`--${n}`, v]);
          const parts = [
            flag('grafana-url', c.url),
            ...(c.tokenFromEnv ? [] : [flag('token', c.token)]),
            ...(c.folder === undefined ? [] : [flag('folder', c.folder)]),
            ...(c.prune ? [['--prune']] : []),
          ];
          const rotated = parts.map((_, i) => parts[(i + c.order) % parts.length] as string[]);
          const seen: Seen = { searched: false };
          const r = await run(
            [c.command, ...rotated.flat()],
            c.tokenFromEnv ? { GRAFANA_TOKEN: c.token } : { GRAFANA_TOKEN: 'from-env' },
            seen,
          );
          expect(r.stderr).toBe('');
          expect(seen.connect).toEqual({ url: c.url, token: c.token });
          expect(seen.searched).toBe(c.prune);
          if (c.command === 'push') {
            expect(r.code).toBe(0);
            expect(seen.folder).toBe(c.folder ?? 'beacon');
            expect(r.stdout).toMatch(c.prune ? /, 0 deleted\n$/ : /unchanged\n$/);
          } else {
            expect(r.code).toBe(1);
            expect(r.stdout).toMatch(c.prune ? /, 0 removed\n$/ : /, 0 unchanged\n$/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuse any other command line (3000 cases) with exit 2, naming the problem, before connecting', async () => {
    const argToken = fc.oneof(
      fc.constantFrom('--grafana-url', '--token', '--folder', '--prune', '--prune=1', '--out'),
      fc
        .tuple(fc.constantFrom('grafana-url', 'token', 'folder', 'x'), fc.string({ maxLength: 5 }))
        .map(([n, v]) => `--${n}=${v}`),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('diff', 'push'),
        fc.array(argToken, { maxLength: 6 }),
        async (command, rest) => {
          const seen: Seen = { searched: false };
          // A fake whose first call fails: a command line that parses stops there, exit 1 or 2.
          const r = await main(
            [command, ...rest],
            { stdout: () => undefined, stderr: (t) => (seen.folder = (seen.folder ?? '') + t) },
            {
              env: {},
              connect: (url, token) => {
                seen.connect = { url, token };
                throw new Error('connect refused it');
              },
            },
          );
          if (rest.includes('-h') || rest.includes('--help')) return;
          expect(r).toBe(2);
          const stderr = seen.folder ?? '';
          expect(stderr.startsWith(`beacon-dashboards ${command}: `)).toBe(true);
          if (seen.connect === undefined) {
            expect(stderr).toMatch(
              /^beacon-dashboards \w+: (unexpected argument ".*"|unknown flag --.*|flag --[\w-]* needs a value|flag --[\w-]* given twice|flag --prune takes no value \(.*\)|needs --grafana-url <url>|needs --token <token> \(or GRAFANA_TOKEN\)|invalid folder uid ".*": 1-40 letters, digits, - or _)\n\nUsage: /s,
            );
          } else {
            expect(stderr).toContain('connect refused it');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses --prune=yes instead of calling it an unknown flag', async () => {
    const r = await run(
      ['push', '--grafana-url', 'http://g', '--token', 't', '--prune=yes'],
      {},
      { searched: false },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('flag --prune takes no value (--prune=yes)');
  });
});

describe('beacon-dashboards lint --schema', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-cli-schema-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Schema files: any JSON, and objects that look like JSON schemas with bad members. */
  const schemaText = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc
      .record(
        {
          type: fc.oneof(fc.constantFrom('object', 'string', 'nope'), fc.integer()),
          required: fc.oneof(fc.array(fc.string({ maxLength: 4 })), fc.string()),
          pattern: fc.constantFrom('(', '^a$', '[z-a]'),
          $ref: fc.constantFrom('#', '#/definitions/x', 'http://x.invalid/s.json'),
          definitions: fc.oneof(fc.constant({}), fc.integer()),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  );

  it('lints with any schema file (200 cases) or exits 1 naming the file, never a TypeError', async () => {
    const file = join(dir, 'schema.json');
    await fc.assert(
      fc.asyncProperty(schemaText, async (text) => {
        writeFileSync(file, text);
        let stderr = '';
        const code = await main(['lint', '--format', 'json', '--schema', file], {
          stdout: () => undefined,
          stderr: (t) => (stderr += t),
        });
        expect([0, 1]).toContain(code);
        if (stderr !== '') {
          expect(code).toBe(1);
          expect(stderr.startsWith('beacon-dashboards: ')).toBe(true);
          expect(stderr).toContain(file);
          expect(stderr).not.toMatch(/Cannot read properties|is not a function|TypeError/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['null', 'it is null, not a JSON object'],
    ['{"type":5}', 'schema is invalid'],
    ['{"$ref":"#"}', 'does a $ref lead back to itself?'],
  ])('names the file when the schema holds %s', async (text, problem) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, text);
    let stderr = '';
    const code = await main(['lint', '--schema', file], {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
    });
    expect(code).toBe(1);
    expect(stderr).toContain(file);
    expect(stderr).toContain(problem);
  });
});
