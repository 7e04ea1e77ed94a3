// Runs one of the Go programs the oracle tests ask (src/**/testdata/*-oracle): `go run` in its
// folder, the questions as JSON on stdin, the answers as JSON from stdout. Go must be on PATH
// and the oracle's modules in the module cache or reachable through the Go module proxy, as for
// the e2e suite: without them the test fails, naming what is missing, and never skips.
import { spawnSync } from 'node:child_process';

export function askGoOracle<Answers>(
  what: string,
  dir: string,
  questions: unknown,
  { target = '.', timeoutMs }: { target?: string; timeoutMs?: number } = {},
): Answers {
  const run = spawnSync('go', ['run', target], {
    cwd: dir,
    input: JSON.stringify(questions),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(timeoutMs ? { timeout: timeoutMs } : {}),
  });
  if (run.error || run.status !== 0)
    throw new Error(
      `${what} did not run (Go on PATH is needed, and the modules its go.mod names in the module cache or from the Go module proxy): ${run.error?.message ?? `exit ${run.status ?? run.signal}: ${run.stderr}`}`,
    );
  return JSON.parse(run.stdout) as Answers;
}
