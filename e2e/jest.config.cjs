// Browser tests: one Chromium, one tracker, one host for the file; run in band.
module.exports = require('../jest.preset.cjs').preset(__dirname, {
  testMatch: ['<rootDir>/browser/**/*.test.ts'],
  testTimeout: 180_000,
});
