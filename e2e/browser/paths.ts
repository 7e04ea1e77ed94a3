// Where the browser tests' files are, found through the package rather than __dirname, so the
// same modules work under jest and bundled into the benchmark (npm run bench).
import { dirname, join } from 'node:path';

export const e2eDir = dirname(require.resolve('@beacon/e2e/package.json'));
export const browserDir = join(e2eDir, 'browser');
/** Screenshots, the built host bundle and the bundled benchmark (git-ignored). */
export const artifactsDir = join(e2eDir, '.artifacts');
export const pluginDir = dirname(require.resolve('@beacon/grafana-app-plugin/package.json'));
