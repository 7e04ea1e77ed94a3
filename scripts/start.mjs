#!/usr/bin/env node
// `npm start`: installs what is missing, builds every package, then runs the local stack
// (scripts/stack.mjs) on its embedded defaults until Ctrl-C. package.json starts it with `exec`,
// as `npm test` too: npm runs a script under `sh -c` and sends its SIGINT and SIGTERM to that
// shell, and dash holds a SIGINT while its child runs, so a SIGINT to npm alone (not a
// terminal's Ctrl-C, which the whole group gets) left the whole stack running.
import { spawnSync } from 'node:child_process';
import { linkCommands, repoRoot, setup, toolPath } from './setup.mjs';

const env = {
  ...process.env,
  PATH: toolPath(),
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
};

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`start: ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

const parent = process.ppid;
setup('start');
step('npx', ['turbo', 'run', 'build']);
linkCommands();
// npm passes a SIGTERM to the shell it runs this under, not to this process: stopped during the
// build, npm start must not go on to start the stack with no one to stop it.
if (process.ppid !== parent) {
  console.error('start: npm start was stopped during the build; not starting the stack');
  process.exit(1);
}
// In this process, not a child of it: a signal sent to it then reaches the stack's own handlers,
// which stop every process the stack started.
await import('./stack.mjs');
