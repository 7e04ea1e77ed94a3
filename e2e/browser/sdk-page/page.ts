// A web page's own instrumentation, as a team would write it: the Sentry browser SDK and the
// OpenTelemetry exporter, both pointed at a tracking server on another origin (so every post is
// cross-origin, and the OTLP one preflighted for its Authorization header) — or, with `tunnel`,
// Sentry's envelopes sent to the page's own origin, which forwards them (Sentry's tunnel option).
// The query string says where to send and under which correlation id; what happened is left in
// `window.sent` for the test. With `?feedback=1` the page shows Sentry's feedback widget (its form
// and screenshot editor) instead, for the test to fill in as a user would.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as Sentry from '@sentry/browser';

declare global {
  interface Window {
    sent?: { flushed: boolean } | { error: string };
  }
}

async function main(): Promise<{ flushed: boolean }> {
  const config = new URLSearchParams(location.search);
  const required = (name: string) => {
    const value = config.get(name);
    if (!value) throw new Error(`the page needs ?${name}=`);
    return value;
  };

  if (config.get('feedback')) {
    Sentry.init({
      dsn: required('dsn'),
      release: 'web-shop@3.1.0',
      integrations: [Sentry.feedbackIntegration({ autoInject: false, showBranding: false })],
    });
    const form = await Sentry.getFeedback()!.createForm();
    form.appendToDom();
    form.open();
    return { flushed: true };
  }
  const correlationId = required('correlation');
  const tunnel = config.get('tunnel');
  Sentry.init({
    dsn: required('dsn'),
    ...(tunnel ? { tunnel } : {}),
    release: 'web-shop@3.1.0',
    environment: 'production',
  });
  Sentry.setTag('service', 'web-shop');
  Sentry.setTag('correlation_id', correlationId);
  Sentry.captureException(new TypeError('cart total is not a number'));
  const flushed = await Sentry.flush(10_000);

  const traces = config.get('traces');
  if (!traces) return { flushed };

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'web-shop' }),
    spanProcessors: [
      new SimpleSpanProcessor(
        new OTLPTraceExporter({
          url: traces,
          headers: { Authorization: `Bearer ${required('key')}` },
        }),
      ),
    ],
  });
  const span = provider
    .getTracer('web-shop')
    .startSpan('click checkout', { attributes: { correlation_id: correlationId } });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { flushed };
}

main().then(
  (result) => (window.sent = result),
  (err: unknown) => (window.sent = { error: String(err) }),
);
