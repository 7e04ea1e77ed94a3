#!/usr/bin/env node
// Installs what `npm start` and `npm test` need on a fresh machine, or stops with a message
// naming what to install:
//   - npm dependencies (npm install when node_modules was not installed from this
//     package-lock.json; not `npm ci`, which npm 11 refuses for a lock file that lists only this
//     platform's optional binaries, as swc's and turbo's are);
//   - the system tools workspace packages declare in package.json under "beacon.requires":
//       { "command": "promtool", "apt": "prometheus" }              Debian package (root only)
//       { "command": "pint", "go": "github.com/…/cmd/pint@v0.1.0" }  built into .tools/bin
// Only node: builtins are used here: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const toolsBin = join(repoRoot, '.tools', 'bin');

/** PATH with the repository's own tool folder first, for child processes. */
export function toolPath() {
  return [toolsBin, process.env.PATH ?? ''].join(delimiter);
}

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

// npm only warns when Node is older than package.json's engines.node, and an older Node then
// fails later with errors that do not say why.
function ensureNodeVersion() {
  const wanted = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).engines?.node;
  const min = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(wanted ?? '');
  if (!min)
    fail(
      `package.json engines.node must read ">=MAJOR.MINOR.PATCH", not ${JSON.stringify(wanted ?? null)}`,
    );
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i] > Number(min[i + 1])) return;
    if (have[i] < Number(min[i + 1])) {
      fail(
        `Node ${wanted.slice(2)} or later is needed; this is ${process.version} (${process.execPath})`,
      );
    }
  }
}

function ensureNpmDependencies() {
  const lock = join(repoRoot, 'package-lock.json');
  if (!existsSync(lock)) fail('package-lock.json is missing; run `npm install` once and commit it');
  const hash = () => createHash('sha256').update(readFileSync(lock)).digest('hex');
  const marker = join(repoRoot, 'node_modules', '.beacon-lock-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash()) return;
  console.log('setup: installing npm dependencies…');
  run('npm', ['install', '--no-audit', '--no-fund']);
  writeFileSync(marker, hash() + '\n');
}

function workspaceManifests() {
  const dirs = [join(repoRoot, 'e2e')];
  const pkgs = join(repoRoot, 'packages');
  if (existsSync(pkgs)) for (const d of readdirSync(pkgs)) dirs.push(join(pkgs, d));
  return dirs
    .map((dir) => join(dir, 'package.json'))
    .filter((f) => existsSync(f))
    .map((f) => ({ file: f, manifest: JSON.parse(readFileSync(f, 'utf8')) }));
}

function onPath(command) {
  return (
    spawnSync('sh', ['-c', `command -v "${command}"`], {
      env: { ...process.env, PATH: toolPath() },
      stdio: 'ignore',
    }).status === 0
  );
}

/** The system tools `purpose` needs: the tests every one; the local stack those marked `start`. */
function ensureSystemTools(purpose) {
  const apt = new Set();
  const goTools = [];
  for (const { file, manifest } of workspaceManifests()) {
    for (const req of manifest.beacon?.requires ?? []) {
      if (typeof req.command !== 'string' || (!req.apt && !req.go)) {
        fail(`${file}: each beacon.requires entry needs "command" and "apt" or "go"`);
      }
      if (req.start !== undefined && typeof req.start !== 'boolean') {
        fail(
          `${file}: beacon.requires "start" must be true or false, not ${JSON.stringify(req.start)}`,
        );
      }
      // npm start installed Chromium, kubectl and a Go build of pint (printing the module proxy's
      // 403 on the way) for a stack that runs none of them.
      if (purpose === 'start' && req.start !== true) continue;
      if (onPath(req.command)) continue;
      if (req.apt) apt.add(req.apt);
      else goTools.push(req);
    }
  }
  if (apt.size > 0) {
    const names = [...apt].sort();
    if (process.getuid?.() !== 0) {
      fail(
        `missing Debian packages; install them with: sudo apt-get install -y ${names.join(' ')}`,
      );
    }
    console.log(`setup: installing Debian packages: ${names.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  for (const req of goTools) installGoTool(req);
}

// `go install mod@version` refuses modules whose go.mod has replace directives, so the tool is
// built as the main module of a scratch copy taken from the module proxy.
function installGoTool({ command, go }) {
  if (!onPath('go')) fail(`"${command}" needs Go to build (${go}); install Go 1.22 or later`);
  const [pkgPath, version] = go.split('@');
  if (!version) fail(`go tool "${go}" must pin a version (path@version)`);
  mkdirSync(toolsBin, { recursive: true });
  console.log(`setup: building ${command} from ${go}…`);
  const r = spawnSync('go', ['install', go], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: toolsBin },
  });
  if (r.status === 0) return;
  console.log(`setup: go install failed; building ${command} from the module's source instead…`);
  buildGoToolFromModule(command, pkgPath, version);
}

function buildGoToolFromModule(command, pkgPath, version) {
  // Walk up the package path until the module proxy knows it as a module.
  const parts = pkgPath.split('/');
  for (let n = parts.length; n >= 3; n--) {
    const mod = parts.slice(0, n).join('/');
    const r = spawnSync('go', ['mod', 'download', '-json', `${mod}@${version}`], {
      encoding: 'utf8',
    });
    if (r.status !== 0) continue;
    const dir = JSON.parse(r.stdout).Dir;
    const sub = parts.slice(n).join('/') || '.';
    const work = join(repoRoot, '.tools', 'src', command);
    run('rm', ['-rf', work]);
    mkdirSync(join(repoRoot, '.tools', 'src'), { recursive: true });
    run('cp', ['-r', dir, work]);
    run('chmod', ['-R', 'u+w', work]);
    run('go', ['build', '-o', join(toolsBin, command), `./${sub}`], { cwd: work });
    return;
  }
  fail(`could not fetch ${pkgPath}@${version} from the Go module proxy`);
}

/**
 * Links the commands the workspace packages declare (`npx beacon-metrics-adapter`, …) into
 * node_modules/.bin and makes them executable, as `npm rebuild` does. npm links a package's
 * `bin` at install only when its file exists, and `dist/cli.js` does not until the build: on a
 * fresh clone the commands would otherwise be missing (npx then asks the registry, and 404s).
 */
export function linkCommands() {
  run('npm', ['rebuild', '--ignore-scripts', '--workspaces', '--silent']);
}

/**
 * `purpose` 'start' installs only the system tools the local stack runs, 'build' none (the builds
 * need node and the npm dependencies alone), 'test' every one.
 */
export function setup(purpose = 'test') {
  ensureNodeVersion();
  ensureNpmDependencies();
  if (purpose !== 'build') ensureSystemTools(purpose);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  setup();
}
