// What /metrics counts as stored is what the store kept: an event, a span or a transaction sent
// again (an SDK's or exporter's retry) is stored once, and counted once, as the REST API counts
// it. Through a tracker as `serve` runs it, its writes on the writer thread.
import type { Project } from './projects';
import { startTestTracker, type TestTracker } from './testing/test-tracker';
import { apiGet, metricsText } from './testing/tracker-reads';

let setup: TestTracker<'web'>;
let project: Project;

beforeAll(async () => {
  setup = await startTestTracker('ingest-counts', { web: {} });
  project = setup.projects.web;
});

afterAll(() => setup?.close());

/** The sum of every series of `metric` whose labels hold `label`, 0 while there is none. */
async function counted(metric: string, label: string): Promise<number> {
  const text = await metricsText(setup.tracker.url);
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${metric}{`) && line.includes(label))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

const envelope = (body: string) =>
  fetch(`${setup.tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`, {
    method: 'POST',
    body,
  });

const eventId = (n: number) => `c0${n}`.padEnd(32, '0');
/** An envelope of one error of service `dup-count`, titled `title`. */
const errorEnvelope = (n: number, title: string) =>
  `{"event_id":"${eventId(n)}"}\n{"type":"event"}\n${JSON.stringify({
    event_id: eventId(n),
    level: 'error',
    message: title,
    tags: { service: 'dup-count' },
  })}\n`;

/** The event count the REST API gives the one issue titled `title`. */
async function issueCount(title: string): Promise<number[]> {
  const res = await apiGet(setup.tracker.url, `/issues?q=${encodeURIComponent(title)}`);
  return ((await res.json()) as { items: { count: number }[] }).items.map((i) => i.count);
}

it('counts an event sent three times once, one after another or all at once, as the API counts it', async () => {
  const events = () => counted('beacon_tracker_events_ingested_total', 'service="dup-count"');
  const issues = () => counted('beacon_tracker_new_issues_total', 'service="dup-count"');
  const before = [await events(), await issues()];
  for (let i = 0; i < 3; i++) {
    const res = await envelope(errorEnvelope(1, 'sent again in turn'));
    // Each sending is answered as taken, with its id.
    expect([res.status, await res.text()]).toEqual([200, `{"id":"${eventId(1)}"}`]);
  }
  // At once: one group commit, or several, whichever the writer makes of them.
  const answers = await Promise.all(
    [0, 1, 2].map(async () => {
      const res = await envelope(errorEnvelope(2, 'sent again at once'));
      return [res.status, await res.text()];
    }),
  );
  expect(answers).toEqual(Array(3).fill([200, `{"id":"${eventId(2)}"}`]));
  // The legacy store endpoint answers a duplicate with its id too.
  for (let i = 0; i < 2; i++) {
    const res = await fetch(
      `${setup.tracker.url}/api/${project.id}/store/?sentry_key=${project.key}`,
      {
        method: 'POST',
        body: JSON.stringify({
          event_id: eventId(3),
          message: 'sent again to store',
          tags: { service: 'dup-count' },
        }),
      },
    );
    expect([res.status, await res.text()]).toEqual([200, `{"id":"${eventId(3)}"}`]);
  }
  expect([await events(), await issues()]).toEqual([before[0]! + 3, before[1]! + 3]);
  expect(await issueCount('sent again in turn')).toEqual([1]);
  expect(await issueCount('sent again at once')).toEqual([1]);
  expect(await issueCount('sent again to store')).toEqual([1]);
});

it('counts each span of an OTLP request sent three times once, and a transaction sent twice once', async () => {
  const spans = (service: string) =>
    counted('beacon_tracker_spans_ingested_total', `service="${service}"`);
  const before = [await spans('otlp-dup'), await spans('otlp-renamed'), await spans('tx-dup')];
  const start = BigInt(Date.now() - 1_000) * 1_000_000n;
  const span = (spanId: string) => ({
    traceId: 'd0'.repeat(16),
    spanId,
    name: 'GET /again',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 5_000_000n),
  });
  const post = (service: string) =>
    fetch(`${setup.tracker.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeSpans: [{ spans: [span('1'.repeat(16)), span('2'.repeat(16))] }],
          },
        ],
      }),
    });
  for (let i = 0; i < 3; i++) expect((await post('otlp-dup')).status).toBe(200);
  // The same spans from another exporter, naming the service otherwise: they replace their copies
  // (the session lists them under it), and are the same operations, not new ones.
  expect((await post('otlp-renamed')).status).toBe(200);

  const end = Date.now() / 1000;
  const tx = JSON.stringify({
    type: 'transaction',
    transaction: 'GET /tx-again',
    start_timestamp: end - 0.2,
    timestamp: end,
    tags: { service: 'tx-dup' },
    contexts: { trace: { trace_id: 'd1'.repeat(16), span_id: 'e1'.repeat(8) } },
    spans: [
      {
        trace_id: 'd1'.repeat(16),
        span_id: 'f1'.repeat(8),
        start_timestamp: end - 0.1,
        timestamp: end,
      },
    ],
  });
  for (let i = 0; i < 2; i++)
    expect((await envelope(`{}\n{"type":"transaction"}\n${tx}\n`)).status).toBe(200);

  expect([await spans('otlp-dup'), await spans('otlp-renamed'), await spans('tx-dup')]).toEqual([
    before[0]! + 2,
    before[1]!,
    before[2]! + 2,
  ]);
  const session = await (await apiGet(setup.tracker.url, `/sessions/${'d0'.repeat(16)}`)).json();
  expect((session as { timeline: { service: string }[] }).timeline.map((o) => o.service)).toEqual([
    'otlp-renamed',
    'otlp-renamed',
  ]);
});
