// The OpenAPI document's request bodies against what the server takes: a body the document calls
// valid is not refused 400, and one it calls invalid is, so that a client (or a proxy) that
// checks its requests against the document sends what the server reads.
import Ajv from 'ajv';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';
import { openApiDocument } from './openapi';

let setup: TestTracker<'shop'>;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(openApiDocument(), 'api');

beforeAll(async () => {
  setup = await startTestTracker('openapi-requests', { shop: {} });
  const { shop } = setup.projects;
  // Issue 1, so that a PATCH of a valid body answers 200.
  const sent = await fetch(`${setup.tracker.url}/api/${shop.id}/store/?sentry_key=${shop.key}`, {
    method: 'POST',
    body: JSON.stringify({ message: 'request bodies', level: 'error' }),
  });
  expect(sent.status).toBe(200);
});
afterAll(() => setup?.close());

/** Whether the document's request schema for a route takes `body`. */
function documentTakes(route: string, method: string, body: unknown): boolean {
  const pointer = `api#/paths/${route.replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  if (!validate) throw new Error(`the document has no request body for ${method} ${route}`);
  return validate(body) as boolean;
}

async function send(method: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${setup.tracker.url}/api/v1${path}`, {
    method,
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

const patchBodies: [unknown, boolean][] = [
  [{ status: 'resolved' }, true],
  // Fields it does not read are ignored, as Sentry's issue validators (DRF serializers) ignore
  // them: the status is still set.
  [{ status: 'open', note: 'seen in staging' }, true],
  [{ status: 'ignored', assignee: null, ids: [1] }, true],
  [{ status: 'bogus' }, false],
  [{ status: 'OPEN' }, false],
  [{}, false],
  [{ note: 'x' }, false],
];

const bulkBodies: [unknown, boolean][] = [
  [{ ids: [1], status: 'resolved' }, true],
  [{ ids: [1, 2, 999_999_999_999_999], status: 'open' }, true],
  [{ ids: [Number.MAX_SAFE_INTEGER], status: 'open' }, true],
  [{ ids: [1], status: 'open', note: 'from the triage meeting' }, true],
  [{ ids: [0], status: 'open' }, false],
  [{ ids: [-3], status: 'open' }, false],
  [{ ids: [1.5], status: 'open' }, false],
  // 2^53: past the integers a JSON number holds exactly.
  [{ ids: [9_007_199_254_740_992], status: 'open' }, false],
  [{ ids: ['1'], status: 'open' }, false],
  [{ ids: [], status: 'open' }, false],
  [{ ids: [1] }, false],
];

async function answers(method: string, path: string, route: string, bodies: [unknown, boolean][]) {
  const got: [unknown, boolean, number][] = [];
  for (const [body] of bodies)
    got.push([
      body,
      documentTakes(route, method.toLowerCase(), body),
      await send(method, path, body),
    ]);
  return got;
}

it('PATCH /issues/{id}: the document takes a body exactly when the server does', async () => {
  expect(await answers('PATCH', '/issues/1', '/issues/{id}', patchBodies)).toEqual(
    patchBodies.map(([body, valid]) => [body, valid, valid ? 200 : 400]),
  );
});

it('POST /issues/status: the document takes a body exactly when the server does', async () => {
  expect(await answers('POST', '/issues/status', '/issues/status', bulkBodies)).toEqual(
    bulkBodies.map(([body, valid]) => [body, valid, valid ? 200 : 400]),
  );
});
