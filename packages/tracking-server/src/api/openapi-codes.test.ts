// The OpenAPI document lists the codes a route can answer, no more: /stats reads nothing of the
// request, so it answers 200, or 401 without the token, or 500.
import { startTestTracker, type TestTracker } from '../testing/test-tracker';
import { openApiDocument } from './openapi';

let setup: TestTracker<'shop'>;
beforeAll(async () => {
  setup = await startTestTracker('openapi-codes', { shop: {} });
});
afterAll(() => setup?.close());

it('documents for GET /stats 200, 401 and 500, and no 400 it cannot answer', async () => {
  const doc = openApiDocument() as {
    paths: Record<string, { get: { responses: Record<string, unknown> } }>;
  };
  expect(Object.keys(doc.paths['/stats']?.get.responses ?? {}).sort()).toEqual([
    '200',
    '401',
    '500',
  ]);
  // Parameters it does not read, and a body that is no JSON, are no bad request here.
  const res = await fetch(`${setup.tracker.url}/api/v1/stats?limit=zero&sort=%zz&q=%00`, {
    method: 'GET',
    headers: { authorization: 'Bearer t' },
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ openIssues: 0, lastHour: 0 });
});
