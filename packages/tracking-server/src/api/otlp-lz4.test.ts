// OTLP/HTTP bodies with Content-Encoding lz4, as a Collector's otlphttp exporter with
// `compression: lz4` sends them, from fixtures github.com/pierrec/lz4/v4 and the lz4 CLI made
// (src/ingest/testdata/lz4): in blocks of each kind, and refused in OTLP's shape (stored as the
// same body gzipped is: otlp-codings.test.ts).
import { BodyBudget } from '../ingest/body';
import { codedFixture } from '../ingest/testdata/coded-bodies';
import {
  BATCH_OF_1000,
  batchOf,
  JSON_TYPE,
  type OtlpCapture,
  PROTOBUF,
  startOtlpCapture,
} from '../testing/otlp-capture';

const fixture = (name: string) => codedFixture('lz4', name);
const MB = 1024 * 1024;

let otlp: OtlpCapture;

beforeAll(async () => {
  otlp = await startOtlpCapture();
});

afterAll(() => otlp.close());

const send = (type: string, encoding: string, body: Buffer | Buffer[], to = otlp) =>
  to.send(type, encoding, body);

describe('an OTLP body compressed with lz4', () => {
  it('of 1,000 spans, in one block, in checksummed or linked 64 KB blocks, sent in pieces, is stored whole', async () => {
    for (const name of [
      'batch.json.lz4',
      'batch.json.64k-checksums.lz4',
      'batch.json.linked.lz4',
    ]) {
      const body = fixture(name);
      const pieces = [body.subarray(0, 5), body.subarray(5, 20_000), body.subarray(20_000)];
      const { res, stored: batch } = await send(JSON_TYPE, 'lz4', pieces);
      expect([name, res.status, res.text]).toEqual([name, 200, '{}']);
      expect(batchOf(batch)).toEqual(BATCH_OF_1000);
    }
  });
});

describe('an OTLP body lz4 cannot read', () => {
  it('is a 400 google.rpc.Status naming the coding and the problem, in JSON and protobuf', async () => {
    // traces.json.lz4 ends in the content checksum 0x04309384 (what xxh32sum gives traces.json).
    const json = Buffer.from(fixture('traces.json.lz4'));
    json[json.length - 4]! ^= 0x01;
    const { res, stored: none } = await send(JSON_TYPE, 'lz4', json);
    expect([res.status, res.headers['content-type'], JSON.parse(res.text)]).toEqual([
      400,
      JSON_TYPE,
      {
        code: 3,
        message:
          "cannot read the body (lz4): frame 1 stores the content checksum 0x04309385, but its content's is 0x04309384",
      },
    ]);
    expect(none.operations).toEqual([]);
    const proto = await otlp.sendProtobuf('lz4', fixture('traces.pb.lz4').subarray(0, 200));
    expect([proto.status, proto.type, proto.rpc]).toEqual([
      400,
      PROTOBUF,
      {
        code: 3,
        message: 'cannot read the body (lz4): the body ends inside frame 1, after 200 bytes',
      },
    ]);
  });

  it('is a 413 from its header alone when a frame declares more than 100 MB', async () => {
    // The header the lz4 CLI wrote for 104,857,601 zeros (--content-size), and no more.
    const header = Buffer.from('04224d186c70010040060000000075', 'hex');
    const { res } = await send(JSON_TYPE, 'lz4', header);
    expect([res.status, res.headers.connection, JSON.parse(res.text)]).toEqual([
      413,
      'close',
      { code: 3, message: 'request body exceeds the 100 MB limit once decompressed' },
    ]);
  });

  it('is a 413 at 100 MB decompressed for a frame of 26 blocks of 4 MiB', async () => {
    // zeros-4mib.lz4: a 7-byte header, one block of 16,459 bytes, the EndMark; 26 are 428 KB.
    const zeros = fixture('zeros-4mib.lz4');
    const block = zeros.subarray(7, zeros.length - 4);
    const body = Buffer.concat([zeros.subarray(0, 7), ...Array<Buffer>(26).fill(block)]);
    const { res } = await send(JSON_TYPE, 'lz4', body);
    expect([res.status, res.headers.connection, JSON.parse(res.text)]).toEqual([
      413,
      'close',
      { code: 3, message: 'request body exceeds the 100 MB limit once decompressed' },
    ]);
  });

  it('is a 503 to send again when the bodies held at once cannot take a block', async () => {
    const small = await startOtlpCapture(new BodyBudget(1 * MB));
    try {
      // 64 KB blocks fit in 1 MB; a 4 MiB block of zeros does not.
      const fits = await send(JSON_TYPE, 'lz4', fixture('batch.json.64k-checksums.lz4'), small);
      expect(fits.res.status).toBe(200);
      const { res } = await send(JSON_TYPE, 'lz4', fixture('zeros-4mib.lz4'), small);
      expect([res.status, res.headers['retry-after'], JSON.parse(res.text)]).toEqual([
        503,
        '1',
        {
          code: 14,
          message:
            'the tracker is holding as many request bodies as it may at once (1 MB); send it again shortly',
        },
      ]);
    } finally {
      await small.close();
    }
  });

  it('is a 415 for a coding still unread, listing lz4 in Accept-Encoding', async () => {
    const { res } = await send(JSON_TYPE, 'compress', Buffer.from('{}'));
    const read = 'gzip, deflate, br, zlib, zstd, snappy, x-snappy-framed, lz4';
    expect([res.status, res.headers['accept-encoding'], JSON.parse(res.text)]).toEqual([
      415,
      read,
      { code: 3, message: `unsupported Content-Encoding "compress" (${read})` },
    ]);
  });
});
