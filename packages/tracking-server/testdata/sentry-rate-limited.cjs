// The real, unmodified @sentry/node SDK sending to a project limited to 2 events a minute, run as
// its own process by client-reports.test.ts: four errors, each sent before the next is captured,
// then a traced request. What the SDK does after the third error's 429 is what it read the
// tracker's answer to mean.
const Sentry = require('@sentry/node');
const runApp = require('./run-app.cjs');

const dsn = process.argv[2];
Sentry.init({
  dsn,
  release: 'limited@1.0.0',
  tracesSampleRate: 1,
  defaultIntegrations: false,
  integrations: [],
});

async function main() {
  Sentry.setTag('service', 'limited-app');
  Sentry.setTag('correlation_id', 'limited-42');
  for (const n of [1, 2, 3, 4]) {
    Sentry.captureException(new Error(`limited failure ${n}`));
    // Sends it (and, from the node SDK's flush, a client report of what was discarded so far).
    await Sentry.flush(10000);
  }
  await Sentry.startSpan(
    { name: 'GET /limited', op: 'http.server' },
    () => new Promise((r) => setTimeout(r, 5)),
  );
}

runApp(main, () => Sentry.flush(10000));
