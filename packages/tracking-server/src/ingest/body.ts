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
    case '':
    case 'identity':
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
        `unsupported Content-Encoding ${JSON.stringify(encoding)} (gzip, deflate, br)`,
      );
  }
}

export async function readBody(req: IncomingMessage, limits = LIMITS): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decode = decoder(encoding);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.compressed) {
    throw new BodyError(
      413,
      `envelope exceeds the ${limits.compressed / 1048576} MB limit on request bodies`,
    );
  }
  let raw = 0;
  req.on('data', (chunk: Buffer) => {
    raw += chunk.length;
    if (raw > limits.compressed) {
      req.destroy(
        new BodyError(
          413,
          `envelope exceeds the ${limits.compressed / 1048576} MB limit on request bodies`,
        ),
      );
    }
  });
  const source: NodeJS.ReadableStream = decode ? req.pipe(decode) : req;
  if (decode) req.on('error', (err) => decode.destroy(err));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.decompressed) {
        throw new BodyError(
          413,
          `envelope exceeds the ${limits.decompressed / 1048576} MB limit once decompressed`,
        );
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof BodyError) throw err;
    throw new BodyError(
      400,
      `cannot read the body${encoding ? ` (${encoding})` : ''}: ${(err as Error).message}`,
    );
  }
  return Buffer.concat(chunks, size);
}
