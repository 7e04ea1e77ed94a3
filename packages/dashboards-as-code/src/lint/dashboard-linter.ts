// Runs the real grafana/dashboard-linter (Go) on built dashboard files. The binary comes from
// the repository's tool folder (.tools/bin, where scripts/setup.mjs builds declared Go tools)
// or PATH; when it is missing this fails loudly rather than passing without linting.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const DASHBOARD_LINTER = 'dashboard-linter';

/** The committed configuration (dashboard-linter's `.lint` format). */
export const LINT_CONFIG_PATH = resolve(__dirname, '../../dashboard-linter/.lint');

/** The repository's tool folder (scripts/setup.mjs `toolsBin`). */
export const REPO_TOOLS_BIN = resolve(__dirname, '../../../../.tools/bin');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The dashboard-linter binary: .tools/bin first, then PATH. Throws, saying how to get it. */
export function locateDashboardLinter(options: { toolsBin?: string; path?: string } = {}): string {
  const dirs = [
    options.toolsBin ?? REPO_TOOLS_BIN,
    ...(options.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean),
  ];
  for (const dir of dirs) {
    const candidate = join(dir, DASHBOARD_LINTER);
    if (executable(candidate)) return candidate;
  }
  throw new Error(
    `${DASHBOARD_LINTER} not found in ${dirs.join(delimiter)}: the grafana/dashboard-linter check ` +
      'cannot run. Build it with `node scripts/setup.mjs` from the repository root (Go tools ' +
      'declared under "beacon.requires" go to .tools/bin), or put it on PATH.',
  );
}

export interface DashboardLinterResult {
  file: string;
  /** Exit status of `dashboard-linter lint --strict <file>` (0: no error or warning). */
  status: number;
  output: string;
}

/**
 * Lints every `*.json` in `dir` with `dashboard-linter lint --strict`, after copying the
 * committed `.lint` beside them (where the linter reads it).
 */
export function runDashboardLinter(
  dir: string,
  options: { binary?: string; config?: string } = {},
): DashboardLinterResult[] {
  const binary = options.binary ?? locateDashboardLinter();
  copyFileSync(options.config ?? LINT_CONFIG_PATH, join(dir, '.lint'));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((f) => {
    const file = join(dir, f);
    const r = spawnSync(binary, ['lint', '--strict', file], { encoding: 'utf8', cwd: dir });
    if (r.error) {
      throw new Error(`cannot run ${binary} on ${file}: ${r.error.message}`, { cause: r.error });
    }
    return { file, status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
  });
}
