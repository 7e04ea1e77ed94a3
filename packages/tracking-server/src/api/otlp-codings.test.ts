// OTLP/HTTP bodies in each Content-Encoding a Collector's otlphttp exporter sends beyond gzip,
// from fixtures each coding's own tools made (src/ingest/testdata/<coding>/README.md): stored as
// the same body gzipped is, and read back over a tracker's REST API. What each coding refuses and
// its limits are in its own file (otlp-zstd, otlp-snappy, otlp-lz4).
import { gzipSync } from 'node:zlib';
import { codedFixture, plainFixture } from '../ingest/testdata/coded-bodies';
import { JSON_TYPE, type OtlpCapture, PROTOBUF, startOtlpCapture } from '../testing/otlp-capture';
import { rawPost } from '../testing/raw-post';
import { startTestTracker } from '../testing/test-tracker';
import {
  readBackSession,
  TRACES_FIXTURE_IDS,
  TRACES_FIXTURE_SESSION,
} from '../testing/traces-fixture';

let otlp: OtlpCapture;

beforeAll(async () => {
  otlp = await startOtlpCapture();
});

afterAll(() => otlp.close());

/** Each coding, its fixtures' folder, and zstd/traces.json and zstd/traces.pb in it. */
const CODINGS: [encoding: string, folder: string, json: string, protobuf: string][] = [
  ['zstd', 'zstd', 'traces.json.zst', 'traces.pb.zst'],
  ['snappy', 'snappy', 'traces.json.snappy', 'traces.pb.snappy'], // the block format
  ['x-snappy-framed', 'snappy', 'traces.json.sz', 'traces.pb.sz'],
  ['lz4', 'lz4', 'traces.json.lz4', 'traces.pb.lz4'],
];

describe.each(CODINGS)('an OTLP body in %s', (encoding, folder, json, protobuf) => {
  it('in JSON is stored as the same body gzipped is', async () => {
    const coded = await otlp.send(JSON_TYPE, encoding, codedFixture(folder, json));
    expect([coded.res.status, coded.res.headers['content-type'], coded.res.text]).toEqual([
      200,
      JSON_TYPE,
      '{}',
    ]);
    const gzip = await otlp.send(JSON_TYPE, 'gzip', gzipSync(plainFixture('traces.json')));
    expect(gzip.res.status).toBe(200);
    expect(coded.stored).toEqual(gzip.stored);
    // What traces.json holds (testdata/zstd/README.md).
    expect(
      coded.stored.operations.map((o) => [o.service, o.name, o.correlationId, o.parentSpanId]),
    ).toEqual([
      ['zstd-checkout', 'POST /checkout', 'zstd-json-1', undefined],
      ['zstd-checkout', 'SELECT orders', 'zstd-json-1', '5a5a000000000001'],
    ]);
    expect(coded.stored.memory.map((m) => [m.correlationId, m.rss, m.heapUsed])).toEqual([
      ['zstd-json-1', 104857600, 52428800],
    ]);
  });

  it('in protobuf is stored as the same body gzipped is', async () => {
    const coded = await otlp.send(PROTOBUF, encoding, codedFixture(folder, protobuf));
    // An ExportTraceServiceResponse with no partial_success is no bytes at all.
    expect([coded.res.status, coded.res.headers['content-type'], coded.res.text]).toEqual([
      200,
      PROTOBUF,
      '',
    ]);
    const gzip = await otlp.send(PROTOBUF, 'gzip', gzipSync(plainFixture('traces.pb')));
    expect(gzip.res.status).toBe(200);
    expect(coded.stored).toEqual(gzip.stored);
    expect(coded.stored.operations.map((o) => [o.name, o.correlationId])).toEqual([
      ['POST /checkout', 'zstd-proto-1'],
      ['SELECT orders', 'zstd-proto-1'],
    ]);
    expect(coded.stored.memory.map((m) => [m.rss, m.heapUsed])).toEqual([[104857600, 52428800]]);
  });

  it('in JSON and protobuf is read back over the REST API of a tracker', async () => {
    // Kept for good (retentionDays 0): the fixtures' spans are dated 2026-12-03.
    const setup = await startTestTracker(`otlp-${encoding}`, { shop: { retentionDays: 0 } });
    try {
      for (const [type, name] of [
        [JSON_TYPE, json],
        [PROTOBUF, protobuf],
      ] as const) {
        const res = await rawPost(`${setup.tracker.url}/v1/traces`, codedFixture(folder, name), {
          'content-type': type,
          'content-encoding': encoding,
          authorization: `Bearer ${setup.projects.shop.key}`,
        });
        // No partial success: `{}` in JSON, no bytes in protobuf.
        expect([name, res.status, res.text]).toEqual([name, 200, type === JSON_TYPE ? '{}' : '']);
      }
      for (const id of TRACES_FIXTURE_IDS)
        expect([id, await readBackSession(setup.tracker.url, id)]).toEqual([
          id,
          TRACES_FIXTURE_SESSION,
        ]);
    } finally {
      await setup.close();
    }
  });
});
