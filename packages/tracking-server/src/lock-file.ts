// Lock files, so that processes take turns without native code. `project add` holds one on
// config.json for milliseconds; `serve` holds one on its data directory while it runs.
//
// A lock holds its holder's pid and a token no other holder has, and appears whole: written and
// flushed under a name of its own, then hard-linked into place, which fails if the lock exists
// (as `wx` does). So no taker ever reads one being written, nor finds one empty after a crash.
//
// Taking over a stale lock is where takers race: two read the same dead holder's lock, one
// removes it and takes the lock, and the other, acting on what it read, removes that. So a stale
// lock is removed only under a claim: `<lock>.<digest of its content>.claim`, created the same
// exclusive way, and only if the lock still holds what was judged stale. Claims on one lock
// exclude each other, and a lock's content never comes back once it is gone (its token is
// unique): so one taker removes it, any other finds it changed and leaves the new lock alone,
// and the lock is then created by link again, which one taker wins. A claim lasts a few system
// calls; one whose taker died in them is removed the same way, under a claim on the claim.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

/** What a holder writes into its lock: its pid, and a token no other holder has. */
export const lockToken = (): string => `${process.pid} ${randomBytes(8).toString('hex')}\n`;

/**
 * Creates `lock` holding `token`; false if another holds it. A lock `stale` judges left behind
 * (given what it holds) is taken over: of takers racing for one, exactly one gets it. Throws
 * what the file system says when it cannot be read or written.
 */
export function tryLock(lock: string, token: string, stale: (held: string) => boolean): boolean {
  // Each try that does not end it follows a change by another: a lock released or taken over.
  for (let tries = 0; tries < 8; tries++) {
    if (createWhole(lock, token)) return true;
    const held = readIfExists(lock);
    if (held === undefined) continue; // released meanwhile
    if (!stale(held) || !removeIfStill(lock, held)) return false;
  }
  return false;
}

/** Removes `lock` if it still holds `token`: one taken over as stale belongs to its new holder. */
export function releaseLock(lock: string, token: string): void {
  let held;
  try {
    held = readIfExists(lock);
  } catch {
    return; // unreadable now: left, for the next taker to find its pid gone
  }
  if (held === token) rmSync(lock, { force: true });
}

export function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0; // released meanwhile
  }
}

/** Creates `file` holding `text` unless it exists; never seen empty or half-written. */
function createWhole(file: string, text: string): boolean {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd); // so that after a power loss the lock is not there empty
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes `file` if it still holds `held`, judged stale. True when it is worth looking again
 * (removed, or changed); false while a live taker holds the claim (it will have the lock).
 */
function removeIfStill(file: string, held: string, depth = 0): boolean {
  const claim = `${file}.${createHash('sha256').update(held).digest('hex').slice(0, 16)}.claim`;
  if (!createWhole(claim, lockToken())) {
    const taker = readIfExists(claim);
    if (taker === undefined) return true; // done meanwhile
    // Two levels cover a taker that died holding a claim, and one that died removing that.
    return depth < 2 && takerGone(taker) && removeIfStill(claim, taker, depth + 1);
  }
  try {
    // Only a holder of this claim removes a lock holding `held`: it cannot change in between.
    if (readIfExists(file) === held) rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(claim, { force: true });
  }
}

/**
 * Whether the taker a claim names is gone. One naming our own pid is a former process's: this
 * thread holds no claim when it looks, and this program takes locks on its main thread only.
 */
function takerGone(claim: string): boolean {
  const pid = holderPid(claim);
  return pid === undefined || pid === process.pid || !running(pid);
}

/** What `file` holds; undefined if there is none (any other failure is thrown). */
function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The pid a lock names, if it is whole: pid, token and the newline written last. */
export const holderPid = (held: string): number | undefined => {
  const pid = Number(/^(\d+) \S+\n$/.exec(held)?.[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
};

/** Whether a process of this pid runs (one of another user's counts: EPERM). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The data directories this process serves: a lock naming our pid is ours only if listed. */
const serving = new Set<string>();

/** The lock `serve` holds on a data directory. */
export const serveLockFile = (dataDir: string) => join(dataDir, 'serve.lock');

/**
 * Takes the data directory for one `serve`: two on one store each took every event sent to
 * them, so both stored it, and each had its own rate limits and duplicate check. Returns the
 * release; throws naming the directory, the lock and the pid holding it.
 *
 * Stale, and taken over: a lock whose pid no longer runs (left by a crash or SIGKILL); one
 * naming our own pid that this process does not hold (a restarted container's process is pid 1
 * again); one empty, cut short or not of this program's writing (a crash of another version,
 * or a disk that lost it: this one never leaves such a lock). Not told apart: a dead holder's
 * pid taken since by another process. Telling needs the process's start time, which only
 * Linux's /proc gives; the lock counts as held (no second server, ever), and the message says
 * to remove it.
 */
export function lockDataDir(dataDir: string): () => void {
  const lock = serveLockFile(dataDir);
  const key = resolve(lock);
  const token = lockToken();
  const stale = (held: string) => {
    const pid = holderPid(held);
    if (pid === undefined) return true;
    return pid === process.pid ? !serving.has(key) : !running(pid);
  };
  /** Who holds the lock, for a message: `pid N`, `none` or `unknown` (unreadable, not whole). */
  const holder = () => {
    try {
      const held = readIfExists(lock);
      return held === undefined ? 'none' : `pid ${holderPid(held) ?? 'unknown'}`;
    } catch {
      return 'unknown';
    }
  };
  let taken = false;
  try {
    // Refused while another serve takes a stale lock over: look again once it has, to name it.
    for (let tries = 1; ; tries++) {
      taken = tryLock(lock, token, stale);
      if (taken || tries === 4) break;
      const held = readIfExists(lock);
      if (held !== undefined && !stale(held)) break;
      sleep(20);
    }
  } catch (err) {
    // Permissions, a read-only disk, a directory where the lock goes: no holder in the way.
    throw new Error(
      `${lock}: could not take the lock of ${dataDir} (holder: ${holder()}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (!taken) {
    const pid = holder();
    throw new Error(
      `${dataDir} is in use by another beacon-tracking-server serve (${pid}, lock ${lock}); one server a data directory (if ${pid} is no such serve, a dead one's pid was taken since: remove the lock)`,
    );
  }
  serving.add(key);
  return () => {
    serving.delete(key);
    releaseLock(lock, token);
  };
}
