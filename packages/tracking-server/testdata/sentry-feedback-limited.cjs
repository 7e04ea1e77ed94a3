// The real, unmodified @sentry/node SDK sending user feedback to a project limited to 2 events a
// minute (feedback counted in a window of its own), run as its own process by feedback.test.ts:
// four pieces of feedback, each sent before the next is captured, then an error. What the SDK does
// after the third piece's 429 is what it read the tracker's answer to mean.
const Sentry = require('@sentry/node');
const runApp = require('./run-app.cjs');

const dsn = process.argv[2];
Sentry.init({ dsn, release: 'limited@1.0.0', defaultIntegrations: false, integrations: [] });

async function main() {
  Sentry.setTag('service', 'feedback-limited');
  for (const n of [1, 2, 3, 4]) {
    Sentry.captureFeedback({ message: `limited feedback ${n}`, name: 'Flo' });
    // Sends it (and, from the node SDK's flush, a client report of what was discarded so far).
    await Sentry.flush(10000);
  }
  Sentry.captureException(new Error('after the feedback limit'));
}

runApp(main, () => Sentry.flush(10000));
