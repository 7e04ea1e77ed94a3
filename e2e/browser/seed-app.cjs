// A checkout service instrumented with the real, unmodified SDKs, run as its own process to seed
// the tracking server the browser test reads: errors through @sentry/node (one whose message is
// an XSS attempt, one with a user's feedback about it), a Sentry transaction, and the same
// request's spans and a memory snapshot through the OpenTelemetry OTLP/HTTP exporter, all sharing
// one correlation id.
// Usage: node seed-app.cjs <dsn> <otlp traces url> <project key>
const { Buffer } = require('node:buffer');
const Sentry = require('@sentry/node');
const { context, trace } = require('@opentelemetry/api');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const [dsn, otlpUrl, key] = process.argv.slice(2);
const CORRELATION_ID = 'req-e2e-checkout';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

Sentry.init({
  dsn,
  release: 'checkout@2.3.0',
  environment: 'production',
  serverName: 'checkout-5c7f9d-abcde',
  tracesSampleRate: 1,
  defaultIntegrations: false,
  // Source lines around each frame, as the SDK's default setup sends them.
  integrations: [Sentry.contextLinesIntegration()],
});

function loadCart(cart) {
  return cart.items.total; // throws: items is undefined
}

async function sentryEvents() {
  Sentry.setTag('service', 'checkout');
  Sentry.addBreadcrumb({ category: 'http', message: 'GET /api/cart/42', level: 'info' });
  Sentry.withScope((scope) => {
    scope.setTag('correlation_id', CORRELATION_ID);
    scope.setUser({ id: 'user-7' });
    // Kept with the event, its token filtered, and downloaded from the issue page.
    scope.addAttachment({
      filename: 'cart.log',
      data: 'GET /api/cart/42\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig\n',
    });
    // Bytes that are no text, which must reach the download as they are.
    scope.addAttachment({ filename: 'cart.bin', data: Uint8Array.from([0, 255, 254, 128, 10]) });
    try {
      loadCart({});
    } catch (err) {
      const eventId = Sentry.captureException(err);
      // What the user wrote about it, shown on the issue page with the event.
      Sentry.captureFeedback({
        message: 'The cart page went blank.\nI had 3 items in it.',
        name: 'Dana',
        email: 'dana@example.com',
        associatedEventId: eventId,
      });
    }
  });
  // Feedback about no error, as the feedback widget sends it (with its screenshot, a 1×1 PNG
  // here, labelled as the widget labels it): listed on the feedback page only, the screenshot
  // shown.
  Sentry.captureFeedback(
    { message: 'Where do I find my receipts?', name: 'Eli' },
    { attachments: [{ filename: 'screenshot.png', data: PNG, contentType: 'application/png' }] },
  );
  // Rendered by the plugin as text, never as HTML.
  Sentry.captureException(new Error('<img src=x onerror=alert(1)>'));
  Sentry.withScope((scope) => {
    scope.setTag('correlation_id', CORRELATION_ID);
    return Sentry.startSpan({ name: 'POST /checkout', op: 'http.server' }, () =>
      Sentry.startSpan(
        { name: 'SELECT carts', op: 'db.query' },
        () => new Promise((r) => setTimeout(r, 20)),
      ),
    );
  });
  if (!(await Sentry.flush(10000))) throw new Error('@sentry/node did not flush');
}

async function otlpSpans() {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [
      new SimpleSpanProcessor(
        new OTLPTraceExporter({ url: otlpUrl, headers: { Authorization: `Bearer ${key}` } }),
      ),
    ],
  });
  const tracer = provider.getTracer('beacon-e2e');
  const now = Date.now();
  const attributes = { correlation_id: CORRELATION_ID };
  const root = tracer.startSpan('POST /api/checkout', { attributes, startTime: now - 3000 });
  const ctx = trace.setSpan(context.active(), root);
  tracer.startSpan('reserve inventory', { attributes, startTime: now - 2900 }, ctx).end(now - 2700);
  const slow = tracer.startSpan('charge card', { attributes, startTime: now - 2600 }, ctx);
  slow.end(now - 400); // 2.2 s: flagged slow
  root.addEvent(
    'memory',
    { 'process.memory.rss': 180_000_000, 'process.memory.heap_used': 64_000_000 },
    now - 2000,
  );
  root.addEvent(
    'memory',
    { 'process.memory.rss': 240_000_000, 'process.memory.heap_used': 96_000_000 },
    now - 500,
  );
  root.end(now);
  await provider.forceFlush();
  await provider.shutdown();
}

Promise.all([sentryEvents(), otlpSpans()]).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(String(err && err.stack) + '\n');
    process.exit(1);
  },
);
