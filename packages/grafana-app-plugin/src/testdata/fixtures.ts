// Hand-written tracking-server answers for the component tests (shapes: the server's wire types,
// through src/api/types.ts).
import type { IssueDetail, SessionDetail, StoredEvent } from '../api/types';

export const NOW = Date.parse('2026-11-22T12:00:00.000Z');
export const XSS = '<img src=x onerror=alert(1)>';

const hours = (...tail: number[]) => [...Array(24 - tail.length).fill(0), ...tail];

export function issue(overrides: Partial<IssueDetail> & { id: number }): IssueDetail {
  return {
    projectId: 1,
    title: `TypeError: issue ${overrides.id}`,
    culprit: 'src/handler.ts in handle',
    status: 'open',
    severity: 'error',
    type: 'application',
    service: 'api-gateway',
    count: 1,
    users: 1,
    firstSeen: '2026-11-22T08:00:00.000Z',
    lastSeen: '2026-11-22T11:00:00.000Z',
    groupedBy: 'in-app frames',
    hourly: hours(1),
    environment: 'production',
    release: 'api-gateway@1.4.0',
    releases: ['api-gateway@1.4.0'],
    regression: false,
    grouping: { rule: 'in-app frames', components: ['src/handler.ts handle'] },
    ...overrides,
  };
}

export const ISSUES: IssueDetail[] = [
  issue({
    id: 1,
    title: "TypeError: Cannot read properties of undefined (reading 'id')",
    culprit: 'src/routes/users.ts in getUser',
    severity: 'critical',
    count: 120,
    users: 30,
    firstSeen: '2026-11-21T12:00:00.000Z',
    lastSeen: '2026-11-22T11:58:00.000Z',
    hourly: hours(10, 20, 90),
    releases: ['api-gateway@1.3.0', 'api-gateway@1.4.0'],
    grouping: { rule: 'in-app frames', components: ['src/routes/users.ts getUser', 'src/db/users.ts findUser'] },
  }),
  issue({
    id: 2,
    title: 'QueryFailedError: deadlock detected',
    culprit: 'src/db/pool.ts in query',
    type: 'database',
    service: 'ai-service',
    count: 45,
    users: 12,
    firstSeen: '2026-11-22T02:00:00.000Z',
    lastSeen: '2026-11-22T10:00:00.000Z',
    status: 'investigating',
    hourly: hours(5, 0, 0),
    groupedBy: 'exception type and value',
    grouping: { rule: 'exception type and value', components: ['QueryFailedError', 'deadlock detected'] },
  }),
  issue({
    id: 3,
    title: XSS,
    culprit: XSS,
    severity: 'warning',
    type: 'validation',
    count: 3,
    users: 2,
    lastSeen: '2026-11-22T09:00:00.000Z',
    groupedBy: 'message',
    grouping: { rule: 'message', components: [XSS] },
  }),
  issue({
    id: 4,
    title: 'Payment provider timed out',
    culprit: 'src/payments.ts in charge',
    severity: 'info',
    type: 'external_api',
    status: 'resolved',
    count: 7,
    users: 7,
    lastSeen: '2026-11-20T09:00:00.000Z',
    firstSeen: '2026-11-19T09:00:00.000Z',
  }),
];

export const EVENT_1: StoredEvent = {
  id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  timestamp: '2026-11-22T11:58:00.000Z',
  receivedAt: '2026-11-22T11:58:00.120Z',
  level: 'error',
  release: 'api-gateway@1.4.0',
  environment: 'production',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  correlationId: 'req-42',
  event: {
    exception: {
      values: [
        {
          type: 'TypeError',
          value: "Cannot read properties of undefined (reading 'id')",
          stacktrace: {
            frames: [
              {
                filename: 'node:internal/process/task_queues',
                function: 'processTicksAndRejections',
                lineno: 95,
                in_app: false,
              },
              {
                filename: 'src/routes/users.ts',
                function: 'getUser',
                lineno: 42,
                colno: 17,
                in_app: true,
                pre_context: ['export async function getUser(req) {', '  const user = await findUser(req.params.id);'],
                context_line: '  return user.profile.id;',
                post_context: ['}'],
              },
            ],
          },
        },
      ],
    },
    tags: [
      ['service', 'api-gateway'],
      ['correlation_id', 'req-42'],
    ],
    breadcrumbs: {
      values: [
        { timestamp: 1795348679, category: 'http', level: 'info', message: 'GET /users/7' },
        { timestamp: 1795348680, category: 'console', level: 'warning', message: XSS },
      ],
    },
    user: { id: 'u-7', email: 'ada@example.com' },
  },
  attachments: [],
  feedback: [],
};

