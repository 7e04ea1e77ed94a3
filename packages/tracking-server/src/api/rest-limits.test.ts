// The REST API's `limit` ranges as the README and the OpenAPI document give them: 1–1000 for
// issues, 1–100 for an issue's events and 1–200 for sessions. The largest is passed to the
// repository as asked; one more is a 400 naming the range, and the repository is not asked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  eventsKey,
  fakeRepository,
  issueFilterKey,
  sessionFilterKey,
} from '../store/fake-repository';
import { inlineWriter, type EventWriter } from '../store/writer';
import { createLogger } from '../telemetry/logger';
import { createTrackerMetrics } from '../telemetry/metrics';
import { createApp } from './app';

const TOKEN = 'limits-token';
const NOW = 1_740_830_400_000;
const empty = { items: [], nextCursor: null };

const fake = fakeRepository({
  issuePages: { [issueFilterKey({ sort: 'last_seen', limit: 1000 })]: empty },
  events: { [eventsKey(7, undefined, 100)]: empty },
  sessionPages: { [sessionFilterKey({ limit: 200 })]: empty },
});
const logged: string[] = [];
let writer: EventWriter;
let server: Server;
let url: string;

beforeAll(async () => {
  writer = inlineWriter(fake);
  server = createServer(
    createApp({
      repo: fake,
      writer,
      projects: () => [],
      apiToken: TOKEN,
      metrics: createTrackerMetrics({ defaultMetrics: false }),
      logger: createLogger('error', (line) => void logged.push(line)),
      now: () => NOW,
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await writer.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  logged.length = 0;
});
afterEach(() => expect(logged).toEqual([]));

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/v1${path}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

/** What the repository was asked, less the sessions' indexing. */
const asked = () => fake.calls.filter((c) => c.call !== 'indexSessions');

describe.each([
  ['/issues', 1000, { call: 'listIssues', args: [{ sort: 'last_seen', limit: 1000 }, NOW] }],
  ['/issues/7/events', 100, { call: 'issueEvents', args: [7, undefined, 100] }],
  ['/sessions', 200, { call: 'listSessions', args: [{ limit: 200 }] }],
] as const)('GET %s', (path, max, call) => {
  it(`takes limit=${max}, the largest, and passes it on`, async () => {
    expect(await get(`${path}?limit=${max}`)).toEqual({ status: 200, body: empty });
    expect(asked()).toEqual([call]);
  });

  it(`refuses limit=${max + 1} and limit=0 with 400 naming the range`, async () => {
    for (const limit of [max + 1, 0])
      expect(await get(`${path}?limit=${limit}`)).toEqual({
        status: 400,
        body: { error: `limit must be an integer from 1 to ${max}` },
      });
    expect(asked()).toEqual([]);
  });
});
