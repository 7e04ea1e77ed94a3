// Request bodies within limits: at most 20 MB as sent, 100 MB once decompressed (gzip,
// deflate, br, zstd; OTLP's zlib, snappy, x-snappy-framed and lz4 too), read streaming so an
// oversized body is refused without being buffered whole (a snappy block, decoded once whole, is
// at most the 20 MB sent).
import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Duplex } from 'node:stream';
import { Lz4Decompress, Lz4LimitError } from './lz4';
import { SnappyDecompress, SnappyLimitError } from './snappy';
import { ZstdLimitError, ZstdStarvedError } from './zstd';
import { ZstdThreadError, zstdThreads } from './zstd-worker';

export const LIMITS = {
  compressed: 20 * 1024 * 1024,
  decompressed: 100 * 1024 * 1024,
  event: 1024 * 1024,
  /**
   * Of one envelope's span items together, as Relay's max_container_size: @sentry/node's span
   * stream sends up to 1,000 spans or 5 MB in one container (each span still at most `event`).
   */
  spans: 12 * 1024 * 1024,
  /** Of one envelope's client reports together, as Relay's max_client_reports_size. */
  clientReports: 4 * 1024,
  /** Of one envelope's attachments together (Relay's max_attachments_size is 100 MB). */
  attachments: 20 * 1024 * 1024,
  /** Of all bodies being read and stored at once (BodyBudget). */
  held: 128 * 1024 * 1024,
  /**
   * Milliseconds a body may go without a byte before it is refused (408). Its bytes are held
   * from the budget until it is answered: two keyless envelopes of 200 KB, gzip of 100 MB of
   * spaces, then nothing, held the whole budget, every ingest request a 503, until Node's
   * requestTimeout cut them five minutes later.
   */
  idleMs: 30_000,
} as const;

/**
 * The content codings read, as a 415 lists them in `Accept-Encoding` (RFC 7694, as Relay does).
 * Relay reads `zstd` on every path, and current Relays send it upstream by default: a Relay in
 * front of this server got a 415 on every envelope, and dropped them.
 */
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br, zstd';

/**
 * OTLP's path also reads what the Collector's otlphttp exporter sends and its own OTLP receiver
 * reads (confighttp compression.go): `zlib` (zlib-wrapped deflate, what HTTP calls `deflate`),
 * `zstd` (zstd.ts, on Sentry's paths too), and `snappy` (the block format, or framed as older Collectors sent it, told
 * apart by the first bytes) and `x-snappy-framed` (snappy.ts), and `lz4` (the LZ4 frame format,
 * lz4.ts). Refused, every batch would be a 415, which the exporter drops for good. Sentry's
 * paths keep Relay's codings.
 */
export const OTLP_ENCODINGS = 'gzip, deflate, br, zlib, zstd, snappy, x-snappy-framed, lz4';

export class BodyError extends Error {
  constructor(
    /** 499: the client closed the connection before the body ended (nginx's "client closed request"). */
    readonly status: 400 | 408 | 413 | 415 | 499 | 503,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BodyError';
  }

  /** The rejected-requests metric's reason for it, on the Sentry and OTLP paths alike. */
  get reason(): 'too_large' | 'overloaded' | 'stalled' | 'aborted' | 'malformed' {
    switch (this.status) {
      case 413:
        return 'too_large';
      case 503:
        return 'overloaded';
      case 408:
        return 'stalled';
      case 499:
        return 'aborted';
      default:
        return 'malformed';
    }
  }
}

/**
 * The bytes of request bodies held at once, across requests: a body's from its first byte read
 * until its request is answered (it and what is parsed from it live that long). A body that would
 * take the total past the limit is refused with a 503, to be sent again. At 100 MB a body, a few
 * of the largest envelopes at once would otherwise end the process: in a 1 GiB pod V8 sizes its
 * heap at ~256 MiB, one 100 MB envelope peaked at ~600 MiB of RSS, and three at once ran the
 * heap out. Everyday events (a few KB) never come near it.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly limit: number = LIMITS.held) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /** One request's share: takes its bytes as they are read, and gives them all back on release. */
  hold(): BodyHold {
    let mine = 0;
    return {
      limit: this.limit,
      take: (bytes) => {
        if (this.held + bytes > this.limit) return false;
        this.held += bytes;
        mine += bytes;
        return true;
      },
      release: () => {
        this.held -= mine;
        mine = 0;
      },
    };
  }
}

/** What readBody holds one body to: LIMITS' sizes, and its idle time unless given. */
export type BodyLimits = Pick<typeof LIMITS, 'compressed' | 'decompressed'> & {
  readonly idleMs?: number;
};

/** Seconds a request refused for a full BodyBudget is asked to wait (`Retry-After`). */
export const RETRY_AFTER_FULL = 1;

export interface BodyHold {
  readonly limit: number;
  /** False, taking nothing, when the budget has not `bytes` left. */
  take(bytes: number): boolean;
  release(): void;
}

