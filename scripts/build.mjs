#!/usr/bin/env node
// `npm run build`: installs the npm dependencies if missing, builds every package, and links the
// commands the packages declare, so that `npx beacon-metrics-adapter --help` works from the
// repository root. No system tool is installed: the builds need none (it asked for Go, to build
// pint, and installed Chromium and kubectl, which only the tests run).
import { spawnSync } from 'node:child_process';
import { linkCommands, repoRoot, setup, toolPath } from './setup.mjs';

setup('build');
const r = spawnSync('npx', ['turbo', 'run', 'build'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, PATH: toolPath(), TURBO_TELEMETRY_DISABLED: '1' },
});
if (r.status !== 0) process.exit(r.status ?? 1);
linkCommands();
