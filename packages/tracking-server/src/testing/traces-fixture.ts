// The two sessions in the traces fixtures each OTLP coding's tests send (testdata/zstd/traces.json
// and traces.pb, compressed by each coding's own tools), and reading one back over the REST API.

/** The session of traces.json and of traces.pb. */
export const TRACES_FIXTURE_IDS = ['zstd-json-1', 'zstd-proto-1'] as const;

/** What each of them holds, written by hand from testdata/zstd/README.md, in readBackSession's terms. */
export const TRACES_FIXTURE_SESSION = {
  status: 200,
  services: ['zstd-checkout'],
  operations: 2,
  names: ['POST /checkout', 'SELECT orders'],
  httpStatus: [201, undefined],
  memory: [[104857600, 52428800]],
};

/** Session `id` from `GET /api/v1/sessions/{id}` of a test tracker (its API token `t`). */
export async function readBackSession(trackerUrl: string, id: string) {
  const res = await fetch(`${trackerUrl}/api/v1/sessions/${id}`, {
    headers: { authorization: 'Bearer t' },
  });
  if (res.status !== 200) return { status: res.status, body: await res.text() };
  const session = (await res.json()) as {
    services: string[];
    operations: number;
    timeline: { name: string; attributes: Record<string, unknown> }[];
    memory: { rss: number; heapUsed: number }[];
  };
  return {
    status: res.status,
    services: session.services,
    operations: session.operations,
    names: session.timeline.map((o) => o.name),
    httpStatus: session.timeline.map((o) => o.attributes['http.status_code']),
    memory: session.memory.map((m) => [m.rss, m.heapUsed]),
  };
}
