// Sessions for the tests that need many: session n is one 10 ms operation starting n seconds
// after `start`, traced as n and correlated as `sess-<n>` (zero-padded to `digits`).
import type { Operation } from '../ingest/otlp';

export function numberedSessions(
  count: number,
  options: { start: number; digits: number; service: (n: number) => string },
): Operation[] {
  const operations: Operation[] = [];
  for (let n = 0; n < count; n++)
    operations.push({
      traceId: n.toString(16).padStart(32, '0'),
      spanId: n.toString(16).padStart(16, '0'),
      name: 'GET /',
      service: options.service(n),
      start: options.start + n * 1000,
      end: options.start + n * 1000 + 10,
      status: 'ok',
      correlationId: `sess-${String(n).padStart(options.digits, '0')}`,
      attributes: {},
    });
  return operations;
}
