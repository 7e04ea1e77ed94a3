// One application's tracing, for npm run bench:otlp-burst: the real OTLPTraceExporter behind a
// BatchSpanProcessor, as an instrumented Node service runs them, ending `SPANS` spans (a request's
// root and one child each) as fast as it can and flushing. Prints one JSON line: the spans the
// exporter saw acknowledged and refused for good, and the exports it made.
// argv: url apiKey name spans
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export type ExporterResult = {
  name: string;
  spans: number;
  acknowledged: number;
  refused: number;
  exports: number;
  errors: Record<string, number>;
};

async function main() {
  const [url = '', key = '', name = 'app', count = '0'] = process.argv.slice(2);
  const roots = Math.ceil(Number(count) / 2);
  // The flush at the end sends the whole queue at once: a limit above its exports, so that the
  // exporter's own limit (30 by default) refuses none of them before they reach the tracker.
  const exporter = new OTLPTraceExporter({
    url,
    headers: { Authorization: `Bearer ${key}` },
    concurrencyLimit: roots,
  });
  const result: ExporterResult = {
    name,
    spans: 2 * roots,
    acknowledged: 0,
    refused: 0,
    exports: 0,
    errors: {},
  };
  // Counts what the exporter reports back to the processor (after its own retries).
  const send = exporter.export.bind(exporter);
  exporter.export = (spans: ReadableSpan[], done) => {
    result.exports++;
    send(spans, (answer) => {
      if (answer.code === 0) result.acknowledged += spans.length;
      else {
        result.refused += spans.length;
        const why = String(answer.error).slice(0, 100);
        result.errors[why] = (result.errors[why] ?? 0) + 1;
      }
      done(answer);
    });
  };
  // A queue that holds the whole run, so that only the tracker's answers can lose a span.
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: 2 * roots,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 200,
    exportTimeoutMillis: 30_000,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('bench');
  for (let i = 0; i < roots; i++) {
    const root = tracer.startSpan('GET /orders', {
      attributes: { 'http.method': 'GET', 'http.status_code': 200, correlation_id: `${name}-${i}` },
    });
    const child = tracer.startSpan(
      'SELECT orders',
      { attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM orders' } },
      trace.setSpan(context.active(), root),
    );
    child.end();
    root.end();
    // Lets the processor's timer run, as a service's event loop would between requests.
    if (i % 1_000 === 999) await new Promise((r) => setImmediate(r));
  }
  await provider.forceFlush();
  await provider.shutdown();
  console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
