// A zstd decoding thread that stops mid-body (a crash, as a terminate makes it): that request is
// a 503 to send again, in OTLP's shape, counted as a fault of the tracker's; the tracker keeps
// serving, and the next zstd body gets a new thread and is stored.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { zstdThreads } from '../ingest/zstd-worker';
import { rawPost, type RawAnswer } from '../testing/raw-post';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '..', 'ingest', 'testdata', 'zstd', name));

let setup: TestTracker<'shop'>;

beforeAll(async () => {
  // Kept for good (retentionDays 0): the fixtures' spans are dated 2026-12-03.
  setup = await startTestTracker('otlp-zstd-thread', { shop: { retentionDays: 0 } });
});

afterAll(() => setup?.close());

const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !what() && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 5));
  return what();
};

it('answers 503 with Retry-After for a body whose thread stopped, and stores the next zstd body', async () => {
  // The first 5,000 bytes of a 13,418-byte body, the rest not yet sent: the body is on the
  // thread when it stops.
  const batch = fixture('batch.json.zst');
  let answer: RawAnswer | undefined;
  const req = request(`${setup.tracker.url}/v1/traces`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-encoding': 'zstd',
      authorization: `Bearer ${setup.projects.shop.key}`,
    },
  });
  req.on('error', () => undefined); // the server may close before the rest is sent
  const answered = new Promise<RawAnswer>((resolve) =>
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve(
          (answer = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        ),
      );
    }),
  );
  req.write(batch.subarray(0, 5_000));
  expect(await until(() => zstdThreads.bodies === 1, 20_000)).toBe(true);
  const [stopping] = zstdThreads.workers;
  await stopping!.terminate();

  const res = await answered;
  req.end(batch.subarray(5_000));
  expect([res.status, res.headers['retry-after'], JSON.parse(res.text)]).toEqual([
    503,
    '1',
    {
      code: 14,
      message: 'the zstd decoding thread stopped before the body was read; send it again',
    },
  ]);
  expect(answer).toBeDefined();
  expect(zstdThreads.bodies).toBe(0);

  // The next body starts a thread of its own, and is stored.
  const next = await rawPost(`${setup.tracker.url}/v1/traces`, fixture('traces.json.zst'), {
    'content-type': 'application/json',
    'content-encoding': 'zstd',
    authorization: `Bearer ${setup.projects.shop.key}`,
  });
  expect([next.status, next.text]).toEqual([200, '{}']);
  expect(zstdThreads.workers).toHaveLength(1);
  expect(zstdThreads.workers[0]).not.toBe(stopping);
  const session = await fetch(`${setup.tracker.url}/api/v1/sessions/zstd-json-1`, {
    headers: { authorization: 'Bearer t' },
  });
  expect(session.status).toBe(200);
  const { services, timeline } = (await session.json()) as {
    services: string[];
    timeline: { name: string }[];
  };
  // What traces.json holds (testdata/zstd/README.md).
  expect([services, timeline.map((o) => o.name)]).toEqual([
    ['zstd-checkout'],
    ['POST /checkout', 'SELECT orders'],
  ]);
  // Counted as the tracker's fault, not the client's.
  const metrics = await (await fetch(`${setup.tracker.url}/metrics`)).text();
  expect(metrics).toMatch(/^beacon_tracker_rejected_requests_total\{reason="internal"\} 1$/m);
});