export const EVENT_2: StoredEvent = {
  id: 'b1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  timestamp: '2026-11-22T11:00:00.000Z',
  receivedAt: '2026-11-22T11:00:00.250Z',
  level: 'error',
  release: 'api-gateway@1.3.0',
  environment: 'production',
  event: { message: 'older event without a stack trace', tags: { service: 'api-gateway' } },
  attachments: [],
  feedback: [],
};

/**
 * A log record as sentry-python 1.9.10's logging integration sends it (`log.error(..., stack_info=True)`;
 * attach_stacktrace sends a message the same way): no exception, its frames under the current
 * thread, oldest call first, down to the logging module and the SDK's handler.
 */
export const EVENT_PY_LOG: StoredEvent = {
  id: 'c1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  timestamp: '2026-11-22T11:30:00.000Z',
  receivedAt: '2026-11-22T11:30:00.180Z',
  level: 'error',
  release: 'billing-worker@2.1.0',
  environment: 'production',
  event: {
    level: 'error',
    logger: 'billing.invoices',
    logentry: { message: 'invoice %s not found', params: ['inv-9'] },
    platform: 'python',
    sdk: { name: 'sentry.python', version: '1.9.10' },
    threads: {
      values: [
        {
          stacktrace: {
            frames: [
              {
                filename: 'worker.py',
                abs_path: '/app/worker.py',
                module: '__main__',
                function: '<module>',
                lineno: 30,
                pre_context: ['', "if __name__ == '__main__':"],
                context_line: '    charge_all()',
                post_context: [],
                in_app: true,
              },
              {
                filename: 'billing/invoices.py',
                abs_path: '/app/billing/invoices.py',
                module: 'billing.invoices',
                function: 'charge',
                lineno: 17,
                pre_context: ['    invoice = find_invoice(invoice_id)', '    if invoice is None:'],
                context_line: "        log.error('invoice %s not found', invoice_id, stack_info=True)",
                post_context: ['        return'],
                in_app: true,
              },
              {
                filename: 'logging/__init__.py',
                abs_path: '/usr/local/lib/python3.11/logging/__init__.py',
                module: 'logging',
                function: 'error',
                lineno: 1518,
                context_line: '            self._log(ERROR, msg, args, **kwargs)',
                in_app: false,
              },
              {
                filename: 'sentry_sdk/integrations/logging.py',
                abs_path: '/usr/local/lib/python3.11/site-packages/sentry_sdk/integrations/logging.py',
                module: 'sentry_sdk.integrations.logging',
                function: 'emit',
                lineno: 171,
                context_line: '            return self._emit(record)',
                in_app: false,
              },
            ],
          },
          crashed: false,
          current: true,
        },
      ],
    },
  },
  attachments: [],
  feedback: [],
};

