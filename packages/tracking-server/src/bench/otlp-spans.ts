// The OTLP batches the benches send: spans as an SDK's reach a collector, in both encodings.
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../ingest/otlp-proto';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * A batch of `size` spans, 16 a trace, the root naming its request; ids are random, so no two
 * batches share a span. Both encodings hold the same spans.
 */
export function spanBatch(size: number): { json: Buffer; protobuf: Buffer } {
  const now = BigInt(Date.now()) * 1_000_000n;
  let trace = '';
  let root = '';
  const spans = Array.from({ length: size }, (_, i) => {
    if (i % 16 === 0) [trace, root] = [hex(16), hex(8)];
    const attribute = (key: string, value: Record<string, unknown>) => ({ key, value });
    return {
      traceId: trace,
      spanId: i % 16 === 0 ? root : hex(8),
      ...(i % 16 === 0 ? {} : { parentSpanId: root }),
      name: i % 16 === 0 ? 'POST /checkout' : `SELECT orders ${i % 16}`,
      kind: i % 16 === 0 ? 2 : 3,
      startTimeUnixNano: String(now - 40_000_000n + BigInt(i % 16) * 1_000_000n),
      endTimeUnixNano: String(now - BigInt(16 - (i % 16)) * 1_000_000n),
      attributes: [
        attribute('http.method', { stringValue: 'POST' }),
        attribute('http.route', { stringValue: '/checkout' }),
        attribute('http.status_code', { intValue: '201' }),
        attribute('db.statement', { stringValue: `SELECT * FROM orders WHERE id = $1 -- ${i}` }),
        ...(i % 16 === 0 ? [attribute('correlation_id', { stringValue: `req-${hex(8)}` })] : []),
      ],
      status: { code: 1 },
    };
  });
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http' }, spans }],
      },
    ],
  };
  const bytes = (id: unknown) => (typeof id === 'string' ? Buffer.from(id, 'hex') : id);
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: request.resourceSpans.map((rs) => ({
      ...rs,
      scopeSpans: rs.scopeSpans.map((ss) => ({
        ...ss,
        spans: ss.spans.map((sp) => ({
          ...sp,
          traceId: bytes(sp.traceId),
          spanId: bytes(sp.spanId),
          parentSpanId: bytes(sp.parentSpanId),
        })),
      })),
    })),
  });
  return {
    json: Buffer.from(JSON.stringify(request)),
    protobuf: Buffer.from(ExportTraceServiceRequest.encode(message).finish()),
  };
}
