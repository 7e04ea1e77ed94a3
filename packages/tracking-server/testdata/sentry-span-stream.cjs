// @sentry/node (real, unmodified) with `traceLifecycle: 'stream'`: one request of 1,000 database
// calls, whose spans the SDK sends as span v2 containers of up to 1,000 spans. Prints the HTTP
// status of each envelope the SDK sent, then whether it flushed.
const Sentry = require('@sentry/node');
const runApp = require('./run-app.cjs');

const statuses = [];
Sentry.init({
  dsn: process.argv[2],
  release: 'reports@2.0.0',
  tracesSampleRate: 1,
  traceLifecycle: 'stream',
  defaultIntegrations: false,
  integrations: [],
  transport: (options) => {
    const transport = Sentry.makeNodeTransport(options);
    return {
      ...transport,
      send: async (envelope) => {
        const answer = await transport.send(envelope);
        statuses.push(answer.statusCode);
        return answer;
      },
    };
  },
});

async function main() {
  // An ordinary statement, ~170 characters: 1,000 such spans are over 1 MB together.
  const statement =
    'SELECT o.id, o.total, o.currency, c.email FROM orders o JOIN customers c ON c.id = o.customer_id ' +
    'WHERE o.created_at > $1 AND o.status = $2 ORDER BY o.created_at DESC LIMIT 100';
  Sentry.startSpan(
    {
      name: 'GET /reports/monthly',
      op: 'http.server',
      attributes: { correlation_id: 'span-stream-1', service: 'reports' },
    },
    () => {
      for (let i = 0; i < 1000; i++)
        Sentry.startSpan(
          { name: `orders page ${i}`, op: 'db.query', attributes: { 'db.statement': statement } },
          () => {},
        );
    },
  );
}

runApp(main, async () => {
  const flushed = await Sentry.flush(10000);
  process.stdout.write(JSON.stringify({ statuses }) + '\n');
  return flushed;
});
