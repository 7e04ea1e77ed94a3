// A small application instrumented with the real, unmodified @sentry/node SDK, run as its own
// process by the integration test: DSN from argv, events and a transaction as a real service
// would send them.
const Sentry = require('@sentry/node');
const runApp = require('./run-app.cjs');

const dsn = process.argv[2];
Sentry.init({
  dsn,
  release: 'checkout@1.4.0',
  environment: 'staging',
  serverName: 'checkout-7d9f8b6c5d-x2x4z',
  tracesSampleRate: 1,
  defaultIntegrations: false,
  integrations: [],
});

async function main() {
  Sentry.setTag('service', 'checkout');
  Sentry.setTag('correlation_id', 'req-42');
  Sentry.setUser({ id: 'user-1', email: 'jane@example.com' });

  // Two occurrences of one error from the same code path, different ids in the message.
  for (const order of [1001, 1002]) {
    try {
      throw new TypeError(`Cannot read properties of undefined (reading 'total') for order ${order}`);
    } catch (err) {
      Sentry.captureException(err);
    }
  }
  // PII in extra data and in the message.
  Sentry.withScope((scope) => {
    scope.setExtra('password', 'hunter2');
    scope.setExtra('card', 'paid with 4111 1111 1111 1111');
    scope.setExtra('note', 'Authentication failed for user');
    Sentry.captureException(new Error('payment declined: Bearer abc.def.ghi'));
  });
  // A custom fingerprint groups these two different messages as one issue.
  Sentry.withScope((scope) => {
    scope.setFingerprint(['payment-gateway-timeout']);
    Sentry.captureMessage('gateway timed out after 30s', 'warning');
  });
  // Later by its own time, whatever order the two arrive in: the issue shows the newer message.
  await new Promise((resolve) => setTimeout(resolve, 5));
  Sentry.withScope((scope) => {
    scope.setFingerprint(['payment-gateway-timeout']);
    Sentry.captureMessage('gateway timed out after 45s', 'warning');
  });
  // A traced request with child spans: sent as a `transaction` item (debug-session operations),
  // its LLM call (a gen_ai span) taken out of it by the SDK and sent as a span v2 item beside it.
  await Sentry.startSpan({ name: 'POST /checkout', op: 'http.server' }, async () => {
    await Sentry.startSpan({ name: 'SELECT orders', op: 'db.query' }, () => new Promise((r) => setTimeout(r, 30)));
    await Sentry.startSpan(
      {
        name: 'chat gpt-4o',
        op: 'gen_ai.chat',
        // Token counts (kept: counts, not credentials) beside a key that is one (filtered).
        attributes: {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 35,
          'llm.api_key': 'sk-proj-abc123',
        },
      },
      () => new Promise((r) => setTimeout(r, 20)),
    );
  });
}

runApp(main, () => Sentry.flush(10000));
