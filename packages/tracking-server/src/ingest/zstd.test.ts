// Request bodies with Content-Encoding zstd, read by readBody over real HTTP as OTLP reads them,
// from fixtures the zstd CLI made (testdata/zstd/README.md) and from hand-built frames that
// take fzstd where it has no bounds of its own.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { BodyBudget, BodyError, LIMITS, readBody } from './body';
import { rawPost } from '../testing/raw-post';
import { createZstdDecompress, DECODE_BUDGET, type ZstdBounds, ZstdLimitError } from './zstd';
import { ZstdThreads, zstdThreads } from './zstd-worker';
import {
  bodyMutation,
  decodeParts,
  LIFTED_BUDGET,
  mutated,
  slowZstdBlock,
  split,
  STARVED,
} from './testdata/coded-bodies';

const fixture = (name: string) => readFileSync(join(__dirname, 'testdata', 'zstd', name));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MB = 1024 * 1024;

let server: Server;
let url: string;
let budget: BodyBudget;

/** The time budget the bodies posted here are decoded within: DECODE_BUDGET where tested. */
let decodeBudget: NonNullable<ZstdBounds['budget']>;

beforeAll(async () => {
  // readBody decodes on the shared threads; each body it starts is given decodeBudget.
  const decompress = zstdThreads.decompress.bind(zstdThreads);
  zstdThreads.decompress = (bounds) => decompress({ ...bounds, budget: decodeBudget });
  server = createServer((req, res) => {
    const hold = budget.hold();
    readBody(req, LIMITS, 'request body', hold, true).then(
      (body) => {
        hold.release();
        res.end(JSON.stringify({ bytes: body.length, sha256: sha256(body) }));
      },
      (err: unknown) => {
        hold.release();
        req.resume();
        const status = err instanceof BodyError ? err.status : 500;
        res.writeHead(status, { connection: 'close' });
        res.end(err instanceof Error ? err.message : String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

beforeEach(() => {
  budget = new BodyBudget();
  decodeBudget = LIFTED_BUDGET;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (body: Buffer | readonly Buffer[], encoding = 'zstd') =>
  rawPost(url, body, { 'content-encoding': encoding });

/** An answer's status and text. */
const refusal = (res: { status: number; text: string }) => [res.status, res.text];
/**
 * A body refused for its time on a machine too busy to give its decoding thread a CPU: a 503 to
 * send again rather than the 400 for a body that had one (zstd-starved.test.ts has each); the
 * answer as it must then read, or undefined for any other status.
 */
const starved = (res: { status: number }) =>
  res.status === 503 ? [503, expect.stringMatching(STARVED)] : undefined;

const read = (b: Uint8Array) => ({
  status: 200,
  text: JSON.stringify({ bytes: b.length, sha256: sha256(b) }),
});

describe('Content-Encoding zstd', () => {
  it('reads each body to the bytes the zstd CLI compressed', async () => {
    for (const [zst, plain] of [
      ['traces.json.zst', 'traces.json'],
      ['traces.pb.zst', 'traces.pb'],
    ] as const) {
      const res = await post(fixture(zst));
      expect([zst, res.status, res.text]).toEqual([zst, ...Object.values(read(fixture(plain)))]);
    }
    // Three blocks behind an 8 MiB window; its length and sha256 as the README gives them.
    const batch = await post(fixture('batch.json.zst'));
    expect([batch.status, JSON.parse(batch.text)]).toEqual([
      200,
      {
        bytes: 390586,
        sha256: '6295c05b8553bd448cccc820be07118953c5812376c99e09d7705d8666896ccc',
      },
    ]);
    expect(budget.bytes).toBe(0);
  });

  it('reads frames one after another, a skippable frame among them, and a body sent in small chunks', async () => {
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 7, 7, 7]);
    const body = Buffer.concat([fixture('traces.pb.zst'), skippable, fixture('traces.json.zst')]);
    const res = await post(body);
    expect([res.status, res.text]).toEqual(
      Object.values(read(Buffer.concat([fixture('traces.pb'), fixture('traces.json')]))),
    );
    const pieces = Array.from({ length: Math.ceil(body.length / 7) }, (_, i) =>
      body.subarray(i * 7, i * 7 + 7),
    );
    const chunked = await post(pieces);
    expect([chunked.status, chunked.text]).toEqual([res.status, res.text]);
  });

  it('refuses a bomb with 413 at 100 MB, never inflating its 1 GiB', async () => {
    const bomb = fixture('zeros-1gib.zst');
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const started = Date.now();
    const res = await post(bomb);
    const took = Date.now() - started;
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect([res.status, res.text]).toEqual([
      413,
      'request body exceeds the 100 MB limit once decompressed',
    ]);
    // 100 MB decoded (as a gzip body at the limit is) and its 2 MiB window, not 1 GiB.
    expect(peak - before).toBeLessThan(256 * MB);
    expect(took).toBeLessThan(10_000);
    expect(budget.bytes).toBe(0);
  });

  it('refuses a frame that declares a size past 100 MB with 413 before decoding any of it', async () => {
    // Magic; descriptor 0x80: a 4-byte content size; window 0x58 (2 MiB); 209,715,200 bytes.
    // No block follows: the header alone is refused.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x58, 0x00, 0x00, 0x80, 0x0c]);
    const res = await post(header);
    expect([res.status, res.text]).toEqual([
      413,
      'request body exceeds the 100 MB limit once decompressed',
    ]);
  });

  it('refuses a window over RFC 9659’s 8 MiB, and a dictionary, with 400 before fzstd allocates it', async () => {
    const wide = await post(fixture('window-16mib.zst'));
    expect([wide.status, wide.text]).toEqual([
      400,
      'cannot read the body (zstd): a frame needs a window of 16 MiB; the zstd content coding allows at most 8 MiB (RFC 9659)',
    ]);
    // Descriptor 0x21: a single segment of 5 bytes (1-byte size), compressed with dictionary 7.
    const dictionary = Buffer.from([
      0x28, 0xb5, 0x2f, 0xfd, 0x21, 0x07, 0x05, 0x29, 0, 0, 1, 2, 3, 4, 5,
    ]);
    const res = await post(dictionary);
    expect([res.status, res.text]).toEqual([
      400,
      'cannot read the body (zstd): a frame needs zstd dictionary 7, which is not known here',
    ]);
  });

  it('takes a frame’s window from the bodies held at once: 503 when it does not fit', async () => {
    budget = new BodyBudget(4 * MB);
    const res = await post(fixture('batch.json.zst'));
    expect([res.status, res.text]).toEqual([
      503,
      'the tracker is holding as many request bodies as it may at once (4 MB); send it again shortly',
    ]);
    expect(budget.bytes).toBe(0);
    // 8 MiB of window and 390,586 bytes of body fit in 9 MB.
    budget = new BodyBudget(9 * MB);
    expect((await post(fixture('batch.json.zst'))).status).toBe(200);
  });

  it('refuses a truncated, empty or other body with 400 naming zstd', async () => {
    const cases: [string, Buffer, string][] = [
      ['gzip', gzipSync('{}'), 'not a zstd frame: it begins 1f8b0800, not 28b52ffd'],
      ['truncated', fixture('traces.pb.zst').subarray(0, 100), 'the body ends inside a zstd frame'],
      ['empty', Buffer.alloc(0), 'the body holds no zstd frame'],
    ];
    for (const [what, body, message] of cases) {
      const res = await post(body);
      expect([what, res.status, res.text]).toEqual([
        what,
        400,
        `cannot read the body (zstd): ${message}`,
      ]);
    }
  });

  it('refuses a corrupt body with 400, what fzstd decodes without error by its checksum', async () => {
    // traces.json.zst: a 464-byte frame, its checksum b908d658 in the last 4 bytes.
    const corrupt = (at: number) => {
      const body = Buffer.from(fixture('traces.json.zst'));
      body[at] = body[at]! ^ 0xff;
      return post(body);
    };
    // Byte 20, in the block's Huffman table: fzstd finds it.
    expect(await corrupt(20)).toMatchObject({
      status: 400,
      text: 'cannot read the body (zstd): invalid zstd data',
    });
    // Byte 400, in its sequences, and byte 461, in the checksum: fzstd decodes 1,810 bytes as
    // ever, which are not what was compressed, or do not match what is stored.
    for (const at of [400, 461]) {
      const res = await corrupt(at);
      expect([at, res.status]).toEqual([at, 400]);
      expect(res.text).toMatch(
        /^cannot read the body \(zstd\): frame 1 stores the checksum [0-9a-f]{8}, but its content hashes to [0-9a-f]{8}$/,
      );
    }
    expect((await corrupt(461)).text).toContain('but its content hashes to b908d658');
  });

  it('stops a block whose sequences write far past its end (fzstd runs them all) at 250 ms, with 400', async () => {
    // 655 MB of copies into a 128 KiB block (coded-bodies.ts): fzstd took 2 s.
    decodeBudget = DECODE_BUDGET;
    const body = slowZstdBlock();
    const started = Date.now();
    const res = await post(body);
    expect(refusal(res)).toEqual(
      starved(res) ?? [
        400,
        'cannot read the body (zstd): decoding one block took over 250 ms, the time a block is allowed',
      ],
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    // The tracker reads the next body as ever.
    decodeBudget = LIFTED_BUDGET;
    expect((await post(fixture('traces.pb.zst'))).status).toBe(200);
  });

  it('stops a body of one-byte blocks, each shifting its 8 MiB window, at the time budget', async () => {
    // 200,000 raw blocks of one byte (header (1 << 3) | 0 | last): 800 KB that would take fzstd
    // ~20 s of window copies.
    decodeBudget = DECODE_BUDGET;
    const blocks = Buffer.alloc(200_000 * 4);
    for (let i = 0; i < 200_000; i++)
      blocks.set([0x08 | (i === 199_999 ? 1 : 0), 0, 0, 0x61], i * 4);
    const body = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x68]), blocks]);
    const started = Date.now();
    const res = await post(body);
    // Alone each block takes a few ms, and the body's second runs out; on a loaded machine one
    // block may be held past its own 250 ms first, the same refusal by the other clock.
    expect(refusal(res)).toEqual(
      starved(res) ?? [
        400,
        expect.stringMatching(
          /^cannot read the body \(zstd\): decoding (took over 10\d\d ms, the time \d+ bytes out are allowed|one block took over 250 ms, the time a block is allowed)$/,
        ),
      ],
    );
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('is read on Sentry’s paths too, as Relay reads it', async () => {
    const sentry = createServer((req, res) => {
      readBody(req).then(
        (body) => res.end(body),
        (err: BodyError) => {
          res.writeHead(err.status);
          res.end(err.message);
        },
      );
    });
    await new Promise<void>((resolve) => sentry.listen(0, '127.0.0.1', resolve));
    const res = await rawPost(
      `http://127.0.0.1:${(sentry.address() as AddressInfo).port}/`,
      fixture('traces.json.zst'),
      { 'content-encoding': 'zstd' },
    );
    await new Promise<void>((resolve) => sentry.close(() => resolve()));
    expect([res.status, res.text]).toEqual([200, fixture('traces.json').toString('utf8')]);
  });
});

describe('the zstd decoder, fed any bytes', () => {
  const KNOWN = [
    /^not a zstd frame: it begins [0-9a-f]{8}, not 28b52ffd$/,
    /^a zstd frame header sets its reserved bit$/,
    /^a zstd block has the reserved block type 3$/,
    /^a zstd block of \d+ bytes, over the format's 128 KiB$/,
    /^the body ends inside a zstd frame$/,
    /^the body holds no zstd frame$/,
    /^a frame needs a window of .+; the zstd content coding allows at most 8 MiB \(RFC 9659\)$/,
    /^a frame needs zstd dictionary \d+, which is not known here$/,
    // fzstd's own (ZstdErrorCode), and what it threw otherwise.
    /^(invalid zstd data|invalid block type|FSE accuracy too high|match distance too far back|unexpected EOF)$/,
    /^decoding took over \d+ ms, the time \d+ bytes out are allowed$/,
    /^decoding one block took over \d+ ms, the time a block is allowed$/,
    // The same budget run out while the machine gave the thread little of it.
    STARVED,
    /^frame \d+ stores the checksum [0-9a-f]{8}, but its content hashes to [0-9a-f]{8}$/,
  ];

  // The decoder as ingest runs it, on its own thread (zstd-worker.ts), and on the calling one.
  const threads = new ZstdThreads();
  afterAll(() => threads.close());
  const decoders: [string, (bounds: ZstdBounds) => NodeJS.ReadWriteStream][] = [
    ['on its thread', (bounds) => threads.decompress(bounds)],
    ['in process', createZstdDecompress],
  ];

  /** What the decoder makes of `pieces`, at most 1 MB, in the time `budget` gives. */
  function decode(
    pieces: Uint8Array[],
    budget: { baseMs: number; perMbMs: number; blockMs: number } = DECODE_BUDGET,
    decompress: (bounds: ZstdBounds) => NodeJS.ReadWriteStream = createZstdDecompress,
  ): Promise<Buffer | Error> {
    return decodeParts(decompress({ maxOutput: MB, budget }), pieces);
  }

  it('stops its own output inside the block that crosses its limit', async () => {
    const decoder = createZstdDecompress({ maxOutput: 10 * MB + 1 });
    let out = 0;
    decoder.on('data', (b: Buffer) => (out += b.length));
    await expect(pipeline(Readable.from([fixture('zeros-1gib.zst')]), decoder)).rejects.toThrow(
      ZstdLimitError,
    );
    // 80 blocks of 128 KiB are 10 MiB; the 81st crosses the limit and is not given out.
    expect(out).toBe(10 * MB);
  });

  it.each(decoders)(
    'gives the same bytes however a body is split, %s (200 splits)',
    async (_, decompress) => {
      const bodies = ['traces.json.zst', 'traces.pb.zst', 'batch.json.zst'].map(fixture);
      // The time budget lifted: it is not what is tested here.
      const plain = await Promise.all(bodies.map((b) => decode([b], LIFTED_BUDGET)));
      expect(plain.map((p) => (p instanceof Error ? p.message : sha256(p)))).toEqual([
        sha256(fixture('traces.json')),
        sha256(fixture('traces.pb')),
        '6295c05b8553bd448cccc820be07118953c5812376c99e09d7705d8666896ccc',
      ]);
      await fc.assert(
        fc.asyncProperty(fc.nat(2), fc.array(fc.nat(), { maxLength: 40 }), async (i, cuts) => {
          const got = await decode(split(bodies[i]!, cuts), LIFTED_BUDGET, decompress);
          expect(got instanceof Error ? got.message : sha256(got)).toBe(sha256(plain[i] as Buffer));
        }),
        { numRuns: 200 },
      );
    },
  );

  it.each(decoders)(
    'reads a mutated body, or refuses it naming why, within its time, %s (1k mutations)',
    async (_, decompress) => {
      const bodies = ['traces.json.zst', 'traces.pb.zst', 'batch.json.zst'].map(fixture);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(2),
          fc.array(bodyMutation, { minLength: 1, maxLength: 4 }),
          fc.array(fc.nat(), { maxLength: 5 }),
          async (i, mutations, cuts) => {
            const body = mutated(bodies[i]!, mutations);
            const started = Date.now();
            const got = await decode(
              split(body, cuts),
              { baseMs: 50, perMbMs: 20, blockMs: 50 },
              decompress,
            );
            // 50 ms of budget; CI runs four times slower than alone.
            expect(Date.now() - started).toBeLessThan(1_000);
            if (!(got instanceof Error)) expect(got.length).toBeLessThanOrEqual(MB);
            else if (!(got instanceof ZstdLimitError)) {
              const { message } = got;
              expect([message, KNOWN.some((k) => k.test(message))]).toEqual([message, true]);
            }
          },
        ),
        { numRuns: 1_000 },
      );
    },
  );
});
