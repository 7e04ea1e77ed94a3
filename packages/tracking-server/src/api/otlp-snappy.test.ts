// OTLP/HTTP bodies with Content-Encoding snappy and x-snappy-framed, as a Collector's otlphttp
// exporter with `compression: snappy` (or `x-snappy-framed`) sends them, from fixtures
// golang/snappy made (src/ingest/testdata/snappy): framed under either name, refused in OTLP's
// shape, and refused on Sentry's paths (stored as the same body gzipped is, and read back over the
// REST API: otlp-codings.test.ts).
import { BodyBudget } from '../ingest/body';
import { codedFixture } from '../ingest/testdata/coded-bodies';
import { rawPost } from '../testing/raw-post';
import {
  BATCH_OF_1000,
  batchOf,
  JSON_TYPE,
  type OtlpCapture,
  PROTOBUF,
  startOtlpCapture,
} from '../testing/otlp-capture';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

const fixture = (name: string) => codedFixture('snappy', name);
const MB = 1024 * 1024;
/** The stream identifier chunk that starts every framed body. */
const STREAM_IDENTIFIER = Buffer.from('ff060000734e61507059', 'hex');

let otlp: OtlpCapture;

beforeAll(async () => {
  otlp = await startOtlpCapture();
});

afterAll(() => otlp.close());

const send = (type: string, encoding: string, body: Buffer | Buffer[], to = otlp) =>
  to.send(type, encoding, body);

describe('an OTLP body compressed with snappy', () => {
  it('framed under `snappy`, as Collectors before v0.131 send it, is stored too', async () => {
    for (const [type, name] of [
      [JSON_TYPE, 'traces.json.sz'],
      [PROTOBUF, 'traces.pb.sz'],
    ] as const) {
      const { res, stored: got } = await send(type, 'snappy', fixture(name));
      expect([name, res.status, got.operations.length, got.memory.length]).toEqual([
        name,
        200,
        2,
        1,
      ]);
    }
  });

  it('of 1,000 spans, as a block or framed in 6 chunks and sent in pieces, is stored whole', async () => {
    for (const [encoding, name] of [
      ['snappy', 'batch.json.snappy'],
      ['x-snappy-framed', 'batch.json.sz'],
    ] as const) {
      const body = fixture(name);
      const pieces = [body.subarray(0, 7), body.subarray(7, 20_000), body.subarray(20_000)];
      const { res, stored: batch } = await send(JSON_TYPE, encoding, pieces);
      expect([name, res.status, res.text]).toEqual([name, 200, '{}']);
      expect(batchOf(batch)).toEqual(BATCH_OF_1000);
    }
  });
});

describe('an OTLP body snappy cannot read', () => {
  it('is a 400 google.rpc.Status naming the coding and the problem, in JSON and protobuf', async () => {
    // traces.json.sz's one chunk stores the checksum 5cede6a0 at byte 14.
    const json = Buffer.from(fixture('traces.json.sz'));
    json[14]! ^= 0x01;
    const { res, stored: none } = await send(JSON_TYPE, 'x-snappy-framed', json);
    expect([res.status, res.headers['content-type'], JSON.parse(res.text)]).toEqual([
      400,
      JSON_TYPE,
      {
        code: 3,
        message:
          "cannot read the body (x-snappy-framed): chunk 2 (at byte 10) stores the checksum 0x5cede6a1, but its data's is 0x5cede6a0",
      },
    ]);
    expect(none.operations).toEqual([]);
    // A block cut at 200 bytes: byte 182 is the tag 0x4c, a literal of 20 bytes, 17 of them sent.
    const proto = await otlp.sendProtobuf('snappy', fixture('traces.pb.snappy').subarray(0, 200));
    expect([proto.status, proto.type, proto.rpc]).toEqual([
      400,
      PROTOBUF,
      {
        code: 3,
        message:
          'cannot read the body (snappy): the literal of 20 bytes at byte 182 runs past the end of the block (17 bytes left)',
      },
    ]);
    // A copy at offset 0, made by hand: 5 bytes declared, a literal "a", a copy of 4 from 0 back.
    const zero = await send(JSON_TYPE, 'snappy', Buffer.from([5, 0x00, 0x61, 0x0e, 0, 0]));
    expect([zero.res.status, JSON.parse(zero.res.text)]).toEqual([
      400,
      { code: 3, message: 'cannot read the body (snappy): the copy at byte 3 has offset 0' },
    ]);
  });

  it('is a 413 from its preamble alone when a block declares more than 100 MB', async () => {
    // 104,857,601 bytes declared (one past the limit), and no more sent.
    const { res } = await send(JSON_TYPE, 'snappy', Buffer.from([0x81, 0x80, 0x80, 0x32, 0x00]));
    expect([res.status, res.headers.connection, JSON.parse(res.text)]).toEqual([
      413,
      'close',
      { code: 3, message: 'request body exceeds the 100 MB limit once decompressed' },
    ]);
  });

  it('is a 413 at 100 MB decompressed for a framed body of 1,601 chunks of 64 KiB', async () => {
    // zeros-64kib.sz: 65,536 zeros in one chunk of 3,085 bytes; 1,601 are 4.9 MB.
    const chunk = fixture('zeros-64kib.sz').subarray(STREAM_IDENTIFIER.length);
    const body = Buffer.concat([STREAM_IDENTIFIER, ...Array<Buffer>(1601).fill(chunk)]);
    const { res } = await send(JSON_TYPE, 'x-snappy-framed', body);
    expect([res.status, res.headers.connection, JSON.parse(res.text)]).toEqual([
      413,
      'close',
      { code: 3, message: 'request body exceeds the 100 MB limit once decompressed' },
    ]);
  });

  it('is a 503 to send again when the bodies held at once cannot take what a block declares', async () => {
    const small = await startOtlpCapture(new BodyBudget(1 * MB));
    try {
      // batch.json.snappy: 43,907 bytes that declare 392,588, within 1 MB.
      const fits = await send(JSON_TYPE, 'snappy', fixture('batch.json.snappy'), small);
      expect(fits.res.status).toBe(200);
      // 2 MiB declared (preamble 0x80 0x80 0x80 0x01), under 100 MB but over the budget.
      const { res } = await send(
        JSON_TYPE,
        'snappy',
        Buffer.from([0x80, 0x80, 0x80, 0x01, 0x00, 0x61]),
        small,
      );
      expect([res.status, res.headers['retry-after'], JSON.parse(res.text)]).toEqual([
        503,
        '1',
        {
          // UNAVAILABLE, which the exporter retries.
          code: 14,
          message:
            'the tracker is holding as many request bodies as it may at once (1 MB); send it again shortly',
        },
      ]);
    } finally {
      await small.close();
    }
  });
});

describe('through the tracker', () => {
  let setup: TestTracker<'shop'>;

  beforeAll(async () => {
    setup = await startTestTracker('otlp-snappy', { shop: {} });
  });

  afterAll(() => setup?.close());

  it("keeps Sentry's paths to Relay's codings: snappy there is a 415", async () => {
    const res = await rawPost(
      `${setup.tracker.url}/api/${setup.projects.shop.id}/envelope/`,
      fixture('traces.json.snappy'),
      {
        'content-encoding': 'snappy',
        'x-sentry-auth': `Sentry sentry_key=${setup.projects.shop.key}`,
      },
    );
    expect([res.status, res.headers['accept-encoding'], res.headers['x-sentry-error']]).toEqual([
      415,
      'gzip, deflate, br, zstd',
      'unsupported Content-Encoding "snappy" (gzip, deflate, br, zstd)',
    ]);
  });
});
