// Writes <package>/.test-results/jest.json: { runner, passed, failed } for scripts/test.mjs.
// A suite that fails to run (syntax error, failing hook) counts as one failure, so a broken
// file can never make the total look green.
const fs = require('node:fs');
const path = require('node:path');

class JestSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter(
      (r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0),
    ).length;
    const summary = {
      runner: 'jest',
      passed: results.numPassedTests,
      failed: results.numFailedTests + brokenSuites,
    };
    const dir = path.join(this.rootDir, '.test-results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'jest.json'), JSON.stringify(summary) + '\n');
  }
}

module.exports = JestSummaryReporter;
