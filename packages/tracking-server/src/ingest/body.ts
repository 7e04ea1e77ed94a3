// Request bodies within limits: at most 20 MB as sent, 100 MB once decompressed (gzip,
// deflate, br), read streaming so an oversized body is refused without being buffered whole.
import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

export const LIMITS = {
  compressed: 20 * 1024 * 1024,
  decompressed: 100 * 1024 * 1024,
  event: 1024 * 1024,
} as const;

/** The content codings read, as a 415 lists them in `Accept-Encoding` (RFC 7694, as Relay does). */
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

function decoder(encoding: string): Transform | undefined {
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
      throw new BodyError(
        415,
        `unsupported Content-Encoding ${JSON.stringify(encoding)} (${ACCEPTED_ENCODINGS})`,
      );
  }
}

/** Reads `req`'s body; `what` names it in a 413 ("envelope", "request body"). */
export async function readBody(
  req: IncomingMessage,
  limits = LIMITS,
  what = 'envelope',
): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decode = decoder(encoding);
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
    const stop = (err: BodyError) => {
      if (settled) return;
      settled = true;
      if (decode) {
        req.unpipe(decode);
        decode.destroy();
      }
      req.pause(); // the caller answers, and closes the connection for a 413
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      raw += chunk.length;
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
        if (size > limits.decompressed)
          return stop(
            new BodyError(
              413,
              `${what} exceeds the ${limits.decompressed / 1048576} MB limit once decompressed`,
            ),
          );
        chunks.push(chunk);
      });
      req.pipe(decode);
    } else {
      req.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        chunks.push(chunk);
      });
    }
    const failed = (err: Error) =>
      stop(
        new BodyError(
          400,
          `cannot read the body${encoding ? ` (${encoding})` : ''}: ${err.message}`,
        ),
      );
    source.on('error', failed);
    req.on('close', () => {
      if (!req.complete) failed(new Error('the connection closed before the body ended'));
    });
    if (decode) req.on('error', failed);
    source.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
  });
}
