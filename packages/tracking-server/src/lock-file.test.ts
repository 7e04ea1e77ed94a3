// serve.lock under races, crashes and odd contents. The races run real processes (each its own
// pid, as two `serve`s are), one stopped at each of its file system calls on the lock in turn
// while the other runs: every point one taker can be preempted at, with no timing luck.
import { spawn } from 'node:child_process';
import fs, {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { transformSync } from '@swc/core';
import { lockDataDir, releaseLock, serveLockFile, tryLock } from './lock-file';

/** A lock left by a serve that died: no process has this pid (pid_max is at most 2^22). */
const DEAD = '2147483646 0123456789abcdef\n';

/** lock-file.ts as JavaScript, for the takers to load: compiled once, not once a process. */
let lockFileJs: string;
beforeAll(() => {
  lockFileJs = join(mkdtempSync(join(tmpdir(), 'beacon-lock-js-')), 'lock-file.js');
  const ts = join(__dirname, 'lock-file.ts');
  const { code } = transformSync(readFileSync(ts, 'utf8'), {
    filename: ts,
    module: { type: 'commonjs' },
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  });
  writeFileSync(lockFileJs, code);
});
afterAll(() => rmSync(dirname(lockFileJs), { recursive: true, force: true }));

/**
 * A serve's start: a process that loads lock-file.js (argv[1]), takes the lock of argv[2] and says `acquired` or
 * `refused: <message>`, then holds it until killed. Given argv[3] = k, it first stops before its
 * k-th file system call on serve.lock or a file named after it (claims, temporary files), says
 * `paused`, and goes on once `<dir>.go` exists.
 */
const TAKER = `
  const fs = require('node:fs');
  const [lockFileJs, dir, pauseAt] = process.argv.slice(1);
  const lock = require('node:path').join(dir, 'serve.lock');
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let calls = 0;
  for (const name of ['openSync', 'readFileSync', 'writeFileSync', 'linkSync', 'renameSync', 'rmSync', 'unlinkSync', 'statSync']) {
    const real = fs[name];
    fs[name] = (path, ...rest) => {
      if (typeof path === 'string' && path.startsWith(lock) && ++calls === Number(pauseAt)) {
        fs.writeSync(1, 'paused\\n');
        while (!fs.existsSync(dir + '.go')) Atomics.wait(nap, 0, 0, 5);
      }
      return real(path, ...rest);
    };
  }
  const { lockDataDir } = require(lockFileJs);
  try {
    lockDataDir(dir);
    fs.writeSync(1, 'acquired\\n');
  } catch (err) {
    fs.writeSync(1, 'refused: ' + err.message + '\\n');
  }
  setInterval(() => undefined, 60_000);
`;

function taker(dir: string, pauseAt = 0) {
  const child = spawn(process.execPath, ['-e', TAKER, lockFileJs, dir, String(pauseAt)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    pid: child.pid ?? 0,
    /** What it says next; `exited` once it is gone. */
    says: async (): Promise<string> =>
      ((await lines.next()).value as string | undefined) ?? 'exited',
    kill: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
  };
}

/**
 * For k = 1, 2, ... (many at a time), in a data directory holding a dead serve's lock: a taker
 * stopped before its k-th call, then `fn`; until the taker makes fewer than k calls.
 */
async function atEachPoint<T extends object>(
  fn: (a: ReturnType<typeof taker>, dir: string, lock: string) => Promise<T>,
) {
  const at = async (k: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-lock-'));
    const lock = serveLockFile(dir);
    writeFileSync(lock, DEAD);
    const a = taker(dir, k);
    try {
      return (await a.says()) === 'paused' ? { k, ...(await fn(a, dir, lock)) } : undefined;
    } finally {
      await a.kill();
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.go`, { force: true });
    }
  };
  const out: Array<T & { k: number }> = [];
  for (let from = 1; ; from += 16) {
    const batch = await Promise.all(Array.from({ length: 16 }, (_, i) => at(from + i)));
    for (const r of batch) if (r !== undefined) out.push(r);
    if (batch.includes(undefined)) return out;
  }
}

/** This process's try at the lock (its pid is live, and not the taker's): the release, or why not. */
function tryHere(dir: string): (() => void) | string {
  try {
    return lockDataDir(dir);
  } catch (err) {
    return (err as Error).message;
  }
}

it('lets exactly one of two serves take over a stale lock, wherever the first is stopped', async () => {
  const outcomes = await atEachPoint(async (a, dir, lock) => {
    const here = tryHere(dir); // all through, while the taker is stopped
    writeFileSync(`${dir}.go`, '');
    const aSays = await a.says();
    const winners = (aSays === 'acquired' ? 1 : 0) + (typeof here === 'function' ? 1 : 0);
    const outcome = {
      aSays,
      here: typeof here === 'function' ? 'acquired' : here,
      winners,
      heldByWinner: readFileSync(lock, 'utf8').startsWith(
        `${aSays === 'acquired' ? a.pid : process.pid} `,
      ),
      // Claims and temporary files go once their taker is done.
      files: readdirSync(dir),
    };
    if (typeof here === 'function') here();
    return outcome;
  });
  expect(outcomes.length).toBeGreaterThanOrEqual(3);
  expect(
    outcomes.filter((o) => o.winners !== 1 || !o.heldByWinner || o.files.join() !== 'serve.lock'),
  ).toEqual([]);
  const refusals = outcomes.map((o) => (o.aSays === 'acquired' ? o.here : o.aSays));
  expect(refusals.filter((r) => !/is in use by .* serve \(pid \d+, lock /.test(r))).toEqual([]);
});

it('takes over from a serve killed at any point of its own takeover', async () => {
  const outcomes = await atEachPoint(async (a, dir, lock) => {
    await a.kill(); // SIGKILL before its k-th call: whatever it left stays
    const leftClaim = readdirSync(dir).some((f) => f.endsWith('.claim'));
    const here = tryHere(dir);
    const held = readFileSync(lock, 'utf8');
    if (typeof here === 'function') here();
    return {
      leftClaim,
      here: typeof here === 'function' && held.startsWith(`${process.pid} `) ? 'acquired' : here,
    };
  });
  expect(outcomes.length).toBeGreaterThanOrEqual(3);
  expect(outcomes.filter((o) => o.here !== 'acquired')).toEqual([]);
  expect(outcomes.some((o) => o.leftClaim)).toBe(true); // a claim its taker died holding is broken
});

describe('lockDataDir', () => {
  let dir: string;
  let lock: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-lock-'));
    lock = serveLockFile(dir);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  const takesOver = () => {
    const release = lockDataDir(dir);
    expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}\n$`));
    release();
    expect(readdirSync(dir)).toEqual([]);
  };

  it.each([
    ['empty (a crash between create and write)', ''],
    ['half-written (no closing newline)', `${process.ppid} 0123`],
    ['not one it wrote', 'hello\n'],
  ])('takes over a lock that is %s', (_what, held) => {
    writeFileSync(lock, held);
    takesOver();
  });

  it("takes over a lock naming its own pid that this process does not hold (a restart's pid 1)", () => {
    writeFileSync(lock, `${process.pid} 0123456789abcdef\n`);
    takesOver();
  });

  it('refuses a lock whose pid runs, naming the directory, the pid and the lock', () => {
    // Also what a dead serve's pid taken since by another process gets (see lockDataDir).
    writeFileSync(lock, `${process.ppid} 0123456789abcdef\n`);
    expect(() => lockDataDir(dir)).toThrow(
      `${dir} is in use by another beacon-tracking-server serve (pid ${process.ppid}, lock ${lock})`,
    );
    expect(readFileSync(lock, 'utf8')).toBe(`${process.ppid} 0123456789abcdef\n`);
  });

  it('refuses a lock whose pid runs as another user (kill(pid, 0) answers EPERM), never taking it over', () => {
    // kill(2): EPERM when the process exists but may not be signalled by this user. As root every
    // pid can be signalled, so the answer another user's process gives is made here.
    const other = 2147483645;
    const kill = process.kill.bind(process);
    jest.spyOn(process, 'kill').mockImplementation((pid, signal) => {
      if (pid === other)
        throw Object.assign(new Error('kill EPERM'), { code: 'EPERM', syscall: 'kill' });
      return kill(pid, signal);
    });
    writeFileSync(lock, `${other} 0123456789abcdef\n`);
    expect(() => lockDataDir(dir)).toThrow(
      `${dir} is in use by another beacon-tracking-server serve (pid ${other}, lock ${lock})`,
    );
    expect(readFileSync(lock, 'utf8')).toBe(`${other} 0123456789abcdef\n`);
  });

  it.each([
    ['may not write beside it', 'openSync', 'EACCES: permission denied'],
    ['is on a file system without hard links', 'linkSync', 'EPERM: operation not permitted'],
  ] as const)(
    'names the lock and its holder when it %s, and leaves nothing',
    (_what, call, error) => {
      writeFileSync(lock, DEAD);
      jest.spyOn(fs, call).mockImplementation(() => {
        throw Object.assign(new Error(error), { code: error.split(':')[0] });
      });
      expect(() => lockDataDir(dir)).toThrow(
        `${lock}: could not take the lock of ${dir} (holder: pid 2147483646): ${error}`,
      );
      expect(readdirSync(dir)).toEqual(['serve.lock']);
    },
  );

  it('names the lock when it cannot be read', () => {
    mkdirSync(lock); // a directory where the lock goes
    expect(() => lockDataDir(dir)).toThrow(
      `${lock}: could not take the lock of ${dir} (holder: unknown): EISDIR`,
    );
  });
});

describe('tryLock (as project add uses it, stale by age)', () => {
  it('takes a lock over once, leaving no claim or temporary file, and releases only its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-lock-'));
    const lock = join(dir, 'config.json.lock');
    try {
      writeFileSync(lock, '12345 dead\n');
      expect(tryLock(lock, 'a\n', () => false)).toBe(false);
      expect(tryLock(lock, 'a\n', () => true)).toBe(true);
      expect(readdirSync(dir)).toEqual(['config.json.lock']);
      releaseLock(lock, 'b\n');
      expect(readFileSync(lock, 'utf8')).toBe('a\n');
      releaseLock(lock, 'a\n');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
