// The real, unmodified @sentry/node SDK sending an error with three attachments, run as its own
// process by attachments.test.ts: a JSON config with a password in it, a log with a bearer
// token, and binary bytes, added to the scope as an application would.
const Sentry = require('@sentry/node');
const runApp = require('./run-app.cjs');

const dsn = process.argv[2];
Sentry.init({ dsn, release: 'files@1.0.0', defaultIntegrations: false, integrations: [] });

async function main() {
  Sentry.setTag('service', 'files-app');
  const scope = Sentry.getCurrentScope();
  scope.addAttachment({
    filename: 'config.json',
    contentType: 'application/json',
    data: JSON.stringify({ db: { host: 'db.internal', password: 'hunter2' }, retries: 3 }),
  });
  scope.addAttachment({
    filename: 'request.log',
    data: 'GET /orders\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig\n',
  });
  scope.addAttachment({
    filename: 'state.bin',
    attachmentType: 'event.attachment',
    data: Uint8Array.from([0, 1, 2, 253, 254, 255]),
  });
  Sentry.captureException(new Error('failed with files'));
}

runApp(main, () => Sentry.flush(10000));