function decoder(
  encoding: string,
  otlp: boolean,
  decompressed: number,
  hold: BodyHold | undefined,
): Duplex | undefined {
  switch (encoding) {
    // `utf-8` is a charset, not a coding: sentry-java 2.x sends it on every request, and Relay
    // ignores it (decompression.rs, should_ignore_encoding).
    case '':
    case 'identity':
    case 'utf-8':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      // Sentry's paths keep to ACCEPTED_ENCODINGS.
      if (otlp && encoding === 'zlib') return createInflate();
      // Decoded on a thread of its own: fzstd is pure JavaScript (zstd-worker.ts).
      if (encoding === 'zstd')
        return zstdThreads.decompress({
          maxOutput: decompressed,
          ...(hold ? { takeWindow: (bytes: number) => hold.take(bytes) } : {}),
        });
      // Decoded here: linear, and a block is at most the 20 MB sent (snappy.ts).
      if (otlp && (encoding === 'snappy' || encoding === 'x-snappy-framed'))
        return new SnappyDecompress(
          {
            maxOutput: decompressed,
            ...(hold ? { take: (bytes: number) => hold.take(bytes) } : {}),
          },
          encoding === 'snappy' ? 'auto' : 'framed',
        );
      // Decoded here, a block at a time: linear, each block at most 4 MB (lz4.ts).
      if (otlp && encoding === 'lz4')
        return new Lz4Decompress({
          maxOutput: decompressed,
          ...(hold ? { take: (bytes: number) => hold.take(bytes) } : {}),
        });
      throw new BodyError(
        415,
        `unsupported Content-Encoding ${JSON.stringify(encoding)} (${otlp ? OTLP_ENCODINGS : ACCEPTED_ENCODINGS})`,
      );
  }
}

/**
 * Reads `req`'s body; `what` names it in a 413 ("envelope", "request body"). With a `hold`, the
 * bytes kept are taken from its budget as they come (the caller releases them once answered; a
 * body refused is released here at once),
 * and so is a zstd frame's window, and what a snappy or lz4 decoder holds (it takes its own output,
 * before allocating it, and the input it keeps until a block or chunk is whole). With `otlp`,
 * OTLP_ENCODINGS are read.
 */
export async function readBody(
  req: IncomingMessage,
  limits: BodyLimits = LIMITS,
  what = 'envelope',
  hold?: BodyHold,
  otlp = false,
): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decode = decoder(encoding, otlp, limits.decompressed, hold);
  // Its output is taken from the hold by the decoder itself, not again here.
  const decoderHolds = decode instanceof SnappyDecompress || decode instanceof Lz4Decompress;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.compressed) {
    throw new BodyError(
      413,
      `${what} exceeds the ${limits.compressed / 1048576} MB limit on request bodies`,
    );
  }
  // Read by events, not `for await`: leaving an async iterator destroys the request — and
  // with it the connection — before the 413 can be answered.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let raw = 0;
    let size = 0;
    let settled = false;
    const source: NodeJS.ReadableStream = decode ?? req;
    const idleMs = limits.idleMs ?? LIMITS.idleMs;
    const idle = setTimeout(() => stop(stalled()), idleMs);
    const stalled = () =>
      new BodyError(408, `the ${what} stalled: no bytes for ${idleMs / 1000} s before its end`);
    const stop = (err: BodyError) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      if (decode) {
        req.unpipe(decode);
        decode.destroy();
      }
      req.pause(); // the caller answers, and closes the connection for a 413
      // The body is dropped, not held: its bytes go back to the budget now, not when the answer's
      // connection closes after lingering (up to 500 ms, or longer on a busy machine: CI saw
      // sends of 20 MB one after another refused 503, the 413s before them still held).
      chunks.length = 0;
      hold?.release();
      reject(err);
    };
    const overHeld = (limit: number) =>
      new BodyError(
        503,
        `the tracker is holding as many request bodies as it may at once (${limit / 1048576} MB); send it again shortly`,
      );
    const tooLarge = () =>
      new BodyError(
        413,
        `${what} exceeds the ${limits.decompressed / 1048576} MB limit once decompressed`,
      );
    const kept = (chunk: Buffer): boolean => {
      if (!hold || hold.take(chunk.length)) return true;
      stop(overHeld(hold.limit));
      return false;
    };
    req.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      idle.refresh();
      if (raw > limits.compressed)
        stop(
          new BodyError(
            413,
            `${what} exceeds the ${limits.compressed / 1048576} MB limit on request bodies`,
          ),
        );
    });
    if (decode) {
      decode.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limits.decompressed) return stop(tooLarge());
        if (decoderHolds || kept(chunk)) chunks.push(chunk);
      });
      req.pipe(decode);
    } else {
      req.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (kept(chunk)) chunks.push(chunk);
      });
    }
    const failed = (err: Error) =>
      stop(
        err instanceof ZstdLimitError ||
          err instanceof SnappyLimitError ||
          err instanceof Lz4LimitError
          ? err.limit === 'decompressed'
            ? tooLarge()
            : overHeld(hold?.limit ?? 0)
          : // Nothing wrong with the body: to be sent again (the caller logs the cause).
            err instanceof ZstdThreadError || err instanceof ZstdStarvedError
            ? new BodyError(503, err.message, { cause: err })
            : new BodyError(
                400,
                `cannot read the body${encoding ? ` (${encoding})` : ''}: ${err.message}`,
              ),
      );
    // The client gave up (an SDK's timeout, a phone's lost connection): nothing it sent was
    // wrong, and no answer reaches it. Counted apart from malformed bodies. Node tells it as an
    // error of the request (`aborted`, ECONNRESET), then its close; a decoder's errors are the
    // body's.
    const aborted = () => {
      if (!req.complete)
        stop(new BodyError(499, `the client closed the connection before the ${what} ended`));
    };
    req.on('error', (err) => (req.complete ? failed(err) : aborted()));
    req.on('close', aborted);
    if (decode) decode.on('error', failed);
    source.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      resolve(Buffer.concat(chunks, size));
    });
  });
}
