// A small service instrumented with the real OpenTelemetry SDK and OTLP/HTTP exporter, run as
// its own process by the sessions test: one request through the gateway with a slow child, a
// failing child and a memory snapshot event. Prints the ids it made.
const { context, trace } = require('@opentelemetry/api');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const [url, key] = process.argv.slice(2);
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'api-gateway' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url, headers: { Authorization: `Bearer ${key}` } }))],
});
const tracer = provider.getTracer('beacon-test');

async function main() {
  const now = Date.now();
  const root = tracer.startSpan('POST /checkout', {
    attributes: {
      correlation_id: 'req-777',
      'http.method': 'POST',
      // PII the tracker scrubs before storing, and a phrase it keeps.
      'http.request.header.authorization': 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0',
      'db.password': 'hunter2',
      'url.full': 'https://shop.example/callback?token=s3cr3t&page=2',
      note: 'Authentication failed for user',
    },
    startTime: now - 2000,
  });
  const ctx = trace.setSpan(context.active(), root);
  const slow = tracer.startSpan('SELECT orders', { attributes: { correlation_id: 'req-777' }, startTime: now - 1900 }, ctx);
  slow.end(now - 1100); // 800 ms
  const failing = tracer.startSpan('POST inventory/reserve', { attributes: { correlation_id: 'req-777' }, startTime: now - 1000 }, ctx);
  failing.setStatus({ code: 2, message: 'upstream 503' });
  failing.end(now - 900);
  root.addEvent('memory', { 'process.memory.rss': 123000000, 'process.memory.heap_used': 45000000 });
  root.end(now);
  await provider.forceFlush();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ traceId: root.spanContext().traceId, failingSpanId: failing.spanContext().spanId }) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack) + '\n');
  process.exit(1);
});
