// The tracker's routing over real HTTP: ingest paths (Sentry's and OTLP's) with doubled slashes
// are taken as Relay takes them; the REST API's paths are routed as sent.
import type { Project } from '../projects';
import type { RunningTracker } from '../main';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

let setup: TestTracker<'paths'>;
let tracker: RunningTracker;
let project: Project;

beforeAll(async () => {
  setup = await startTestTracker('app-paths', { paths: {} }, 'test-token');
  ({ tracker } = setup);
  ({ paths: project } = setup.projects);
});

afterAll(() => setup?.close());

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('ingest paths with repeated slashes', () => {
  it.each([
    [1, '//api/{id}/envelope/'],
    [2, '/api//{id}/envelope/'],
    [3, '/api/{id}///envelope//'],
  ])('stores envelope %i posted to %s', async (n, path) => {
    const url = `${tracker.url}${path.replace('{id}', String(project.id))}?sentry_key=${project.key}`;
    const res = await fetch(url, {
      method: 'POST',
      body: `{"event_id":"${id(n)}"}\n{"type":"event"}\n{"message":"doubled slashes"}\n`,
    });
    expect([res.status, await res.text()]).toEqual([200, `{"id":"${id(n)}"}`]);
  });

  it('stores a store body posted to /api/{id}//store//', async () => {
    const res = await fetch(`${tracker.url}/api/${project.id}//store//`, {
      method: 'POST',
      headers: { 'x-sentry-auth': `Sentry sentry_key=${project.key}` },
      body: JSON.stringify({ event_id: id(4), message: 'doubled slashes' }),
    });
    expect([res.status, await res.text()]).toEqual([200, `{"id":"${id(4)}"}`]);
  });

  it('leaves the query string as sent', async () => {
    // `sentry_key` is read from the query: a collapsed `//` in it would change the key.
    const res = await fetch(`${tracker.url}//api/${project.id}/envelope/?sentry_key=a//b`, {
      method: 'POST',
      body: `{}\n{"type":"event"}\n{"message":"x"}\n`,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-sentry-error')).toBe(`invalid sentry_key for project ${project.id}`);
  });

  it('answers a GET on such a path 405, as on the path written once', async () => {
    const res = await fetch(`${tracker.url}/api//${project.id}/envelope/`);
    expect(res.status).toBe(405);
  });

  it.each(['//v1/traces', '/v1//traces/'])(
    'stores OTLP spans posted to %s, and answers its preflight',
    async (path) => {
      const res = await fetch(`${tracker.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [] }),
      });
      expect([res.status, await res.text()]).toEqual([200, '{}']);
      const preflight = await fetch(`${tracker.url}${path}`, { method: 'OPTIONS' });
      expect([preflight.status, preflight.headers.get('access-control-allow-methods')]).toEqual([
        200,
        'POST',
      ]);
    },
  );

  it('routes the REST API’s paths as sent', async () => {
    const res = await fetch(`${tracker.url}/api//v1/issues`, {
      headers: { authorization: 'Bearer test-token' },
    });
    expect(res.status).toBe(404);
  });
});
