// Helpers for tests that run the real promtool and amtool. A missing tool is an error, never a skip.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ToolResult {
  code: number;
  output: string;
}

/** Where scripts/setup.mjs builds the Go tools packages declare (`beacon.requires`). */
export const REPO_TOOLS_BIN = path.resolve(__dirname, '..', '..', '..', '.tools', 'bin');

const INSTALL: Record<string, string> = {
  promtool: 'apt-get install prometheus',
  amtool: 'apt-get install prometheus-alertmanager',
  pint: 'node scripts/setup.mjs (it builds the pinned github.com/cloudflare/pint/cmd/pint into .tools/bin)',
};

/**
 * Runs `tool` with `args`, looking in the repository's .tools/bin first; throws (failing the
 * test) if the tool is not installed.
 */
export function runTool(tool: string, args: readonly string[], cwd?: string): ToolResult {
  const env = {
    ...process.env,
    PATH: [REPO_TOOLS_BIN, process.env.PATH ?? ''].join(path.delimiter),
  };
  const res = spawnSync(tool, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (res.error) {
    throw new Error(
      `${tool} could not be run (${res.error.message}); install it with ${INSTALL[tool] ?? tool}`,
      { cause: res.error },
    );
  }
  return { code: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

const made: string[] = [];
// This module is loaded only by test files: their temporary folders go when the file's tests end.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary folder, removed after the calling test file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `beacon-alerts-${prefix}-`));
  made.push(dir);
  return dir;
}
