// OTLP/HTTP bodies in each Content-Encoding a Collector's otlphttp exporter sends beyond gzip,
// from fixtures each coding's own tools made (src/ingest/testdata/<coding>/README.md): stored as
// the same body gzipped is. What each coding refuses, its limits and its round trip through the
// REST API are in its own file (otlp-zstd, otlp-snappy, otlp-lz4).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_SETTINGS, type Project } from '../projects';
import { type OtlpCapture, startOtlpCapture } from '../testing/otlp-capture';

jest.setTimeout(60_000);

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'ingest', 'testdata', name));
/** When the fixtures' spans ended, and a little after: neither ahead nor expired. */
const NOW = 1796293444722;
const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'shop', key: 'k1' };
const JSON_TYPE = 'application/json';
const PROTOBUF = 'application/x-protobuf';

let otlp: OtlpCapture;

beforeAll(async () => {
  otlp = await startOtlpCapture(project, NOW);
});

afterAll(() => otlp.close());

/** Each coding, and zstd/traces.json and zstd/traces.pb in it. */
const CODINGS: [encoding: string, json: string, protobuf: string][] = [
  ['zstd', 'zstd/traces.json.zst', 'zstd/traces.pb.zst'],
  ['snappy', 'snappy/traces.json.snappy', 'snappy/traces.pb.snappy'], // the block format
  ['x-snappy-framed', 'snappy/traces.json.sz', 'snappy/traces.pb.sz'],
  ['lz4', 'lz4/traces.json.lz4', 'lz4/traces.pb.lz4'],
];

describe.each(CODINGS)('an OTLP body in %s', (encoding, json, protobuf) => {
  it('in JSON is stored as the same body gzipped is', async () => {
    const coded = await otlp.send(JSON_TYPE, encoding, fixture(json));
    expect([coded.res.status, coded.res.headers['content-type'], coded.res.text]).toEqual([
      200,
      JSON_TYPE,
      '{}',
    ]);
    const gzip = await otlp.send(JSON_TYPE, 'gzip', gzipSync(fixture('zstd/traces.json')));
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
    const coded = await otlp.send(PROTOBUF, encoding, fixture(protobuf));
    // An ExportTraceServiceResponse with no partial_success is no bytes at all.
    expect([coded.res.status, coded.res.headers['content-type'], coded.res.text]).toEqual([
      200,
      PROTOBUF,
      '',
    ]);
    const gzip = await otlp.send(PROTOBUF, 'gzip', gzipSync(fixture('zstd/traces.pb')));
    expect(gzip.res.status).toBe(200);
    expect(coded.stored).toEqual(gzip.stored);
    expect(coded.stored.operations.map((o) => [o.name, o.correlationId])).toEqual([
      ['POST /checkout', 'zstd-proto-1'],
      ['SELECT orders', 'zstd-proto-1'],
    ]);
    expect(coded.stored.memory.map((m) => [m.rss, m.heapUsed])).toEqual([[104857600, 52428800]]);
  });
});
