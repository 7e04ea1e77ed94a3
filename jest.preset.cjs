// Shared jest settings for every package but the Grafana plugin (create-plugin keeps its own).
// A package's jest.config.cjs is `module.exports = require('../../jest.preset.cjs').preset(__dirname)`.
const path = require('node:path');

/** @param {string} packageDir @param {import('jest').Config} [overrides] */
function preset(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    // A timeout here only finds a hang; how fast is for the benchmarks. CI runs every package's
    // suite at once on 2 cores, where a test takes up to four times what it takes alone, and CI
    // machines differ: the 100k fuzz posts of 20 s in a test run here went past 180 s on the one
    // that ran stop 41, where the rest took as long as here. So every test gets 5 minutes, as the
    // Grafana plugin's do, and a file sets no shorter one. Jest times out an asynchronous test
    // only: a synchronous property runs to its end however long it takes.
    testTimeout: 300_000,
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': [
        require.resolve('@swc/jest'),
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    // The summary reporter writes .test-results/jest.json, which scripts/test.mjs adds up.
    reporters: ['default', path.join(__dirname, 'scripts', 'jest-summary-reporter.cjs')],
    ...overrides,
  };
}

module.exports = { preset };
