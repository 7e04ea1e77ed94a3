#!/usr/bin/env node
// `npm test`: installs what is missing, runs build, typecheck, lint and every package's tests
// through turbo, then adds up every runner's results and ends with one line:
//   tests: N passed, N failed
// Each runner leaves <workspace>/.test-results/<runner>.json = { runner, passed, failed } and
// optionally `failures` [{ test, why }] (jest through scripts/jest-summary-reporter.cjs; promtool,
// go test and browser tests through their package's test script). Each runner a workspace runs
// (package.json's `beacon.runners`, else jest) must leave its file: one that left none (killed,
// out of memory) counts as a failure, though another runner of the workspace wrote its own. With
// arguments (`npm test -- --filter=X`), turbo runs some workspaces only, and only they are counted.
// Failed tests are named again at the end, where CI's tail shows them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { linkCommands, repoRoot, setup, toolPath } from './setup.mjs';

const packageJson = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

function workspacesWithTests() {
  const dirs = [];
  const pkgs = join(repoRoot, 'packages');
  for (const d of readdirSync(pkgs)) dirs.push(join(pkgs, d));
  dirs.push(join(repoRoot, 'e2e'));
  return dirs.filter(
    (dir) => existsSync(join(dir, 'package.json')) && packageJson(dir).scripts?.test,
  );
}

/** The workspaces whose test task turbo runs with `args` (its dry run's plan), or all of them. */
function workspacesRun(dirs, args) {
  if (args.length === 0) return dirs;
  const plan = spawnSync('npx', ['turbo', 'run', 'test', '--dry=json', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  });
  if (plan.status !== 0) return dirs; // turbo's own run below names what is wrong
  const tested = new Set(
    JSON.parse(plan.stdout)
      .tasks.filter((t) => t.task === 'test')
      .map((t) => join(repoRoot, t.directory)),
  );
  return dirs.filter((dir) => tested.has(dir));
}

function collect(dirs) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for (const dir of dirs) {
    const results = join(dir, '.test-results');
    const files = existsSync(results)
      ? readdirSync(results).filter((f) => f.endsWith('.json'))
      : [];
    for (const runner of packageJson(dir).beacon?.runners ?? ['jest']) {
      if (files.includes(`${runner}.json`)) continue;
      console.error(`${relative(repoRoot, dir)}: ${runner} wrote no test results (it crashed?)`);
      failed += 1;
      failures.push(`  ${relative(repoRoot, dir)}: ${runner}\n      wrote no test results`);
    }
    for (const f of files) {
      const r = JSON.parse(readFileSync(join(results, f), 'utf8'));
      console.log(
        `  ${relative(repoRoot, dir)} ${r.runner}: ${r.passed} passed, ${r.failed} failed`,
      );
      passed += r.passed;
      failed += r.failed;
      for (const f of r.failures ?? [])
        failures.push(`  ${relative(repoRoot, dir)}/${f.test}\n      ${f.why}`);
    }
  }
  return { passed, failed, failures };
}

setup();
const dirs = workspacesRun(workspacesWithTests(), process.argv.slice(2));
for (const dir of dirs) rmSync(join(dir, '.test-results'), { recursive: true, force: true });

const turboRun = (tasks) =>
  spawnSync('npx', ['turbo', 'run', ...tasks, '--continue', ...process.argv.slice(2)], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      PATH: toolPath(),
      TURBO_TELEMETRY_DISABLED: '1',
      TURBO_NO_UPDATE_NOTIFIER: '1',
      DO_NOT_TRACK: '1',
    },
  });

// Built first, so that the packages' commands are linked before the tests that run them through
// npx; the second run takes the builds from turbo's cache.
turboRun(['build']);
linkCommands();
const turbo = turboRun(['build', 'typecheck', 'lint', 'test']);

console.log('\nresults by runner:');
const { passed, failed, failures } = collect(dirs);
if (failures.length > 0) console.log(`\nfailed tests:\n${failures.join('\n')}`);
const turboFailed = turbo.status !== 0;
if (turboFailed) console.error(`turbo exited with ${turbo.status ?? turbo.signal}: a task failed`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(turboFailed || failed > 0 || passed === 0 ? 1 : 0);
