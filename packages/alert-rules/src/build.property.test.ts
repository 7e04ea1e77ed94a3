// Properties of promtoolTestFile under any accepted --runbook-base-url: the copied promtool tests
// stay YAML, and expect exactly the runbook links the rule files get.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { PROMTOOL_TESTS_DIR, promtoolTestFile } from './build';
import { DEFAULT_RUNBOOK_BASE_URL } from './render/prometheus';

const chars = (s: string) => fc.constantFrom(...s.split(''));
/** Segment characters, YAML indicators and replacement patterns ($&, $', $1) among them. */
const segment = fc
  .array(chars('abcxyz019-_.~$&\'`*{}[]!%@|>#,?=+;()"1'), { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''));
const base = fc.oneof(
  fc
    .tuple(fc.constantFrom('http://', 'https://'), fc.constantFrom('git.example', '10.0.0.1:8080'))
    .chain(([scheme, host]) =>
      fc
        .array(segment, { maxLength: 3 })
        .map((ss) => `${scheme}${host}/${ss.map((s) => `${s}/`).join('')}`),
    ),
  fc
    .array(
      segment.filter((s) => !s.includes(':')),
      { minLength: 1, maxLength: 3 },
    )
    .map((ss) => ss.map((s) => `${s}/`).join('')),
);

const DOMAINS = readdirSync(PROMTOOL_TESTS_DIR)
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => f.replace(/\.test\.yml$/, ''));

/** Every runbook_url value anywhere in a parsed document. */
function runbookUrls(doc: unknown): string[] {
  if (Array.isArray(doc)) return doc.flatMap(runbookUrls);
  if (doc !== null && typeof doc === 'object') {
    return Object.entries(doc).flatMap(([k, v]) =>
      k === 'runbook_url' ? [v as string] : runbookUrls(v),
    );
  }
  return [];
}

describe('promtoolTestFile', () => {
  it('moves every expected runbook_url to any accepted base (1500 cases), keeping the file YAML', () => {
    // What each hand-written test expects, read from the fixtures themselves.
    const written = new Map(
      DOMAINS.map((d) => [
        d,
        runbookUrls(parse(readFileSync(path.join(PROMTOOL_TESTS_DIR, `${d}.test.yml`), 'utf8'))),
      ]),
    );
    expect([...written.values()].flat().length).toBeGreaterThan(0);
    fc.assert(
      fc.property(base, fc.constantFrom(...DOMAINS), (b, domain) => {
        const doc = parse(promtoolTestFile(domain, PROMTOOL_TESTS_DIR, b)) as {
          rule_files: string[];
        };
        expect(doc.rule_files).toEqual([`../${domain}.rules.yml`]);
        const expected = (written.get(domain) as string[]).map(
          (u) => b + u.slice(DEFAULT_RUNBOOK_BASE_URL.length),
        );
        expect(runbookUrls(doc)).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it.each([
    ["https://git.example/$'/", "https://git.example/$'/runbooks/ServiceDown.md"],
    ['x$&y/', 'x$&y/runbooks/ServiceDown.md'],
    ['*wiki/', '*wiki/runbooks/ServiceDown.md'],
    ['{docs}/', '{docs}/runbooks/ServiceDown.md'],
    // `...` and `---` start a line that ends or starts a YAML document (a CI run's counterexample).
    ['...a/', '...a/runbooks/ServiceDown.md'],
    ['---a/', '---a/runbooks/ServiceDown.md'],
  ])('writes the base %j as it is into a test that still parses', (b, url) => {
    const doc = parse(promtoolTestFile('application', PROMTOOL_TESTS_DIR, b));
    expect(runbookUrls(doc)).toContain(url);
  });
});
