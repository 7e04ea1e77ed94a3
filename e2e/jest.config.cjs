// Browser tests: one Chromium, one tracker, one host for the file; the loop tests: a real
// Prometheus, Alertmanager and kubectl for the file. Run in band.
module.exports = require('../jest.preset.cjs').preset(__dirname, {
  testMatch: ['<rootDir>/browser/**/*.test.ts', '<rootDir>/loop/**/*.test.ts'],
  testTimeout: 180_000,
});
