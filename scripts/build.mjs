#!/usr/bin/env node
// `npm run build`: installs what is missing, builds every package, and links the commands the
// packages declare, so that `npx beacon-metrics-adapter --help` works from the repository root.
import { spawnSync } from 'node:child_process';
import { linkCommands, repoRoot, setup, toolPath } from './setup.mjs';

setup();
const r = spawnSync('npx', ['turbo', 'run', 'build'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, PATH: toolPath(), TURBO_TELEMETRY_DISABLED: '1' },
});
if (r.status !== 0) process.exit(r.status ?? 1);
linkCommands();
