// `npm run bench`: how long building and linting every dashboard takes (goal: under 10 s).
// A benchmark prints numbers; it is not a test. It times the CLI as a user runs it (a fresh
// node process for `build` and for `lint`), then the in-process phases over several rounds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildAll, buildFiles } from './build';
import type { DashboardJson } from './build';
import { createLinter, lintAll } from './lint';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] as number;
  return `median ${median.toFixed(1)} ms, max ${(s[s.length - 1] as number).toFixed(1)} ms`;
}

/** Wall time of `node cli.js <args>`; throws when the command fails. */
function cli(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(__dirname, 'cli.js'), ...args], {
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`beacon-dashboards ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

export function bench(rounds = ROUNDS): void {
  const out = mkdtempSync(join(tmpdir(), 'beacon-bench-'));
  let buildCli: number;
  let lintCli: number;
  try {
    buildCli = cli(['build', '--out', out]);
    lintCli = cli(['lint']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  const setup = time(() => createLinter());
  const linter = createLinter();
  const build: number[] = [];
  const render: number[] = [];
  const lint: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    let built: DashboardJson[] = [];
    build.push(time(() => (built = buildAll())));
    count = built.length;
    render.push(time(() => buildFiles()));
    lint.push(time(() => lintAll(built, linter)));
  }

  const lines = [
    `beacon-dashboards bench: ${count} dashboards (node ${process.version})`,
    `  beacon-dashboards build --out DIR   ${buildCli.toFixed(0)} ms (fresh process)`,
    `  beacon-dashboards lint              ${lintCli.toFixed(0)} ms (fresh process)`,
    `  build + lint, as the CLI runs them  ${(buildCli + lintCli).toFixed(0)} ms (goal < 10000 ms)`,
    `in process, ${rounds} rounds after the runs above:`,
    `  linter setup (schema compile)       ${setup.toFixed(1)} ms`,
    `  build all dashboards                ${stats(build)}`,
    `  build + render files                ${stats(render)}`,
    `  lint all dashboards                 ${stats(lint)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

if (require.main === module) bench();
