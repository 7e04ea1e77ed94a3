// Writes <package>/.test-results/jest.json: { runner, passed, failed, failures } for
// scripts/test.mjs. A suite that fails to run (syntax error, failing hook) counts as one failure,
// so a broken file can never make the total look green; so does a test skipped or left to do
// (`it.skip`, `it.todo`, one left out by `.only`): it checked nothing, and the repository has none. `failures` names each failed test and its
// message's first line: CI shows only the end of the log, and test.mjs prints them there.
const fs = require('node:fs');
const path = require('node:path');
const { stripVTControlCharacters } = require('node:util');

/** A test's statuses for one not run: skipped (`pending`), and `todo`. */
const SKIPPED = new Set(['pending', 'skipped', 'todo', 'disabled']);

class JestSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter(
      (r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0),
    ).length;
    const failures = [];
    for (const file of results.testResults) {
      const where = path.relative(this.rootDir, file.testFilePath);
      for (const test of file.testResults.filter((t) => t.status === 'failed'))
        failures.push({
          test: `${where}: ${test.fullName}`,
          why: firstLine(test.failureMessages)
            .split(this.rootDir + path.sep)
            .join(''),
        });
      for (const test of file.testResults.filter((t) => SKIPPED.has(t.status)))
        failures.push({ test: `${where}: ${test.fullName}`, why: `${test.status}: not run` });
      if (file.testExecError || (file.failureMessage && file.numFailingTests === 0))
        failures.push({
          test: `${where}: the suite did not run`,
          why: firstLine([file.testExecError?.message ?? file.failureMessage]),
        });
    }
    const summary = {
      runner: 'jest',
      passed: results.numPassedTests,
      failed:
        results.numFailedTests + results.numPendingTests + results.numTodoTests + brokenSuites,
      failures,
    };
    const dir = path.join(this.rootDir, '.test-results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'jest.json'), JSON.stringify(summary) + '\n');
  }
}

/**
 * A failure's first line that says something and the test file's line it was thrown at, colours
 * taken out, at most 300 characters.
 */
function firstLine(messages) {
  const lines = stripVTControlCharacters((messages ?? []).join('\n'))
    .split('\n')
    .map((l) => l.trim());
  const what = lines.find((l) => l !== '' && !l.startsWith('●')) ?? '';
  const at = lines.find((l) => /^at .*\.test\.[cm]?[jt]sx?:\d+/.test(l));
  return (at ? `${what} (${at.replace(/^at .*?\(?(\S+?)\)?$/, '$1')})` : what).slice(0, 300);
}

module.exports = JestSummaryReporter;
