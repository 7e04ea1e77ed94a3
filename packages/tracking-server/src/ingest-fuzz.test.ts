// Random and mutated envelopes and OTLP bodies over HTTP: the 100k cases the parsers' own tests
// read in-process (src/ingest/testdata), posted to a running tracker, which must answer each with
// 200 or a 4xx — never a 5xx, never a dropped connection — and keep serving afterwards. The
// bodies are drawn with a fixed seed and sent as they are: shrinking over HTTP would take too long.
import fc from 'fast-check';
import { RawHttpConnection } from './bench/raw-http';
import { randomOrMutatedEnvelope } from './ingest/testdata/envelopes';
import { randomOrMutatedOtlpBody } from './ingest/testdata/otlp-bodies';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

jest.setTimeout(180_000);

const CASES = 100_000;
const SEED = 42;
/** Requests in flight, each on its own kept-alive connection: group commit batches the stored. */
const IN_FLIGHT = 24;

let setup: TestTracker<'fuzz'>;

beforeAll(async () => {
  // No rate limit (the default), so a 429 would be a finding, not noise.
  setup = await startTestTracker('ingest-fuzz', { fuzz: { eventsPerMinute: 0 } });
});

afterAll(() => setup?.close());

interface Post {
  readonly path: string;
  readonly contentType: string;
  readonly headers: readonly string[];
  readonly body: Buffer;
}

/** A family's answers: how many had each status (0 for a failed connection). */
type Statuses = Record<number, number>;

/**
 * Posts each request over IN_FLIGHT connections; answers the statuses of each content type and
 * the first few posts answered with neither 200 nor a 4xx, to send again by hand. A 413 closes
 * its connection on the tracker's side, so the next request of that connection goes on a new one.
 */
async function postAll(port: number, posts: readonly Post[]) {
  const byType: Record<string, Statuses> = {};
  const failures: { status: number; contentType: string; base64: string }[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    let connection = new RawHttpConnection(port);
    try {
      for (let i = next++; i < posts.length; i = next++) {
        const post = posts[i] as Post;
        const status = await connection.post(post.path, post.contentType, post.body, post.headers);
        const statuses = (byType[post.contentType] ??= {});
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200 && !(status >= 400 && status < 500)) {
          failed++;
          if (failures.length < 10)
            failures.push({
              status,
              contentType: post.contentType,
              base64: post.body.toString('base64'),
            });
        }
        if (status === 413 || status === 0) {
          connection.close();
          connection = new RawHttpConnection(port);
        }
      }
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { byType, failures, failed };
}

const count = (statuses: Statuses = {}, from: number, to = from) =>
  Object.entries(statuses)
    .filter(([s]) => Number(s) >= from && Number(s) <= to)
    .reduce((sum, [, n]) => sum + n, 0);

describe('random and mutated envelopes and OTLP bodies over HTTP', () => {
  it('answers 100k random and mutated envelopes with 200 or a 4xx, never a 5xx or a dropped connection', async () => {
    const { id, key } = setup.projects.fuzz;
    const posts = fc
      .sample(randomOrMutatedEnvelope, { numRuns: CASES, seed: SEED })
      .map((body) => ({
        path: `/api/${id}/envelope/?sentry_key=${key}`,
        contentType: 'application/x-sentry-envelope',
        headers: [],
        body,
      }));
    const { byType, failures, failed } = await postAll(setup.tracker.port, posts);
    expect({ failed, failures }).toEqual({ failed: 0, failures: [] });
    const statuses = byType['application/x-sentry-envelope'];
    expect(count(statuses, 0, 999)).toBe(CASES);
    // Both answers occur, so a tracker that took or refused everything would fail here.
    expect(count(statuses, 200)).toBeGreaterThan(1000);
    expect(count(statuses, 400)).toBeGreaterThan(1000);
  });

  it('answers 100k random and mutated OTLP bodies, half as JSON and half as protobuf, with 200 or a 4xx, never a 5xx or a dropped connection', async () => {
    const types = ['application/json', 'application/x-protobuf'];
    const posts = fc
      .sample(randomOrMutatedOtlpBody, { numRuns: CASES, seed: SEED })
      .map((body, i) => ({
        path: '/v1/traces',
        contentType: types[i % 2] as string,
        headers: [`Authorization: Bearer ${setup.projects.fuzz.key}`],
        body,
      }));
    const { byType, failures, failed } = await postAll(setup.tracker.port, posts);
    expect({ failed, failures }).toEqual({ failed: 0, failures: [] });
    for (const type of types) {
      const statuses = byType[type];
      expect([type, count(statuses, 0, 999)]).toEqual([type, CASES / 2]);
      expect([type, count(statuses, 200) > 100, count(statuses, 400) > 100]).toEqual([
        type,
        true,
        true,
      ]);
    }
  });

  it('still takes a valid envelope and serves the issues afterwards', async () => {
    const { id, key } = setup.projects.fuzz;
    const event = JSON.stringify({ message: 'still here after the fuzzing', level: 'error' });
    const sent = await fetch(`${setup.tracker.url}/api/${id}/envelope/?sentry_key=${key}`, {
      method: 'POST',
      body: `{}\n{"type":"event"}\n${event}\n`,
    });
    expect(sent.status).toBe(200);
    const issues = await fetch(`${setup.tracker.url}/api/v1/issues?q=still%20here`, {
      headers: { authorization: `Bearer ${setup.tracker.apiToken}` },
    });
    expect(issues.status).toBe(200);
    const { items } = (await issues.json()) as { items: { title: string }[] };
    expect(items.map((i) => i.title)).toEqual(['still here after the fuzzing']);
  });
});
