// The real, unmodified @sentry/node SDK reporting an error and then what two users wrote about
// it, run as its own process by feedback.test.ts: one through captureFeedback (a `feedback`
// item: the form's name and address, and the page), one as the older `user_report` item, built
// as the browser SDK's captureUserFeedback built it and sent through the client's own transport.
// Then a third user's feedback about no error, as Sentry's feedback widget sends it: with the
// screenshot the widget takes (a 1×1 PNG here). Ana's comes with a log holding a token, which
// the tracker scrubs. It prints the error's event id, on a line before the flush's.
const Sentry = require('@sentry/node');
const { createEnvelope } = require('@sentry/core');
const runApp = require('./run-app.cjs');

/** A 1×1 PNG, as the widget's screenshot. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const dsn = process.argv[2];
Sentry.init({ dsn, release: 'shop@2.0.0', defaultIntegrations: false, integrations: [] });

async function main() {
  Sentry.setTag('service', 'shop');
  const eventId = Sentry.captureException(new Error('checkout failed for feedback'));
  // The scope's user gives the address where the form leaves it out.
  Sentry.withScope((scope) => {
    scope.setUser({ email: 'ana@example.com' });
    Sentry.captureFeedback(
      {
        message: 'The pay button spun forever; was my card 4111 1111 1111 1111 charged?',
        name: 'Ana',
        url: 'https://shop.example/checkout?step=pay',
        associatedEventId: eventId,
      },
      {
        attachments: [
          { filename: 'console.log', data: 'POST /pay\nAuthorization: Bearer tok_3f9a7c21\n' },
        ],
      },
      scope,
    );
  });
  const report = { event_id: eventId, name: 'Bo', email: null, comments: 'Second try failed too.' };
  await Sentry.getClient().sendEnvelope(
    createEnvelope({ event_id: eventId, sent_at: new Date().toISOString() }, [
      [{ type: 'user_report' }, report],
    ]),
  );
  Sentry.captureFeedback(
    { message: 'Love the new checkout page', name: 'Cy' },
    { attachments: [{ filename: 'screenshot.png', data: PNG, contentType: 'image/png' }] },
  );
  process.stdout.write(JSON.stringify({ eventId }) + '\n');
}

runApp(main, () => Sentry.flush(10000));
