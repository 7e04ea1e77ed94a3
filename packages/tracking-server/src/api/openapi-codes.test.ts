// The OpenAPI document lists the codes a route can answer, no more: /stats reads nothing of the
// request, so it answers 200, or 401 without the token, or 500.
import { startTestTracker, type TestTracker } from '../testing/test-tracker';
import { openApiDocument } from './openapi';

let setup: TestTracker<'shop'>;
beforeAll(async () => {
  setup = await startTestTracker('openapi-codes', { shop: {} });
});
afterAll(() => setup?.close());

it('documents for GET /stats 200, 400, 401 and 500, and answers 400 to a bad project alone', async () => {
  const doc = openApiDocument() as {
    paths: Record<string, { get: { responses: Record<string, unknown> } }>;
  };
  expect(Object.keys(doc.paths['/stats']?.get.responses ?? {}).sort()).toEqual([
    '200',
    '400',
    '401',
    '500',
  ]);
  const stats = (query: string) =>
    fetch(`${setup.tracker.url}/api/v1/stats?${query}`, {
      method: 'GET',
      headers: { authorization: 'Bearer t' },
    });
  // Parameters it does not read, and a body that is no JSON, are no bad request here.
  const res = await stats('limit=zero&sort=%zz&q=%00');
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ openIssues: 0, lastHour: 0 });
  const bad = await stats('project=shop');
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({
    error: 'project must be a project id, a positive integer of up to 15 digits; got "shop"',
  });
});
