// Shared jest settings for every package but the Grafana plugin (create-plugin keeps its own).
// A package's jest.config.cjs is `module.exports = require('../../jest.preset.cjs').preset(__dirname)`.
const path = require('node:path');

/** @param {string} packageDir @param {import('jest').Config} [overrides] */
function preset(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    // CI runs every package's suite at once on 2 cores, where a test takes about four times what
    // it takes alone: a TLS server with a fresh self-signed certificate took more than jest's
    // default 5 s there, and a 20k-case property test of 6 s alone took more than 20 s. A test
    // that hangs still fails, at 60 s.
    testTimeout: 60_000,
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
