import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from './build';
import { ruleGroups } from './rules';
import { PACKAGE_ROOT } from './spec';
import { runTool, tempDir } from './testing';

const TESTS_DIR = path.join(PACKAGE_ROOT, 'testdata', 'promtool');

describe('the generated rule files', () => {
  const out = tempDir('promtool');
  build(out);
  const promDir = path.join(out, 'prometheus');
  const testsOut = path.join(promDir, 'tests');

  it('include the hand-written tests, pointed at the rule files one folder up', () => {
    expect(readdirSync(testsOut).sort()).toEqual([
      'ai.test.yml',
      'application.test.yml',
      'business.test.yml',
      'infrastructure.test.yml',
      'security.test.yml',
      'slo.test.yml',
      'storage.test.yml',
      'tools.test.yml',
      'websocket.test.yml',
    ]);
    expect(readFileSync(path.join(testsOut, 'ai.test.yml'), 'utf8')).toContain(
      'rule_files:\n  - ../ai.rules.yml\n',
    );
  });

  it('has one hand-written promtool test file per domain', () => {
    expect(readdirSync(TESTS_DIR).sort()).toEqual(
      ruleGroups.map((g) => `${g.domain}.test.yml`).sort(),
    );
  });

  it.each(ruleGroups.map((g) => g.domain))('pass promtool check rules for %s', (domain) => {
    const res = runTool('promtool', ['check', 'rules', `${domain}.rules.yml`], promDir);
    expect({ code: res.code, output: res.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it.each(ruleGroups.map((g) => g.domain))('pass promtool test rules for %s', (domain) => {
    const res = runTool('promtool', ['test', 'rules', `${domain}.test.yml`], testsOut);
    expect({ code: res.code, output: res.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('fail promtool test rules when an expected annotation is wrong', () => {
    // Guards the harness itself: a test file with a wrong expectation must not pass.
    const bad = path.join(testsOut, 'broken.test.yml');
    const text = readFileSync(path.join(testsOut, 'application.test.yml'), 'utf8').replace(
      'Service api-gateway is down',
      'Service api-gateway is fine',
    );
    writeFileSync(bad, text);
    const res = runTool('promtool', ['test', 'rules', 'broken.test.yml'], testsOut);
    expect(res.code).toBe(1);
    expect(res.output).toContain('FAILED');
  });
});
