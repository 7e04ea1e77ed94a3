// OTLP/HTTP bodies with Content-Encoding zstd, as a Collector's otlphttp exporter with
// `compression: zstd` sends them, from fixtures the zstd CLI made (src/ingest/testdata/zstd):
// read whole behind a large window, and refused in OTLP's shape (stored as the same body gzipped
// is, and read back over the REST API: otlp-codings.test.ts).
import { codedFixture, LIFTED_BUDGET } from '../ingest/testdata/coded-bodies';
import { zstdThreads } from '../ingest/zstd-worker';
import {
  BATCH_OF_1000,
  batchOf,
  JSON_TYPE,
  type OtlpCapture,
  PROTOBUF,
  startOtlpCapture,
} from '../testing/otlp-capture';

const fixture = (name: string) => codedFixture('zstd', name);

let otlp: OtlpCapture;

beforeAll(async () => {
  // The decoding thread's time budget lifted (otlp-zstd-worker.test.ts and zstd.test.ts test
  // it): it is wall-clock time, and on a loaded 2-core machine a block of batch.json.zst took over
  // the 250 ms a block is allowed, and the bomb's first 8 MiB over the 1.25 s they are allowed,
  // each a 400 for a body these tests send for what it holds.
  const decompress = zstdThreads.decompress.bind(zstdThreads);
  zstdThreads.decompress = (bounds) => decompress({ ...bounds, budget: LIFTED_BUDGET });
  otlp = await startOtlpCapture();
});

afterAll(() => otlp.close());

const send = (type: string, encoding: string, body: Buffer) => otlp.send(type, encoding, body);

describe('an OTLP body compressed with zstd', () => {
  it('behind an 8 MiB window over three blocks, is stored whole', async () => {
    const { res, stored: batch } = await send(JSON_TYPE, 'zstd', fixture('batch.json.zst'));
    expect([res.status, res.text]).toEqual([200, '{}']);
    expect(batchOf(batch)).toEqual(BATCH_OF_1000);
  });
});

describe('an OTLP body zstd cannot read', () => {
  it('is a 400 google.rpc.Status naming zstd, in JSON and protobuf', async () => {
    // Byte 400 of traces.json.zst is in its sequences: fzstd decodes other bytes, and the
    // frame's checksum (b908d658) tells.
    const json = Buffer.from(fixture('traces.json.zst'));
    json[400] = json[400]! ^ 0xff;
    const { res, stored: none } = await send(JSON_TYPE, 'zstd', json);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      code: 3,
      message: expect.stringMatching(
        /^cannot read the body \(zstd\): frame 1 stores the checksum b908d658, but its content hashes to [0-9a-f]{8}$/,
      ),
    });
    expect(none.operations).toEqual([]);
    const proto = await otlp.sendProtobuf('zstd', fixture('traces.pb.zst').subarray(0, 200));
    expect([proto.status, proto.type, proto.rpc]).toEqual([
      400,
      PROTOBUF,
      {
        code: 3,
        message: 'cannot read the body (zstd): the body ends inside a zstd frame',
      },
    ]);
  });

  it('is a 413 at 100 MB decompressed for a bomb, as gzip is, and the connection closes', async () => {
    const { res } = await send(JSON_TYPE, 'zstd', fixture('zeros-1gib.zst'));
    expect([res.status, res.headers.connection, JSON.parse(res.text)]).toEqual([
      413,
      'close',
      { code: 3, message: 'request body exceeds the 100 MB limit once decompressed' },
    ]);
  });

  it('is a 415 for the codings left unread, naming those read in Accept-Encoding', async () => {
    // snappy, x-snappy-framed (otlp-snappy.test.ts) and lz4 (otlp-lz4.test.ts) are read now;
    // `compress` (LZW), which no Collector sends, stands for the codings left unread.
    for (const encoding of ['compress']) {
      const { res } = await send(JSON_TYPE, encoding, Buffer.from('{}'));
      expect([encoding, res.status, res.headers['accept-encoding'], JSON.parse(res.text)]).toEqual([
        encoding,
        415,
        'gzip, deflate, br, zlib, zstd, snappy, x-snappy-framed, lz4',
        {
          code: 3,
          message: `unsupported Content-Encoding "${encoding}" (gzip, deflate, br, zlib, zstd, snappy, x-snappy-framed, lz4)`,
        },
      ]);
    }
  });
});
