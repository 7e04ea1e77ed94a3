// Property of the provisioning file `build --dashboards-path` writes: whatever path the user
// gives, Grafana reads back exactly that path.
import fc from 'fast-check';
import { parse } from 'yaml';
import { renderProvisioning } from '.';

describe('renderProvisioning', () => {
  it('writes any --dashboards-path (10k cases) so that the YAML reads back that path', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
          fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 30 }),
          fc
            .array(
              fc.constantFrom('srv', 'a b', '#x', '- y', '*z', '{d}', 'null', 'true', '0x1', ': '),
            )
            .map((ss) => `/${ss.join('/')}`),
        ),
        (path) => {
          const doc = parse(renderProvisioning(path)) as {
            providers: { options: { path: unknown } }[];
          };
          expect(doc.providers[0]?.options.path).toBe(path);
        },
      ),
      // Found by a random run: yaml wrote " \n" as a block scalar that read back as "\n".
      { numRuns: 10_000, examples: [[' \n'], ['  x\n'], ['\n\n ']] },
    );
  });
});
