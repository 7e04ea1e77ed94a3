import { openApiDocument } from './openapi';

it('describes exactly the routes issue 4 lists for the plugin', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} /api/v1${path}`),
  );
  expect(routes.sort()).toEqual(
    [
      'GET /api/v1/issues',
      'GET /api/v1/issues/{id}',
      'GET /api/v1/issues/{id}/events',
      'PATCH /api/v1/issues/{id}',
      'POST /api/v1/issues/status',
      'GET /api/v1/stats',
      'GET /api/v1/sessions',
      'GET /api/v1/sessions/{id}',
      'GET /api/v1/sessions/{id}/export',
    ].sort(),
  );
});
