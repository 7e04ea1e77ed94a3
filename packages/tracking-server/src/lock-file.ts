// Lock files: a file created exclusively (`wx`), holding its holder's pid and a token of its
// own, so that processes take turns without native code. `project add` holds one on
// config.json for milliseconds; `serve` holds one on its data directory while it runs.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a holder writes into its lock: its pid, and a token no other holder has. */
export const lockToken = (): string => `${process.pid} ${randomBytes(8).toString('hex')}\n`;

/**
 * Creates `lock` holding `token`; false if another holds it. A lock `stale` judges left behind
 * (given what it holds) is removed, for the next try to take it. Two takers that both find it
 * stale may both take it: only after a holder died, and rarely.
 */
export function tryLock(lock: string, token: string, stale: (held: string) => boolean): boolean {
  try {
    writeFileSync(lock, token, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const held = readIfExists(lock);
  if (held !== undefined && stale(held)) rmSync(lock, { force: true });
  return false;
}

/** Removes `lock` if it still holds `token`: one taken over as stale belongs to its new holder. */
export function releaseLock(lock: string, token: string): void {
  if (readIfExists(lock) === token) rmSync(lock, { force: true });
}

export function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0; // released meanwhile
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pid a lock names, if it names one. */
export const holderPid = (held: string): number | undefined => {
  const pid = Number(held.split(' ')[0]);
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

/** The data directories this process serves: a lock naming our pid is ours only if listed. */
const serving = new Set<string>();

/** The lock `serve` holds on a data directory. */
export const serveLockFile = (dataDir: string) => join(dataDir, 'serve.lock');

/**
 * Takes the data directory for one `serve`: two on one store each took every event sent to
 * them, so both stored it, and each had its own rate limits and duplicate check. A lock whose
 * pid no longer runs was left by a crash (or SIGKILL), and is taken over; so is one naming our
 * own pid that this process does not hold (a restarted container's process is pid 1 again).
 * Returns the release; throws naming the directory and the pid holding it.
 */
export function lockDataDir(dataDir: string): () => void {
  const lock = serveLockFile(dataDir);
  const key = resolve(lock);
  const token = lockToken();
  const stale = (held: string) => {
    const pid = holderPid(held);
    if (pid === undefined) return true; // not a lock this program wrote
    return pid === process.pid ? !serving.has(key) : !running(pid);
  };
  // A second try, for the lock a first one found stale and removed.
  if (!tryLock(lock, token, stale) && !tryLock(lock, token, stale)) {
    const pid = holderPid(readIfExists(lock) ?? '');
    throw new Error(
      `${dataDir} is in use by another beacon-tracking-server serve (pid ${pid ?? 'unknown'}, lock ${lock}); one server a data directory`,
    );
  }
  serving.add(key);
  return () => {
    serving.delete(key);
    releaseLock(lock, token);
  };
}
