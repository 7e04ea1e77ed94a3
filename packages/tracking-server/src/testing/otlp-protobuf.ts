// OTLP requests written as JSON in tests, encoded as protobuf the way an SDK's proto3 encoder
// writes them: hex trace and span ids as bytes, zero values left off the wire.
import { ExportTraceServiceRequest } from '../ingest/otlp-proto';

type Json = Record<string, unknown>;

export interface JsonTraceRequest {
  readonly resourceSpans: readonly (Json & {
    readonly scopeSpans: readonly { readonly spans: readonly Json[] }[];
  })[];
}

export const protobufOf = (req: JsonTraceRequest): Buffer =>
  Buffer.from(
    ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: req.resourceSpans.map((rs) => ({
          ...rs,
          scopeSpans: rs.scopeSpans.map((ss) => ({
            spans: ss.spans.map((sp) => ({
              ...sp,
              traceId: Buffer.from(String(sp.traceId), 'hex'),
              spanId: Buffer.from(String(sp.spanId), 'hex'),
            })),
          })),
        })),
      }),
    ).finish(),
  );