export const SESSION: SessionDetail = {
  id: 'req-42',
  correlationId: 'req-42',
  services: ['api-gateway', 'ai-service'],
  projectIds: [1],
  start: '2026-11-22T11:57:59.000Z',
  end: '2026-11-22T11:58:01.000Z',
  durationMs: 2000,
  operations: 3,
  errors: 1,
  slowOperations: 1,
  traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
  timeline: [
    {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: 'c1',
      parentSpanId: 'root',
      name: 'SELECT users',
      service: 'api-gateway',
      start: '2026-11-22T11:57:59.100Z',
      end: '2026-11-22T11:57:59.150Z',
      offsetMs: 100,
      durationMs: 50,
      status: 'ok',
      slow: false,
      attributes: {},
    },
    {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: 'root',
      name: 'GET /users/:id',
      service: 'api-gateway',
      start: '2026-11-22T11:57:59.000Z',
      end: '2026-11-22T11:58:01.000Z',
      offsetMs: 0,
      durationMs: 2000,
      status: 'error',
      slow: true,
      attributes: {},
    },
    {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: 'c2',
      parentSpanId: 'root',
      name: 'infer embeddings',
      service: 'ai-service',
      start: '2026-11-22T11:57:59.200Z',
      end: '2026-11-22T11:57:59.700Z',
      offsetMs: 200,
      durationMs: 500,
      status: 'ok',
      slow: false,
      attributes: {},
    },
  ],
  errorEvents: [
    {
      eventId: EVENT_1.id,
      issueId: 1,
      title: XSS,
      level: 'error',
      service: 'api-gateway',
      timestamp: '2026-11-22T11:58:00.000Z',
      offsetMs: 1000,
      spanId: 'root',
    },
  ],
  memory: [
    {
      time: '2026-11-22T11:57:59.000Z',
      offsetMs: 0,
      service: 'api-gateway',
      rss: 100 * 1048576,
      heapUsed: 40 * 1048576,
    },
    {
      time: '2026-11-22T11:58:00.000Z',
      offsetMs: 1000,
      service: 'api-gateway',
      rss: 150 * 1048576,
      heapUsed: 60 * 1048576,
    },
  ],
};

export const SESSION_2: SessionDetail = {
  ...SESSION,
  id: 'req-43',
  correlationId: 'req-43',
  services: ['collaboration'],
  durationMs: 120,
  operations: 1,
  errors: 0,
  slowOperations: 0,
  errorEvents: [],
  memory: [],
};

/**
 * Sessions the tracker answered cut (it lists at most a fixed number of each kind of record, the
 * first by time; its counts stay the whole session's), with a limit of 3 for brevity. SESSION_CUT:
 * 3 of 200,000 operations listed, and 3 memory snapshots, as many as the limit, so perhaps more;
 * its 1 error event is all of them. As the tracker counts them, `errors` is the error events and
 * the failed operations.
 */
export const SESSION_CUT: SessionDetail = {
  ...SESSION,
  id: 'req-44',
  correlationId: 'req-44',
  end: '2026-11-22T12:07:59.000Z',
  durationMs: 600000,
  operations: 200000,
  errors: 4100,
  slowOperations: 12000,
  memory: [...SESSION.memory, { ...SESSION.memory[1], time: '2026-11-22T11:58:01.000Z', offsetMs: 2000 }],
};

/** Every operation listed (one failed), and 2 of its 5 error events: `errors` is 5 + 1. */
export const SESSION_EVENTS_CUT: SessionDetail = {
  ...SESSION,
  id: 'req-45',
  correlationId: 'req-45',
  errors: 6,
  errorEvents: [
    ...SESSION.errorEvents,
    {
      ...SESSION.errorEvents[0],
      eventId: 'c1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      timestamp: '2026-11-22T11:58:00.500Z',
      offsetMs: 1500,
    },
  ],
  memory: [SESSION.memory[0]],
};

/**
 * Session ids as users' SDKs send them (a Sentry tag value, an OTLP attribute): any text. One holds
 * every character a URL path treats specially but "/", which no id asked of the tracker may hold
 * (`sessionIdProblem`); the other holds the text of an encoded slash.
 */
export const ODD_SESSION_ID = 'checkout:req-42?x=1#top 50%';
export const ENCODED_TEXT_SESSION_ID = 'GET%2Fcheckout';
/** :, ?, #, a space and no "%": an id that Grafana's decoding history carries in the path intact. */
export const PATH_SESSION_ID = 'checkout:req-42?x=1#top 50';
export const sessionWithId = (id: string): SessionDetail => ({ ...SESSION, id, correlationId: id, traceIds: [] });
