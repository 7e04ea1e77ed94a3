// Helpers for tests that run the real promtool and amtool. A missing tool is an error, never a skip.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ToolResult {
  code: number;
  output: string;
}

const APT: Record<string, string> = { promtool: 'prometheus', amtool: 'prometheus-alertmanager' };

/** Runs `tool` with `args`; throws (failing the test) if the tool is not installed. */
export function runTool(tool: string, args: readonly string[], cwd?: string): ToolResult {
  const res = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (res.error) {
    throw new Error(
      `${tool} could not be run (${res.error.message}); install it with apt-get install ${APT[tool] ?? tool}`,
      { cause: res.error },
    );
  }
  return { code: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `beacon-alerts-${prefix}-`));
}
