// The OpenAPI document's query parameters against what the server takes: a value the document
// calls valid is answered 200, not 400, so that a client built from the document is not refused.
import Ajv from 'ajv';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';
import { openApiDocument } from './openapi';

let setup: TestTracker<'shop'>;
beforeAll(async () => {
  setup = await startTestTracker('openapi-params', { shop: {} });
});
afterAll(() => setup?.close());

const ajv = new Ajv({ strict: false });
const doc = openApiDocument() as {
  paths: Record<string, { get: { parameters: { name: string; in: string; schema: object }[] } }>;
};

/** Whether the document's schema for a query parameter takes `value`. */
function documentTakes(route: string, name: string, value: unknown): boolean {
  const p = doc.paths[route]?.get.parameters.find((x) => x.name === name && x.in === 'query');
  if (!p) throw new Error(`the document has no query parameter ${name} on GET ${route}`);
  return ajv.validate(p.schema, value) as boolean;
}

async function answer(route: string, name: string, value: unknown): Promise<number> {
  const res = await fetch(
    `${setup.tracker.url}/api/v1${route}?${new URLSearchParams({ [name]: String(value) }).toString()}`,
    { headers: { authorization: 'Bearer t' } },
  );
  await res.text();
  return res.status;
}

// [route, parameter, value (as a client built from the document holds it), valid]
const cases: [string, string, unknown, boolean][] = [
  ['/issues', 'q', 'timeout', true],
  ['/issues', 'q', '100%_done\\', true],
  // SQLite's LIKE reads a pattern up to its first NUL: the server refuses one (400).
  ['/issues', 'q', 'a\u0000b', false],
  ['/sessions', 'q', 'req-', true],
  ['/sessions', 'q', '\u0000', false],
  ['/sessions', 'minDurationMs', 0, true],
  ['/sessions', 'minDurationMs', 1500.25, true],
  ['/sessions', 'minDurationMs', 999_999_999_999, true],
  // More than 12 digits before the point (31 years): refused by the server.
  ['/sessions', 'minDurationMs', 10_000_000_000_000, false],
  ['/sessions', 'minDurationMs', -1, false],
];

it('takes a query value in the document exactly when the server answers it 200', async () => {
  const got: unknown[] = [];
  for (const [route, name, value] of cases)
    got.push([
      route,
      name,
      value,
      documentTakes(route, name, value),
      await answer(route, name, value),
    ]);
  expect(got).toEqual(
    cases.map(([route, name, value, valid]) => [route, name, value, valid, valid ? 200 : 400]),
  );
});
