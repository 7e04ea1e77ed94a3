// OTLP/HTTP's answers, in the request's encoding as the spec has them: protobuf for a protobuf
// request, JSON for any other, with the request's media type as Content-Type and no parameters
// (the Collector's otlphttp exporter reads a partial success only from a response whose
// Content-Type is exactly `application/json` or `application/x-protobuf`: a charset hides it).
// Errors are a google.rpc.Status (OTLP/HTTP "Failures").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RpcStatus } from '../ingest/otlp-proto';
import { endAfterLinger } from './linger';

export const JSON_TYPE = 'application/json';

export interface OtlpEncoding {
  /** The request's media type, lowercase, without parameters. */
  readonly asked: string;
  readonly protobuf: boolean;
  /** The answer's Content-Type. */
  readonly type: string;
}

/** How a request with this Content-Type is answered (JSON when it names none). */
export function otlpEncoding(contentType: string | undefined): OtlpEncoding {
  const asked = String(contentType ?? JSON_TYPE)
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const protobuf = asked === 'application/x-protobuf' || asked === 'application/protobuf';
  return { asked, protobuf, type: protobuf ? asked : JSON_TYPE };
}

/** One whole answer, written on node:http; with `closeAfter`, on a connection closed after it. */
export function sendOtlp(
  res: ServerResponse,
  code: number,
  type: string,
  body: string | Uint8Array,
  closeAfter?: IncomingMessage,
): void {
  res.writeHead(code, {
    'content-type': type,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...(closeAfter ? { connection: 'close' } : {}),
  });
  if (closeAfter) endAfterLinger(closeAfter, res, body);
  else res.end(body);
}

/**
 * HTTP status → google.rpc.Code: UNAUTHENTICATED, INVALID_ARGUMENT, NOT_FOUND, DEADLINE_EXCEEDED,
 * INTERNAL, UNAVAILABLE (INVALID_ARGUMENT for any other).
 */
const RPC_CODE: Readonly<Record<number, number>> = {
  401: 16,
  400: 3,
  404: 5,
  408: 4,
  413: 3,
  415: 3,
  500: 13,
  503: 14,
};

/** A google.rpc.Status with `message`, under HTTP status `code`, in `encoding`. */
export function sendRpcStatus(
  res: ServerResponse,
  code: number,
  encoding: OtlpEncoding,
  message: string,
  closeAfter?: IncomingMessage,
): void {
  const status = { code: RPC_CODE[code] ?? 3, message };
  sendOtlp(
    res,
    code,
    encoding.type,
    encoding.protobuf
      ? RpcStatus.encode(RpcStatus.fromObject(status)).finish()
      : JSON.stringify(status),
    closeAfter,
  );
}
