// The REST API described for other clients and for people: /api/v1/openapi.json (OpenAPI 3.0).
// It describes the shapes wire.ts types; openapi.test.ts checks every route's real answers
// against it, so the document cannot drift from what the server sends. Value lists come from
// the modules that define them.
import { EVENTS_PAGE_BYTES } from '../store/issue-reads';
import { DETAIL_RECORDS } from '../store/session-reads';
import { SEVERITIES, TYPES } from '../grouping/classify';
import { GROUPED_BY } from '../grouping/grouping';
import { SORTS, STATUSES } from '../store/repository';

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const text = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const integer = { type: 'integer' };
// The server reads at most 15 digits (rest.ts) and refuses more with 400.
const positiveId = { ...integer, minimum: 1, maximum: 999_999_999_999_999 };
const number = { type: 'number' };
const texts = { type: 'array', items: text };
const integers = { type: 'array', items: integer };
const oneOf = (values: readonly string[]) => ({ type: 'string', enum: [...values] });
const perHour = {
  type: 'array',
  items: integer,
  minItems: 24,
  maxItems: 24,
  description:
    'events per hour over the last 24 hours, oldest first, each in the hour of its own time (as firstSeen and lastSeen are)',
};

/**
 * An object with exactly these properties, those named in `optional` allowed to be absent:
 * a field the server sends that the document does not name fails openapi.test.ts.
 */
function object(properties: Record<string, object>, optional: readonly string[] = []): Schema {
  return {
    type: 'object',
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
    additionalProperties: false,
  };
}

/** `base` with more properties (JSON Schema's allOf cannot add to a closed object). */
function extend(base: Schema, properties: Record<string, object>, optional: string[] = []) {
  const more = object(properties, optional);
  return {
    ...base,
    required: [...(base.required as string[]), ...(more.required as string[])],
    properties: { ...(base.properties as object), ...properties },
  };
}

const page = (item: object) =>
  object({
    items: { type: 'array', items: item },
    nextCursor: { type: 'string', nullable: true, description: 'null on the last page' },
  });

const issueSummary = object(
  {
    id: integer,
    projectId: integer,
    title: text,
    culprit: text,
    status: oneOf(STATUSES),
    severity: oneOf(SEVERITIES),
    type: oneOf(TYPES),
    service: text,
    count: integer,
    users: integer,
    firstSeen: time,
    lastSeen: time,
    groupedBy: oneOf(GROUPED_BY),
    hourly: perHour,
    rangeCount: {
      ...integer,
      description:
        "Of a list asked for a time range (seenAfter, seenBefore) only: the issue's events in the clock hours the range touches, within the last 31 days (count is its lifetime total); sort=events then sorts by it",
    },
  },
  ['rangeCount'],
);

const issueDetail = extend(
  issueSummary,
  {
    environment: text,
    release: text,
    releases: texts,
    regression: { type: 'boolean' },
    resolvedInRelease: text,
    grouping: object({
      rule: oneOf(GROUPED_BY),
      components: { ...texts, description: 'the values the rule hashed' },
    }),
    latestEvent: {
      type: 'object',
      description:
        'the newest stored (scrubbed) Sentry event by its own time, whose title, culprit, service and environment the issue shows',
    },
  },
  ['resolvedInRelease', 'latestEvent'],
);

const storedEvent = object(
  {
    id: text,
    timestamp: time,
    receivedAt: time,
    level: text,
    release: text,
    environment: text,
    traceId: text,
    correlationId: text,
    event: { type: 'object', description: 'the stored (scrubbed) Sentry event' },
    attachments: { type: 'array', items: ref('Attachment') },
    feedback: { type: 'array', items: ref('Feedback') },
  },
  ['traceId', 'correlationId'],
);

const feedback = object(
  {
    id: integer,
    receivedAt: time,
    name: { ...text, description: 'the name the user gave; empty where none' },
    email: { ...text, description: 'the address the user gave; empty where none' },
    message: { ...text, description: 'what the user wrote, scrubbed' },
    url: { ...text, description: 'the page it was written on, where the SDK said' },
    attachments: {
      type: 'array',
      items: ref('Attachment'),
      description:
        "what was sent with it (the feedback widget's screenshot); GET /feedback/attachments/{id} reads each",
    },
  },
  ['url'],
);

const attachment = object({
  id: {
    ...integer,
    description:
      "what GET /attachments/{id} reads its bytes by (a piece of feedback's: GET /feedback/attachments/{id})",
  },
  filename: text,
  contentType: { ...text, description: 'as the SDK named it; application/octet-stream if not' },
  type: { ...text, description: 'the attachment_type: event.attachment, event.minidump, …' },
  size: { ...integer, description: 'bytes sent' },
  filtered: {
    type: 'boolean',
    description:
      'filtered whole by scrubbing, no bytes kept: what versions before 2026-12-06 did to bytes that are not text holding a sensitive shape, which are now masked in place',
  },
});

const counts = { type: 'object', additionalProperties: integer };
const stats = object({
  bySeverity: counts,
  byService: counts,
  topIssues: { type: 'array', items: ref('IssueSummary'), maxItems: 10 },
  lastHour: { ...integer, description: 'events of the last 60 minutes, by their own time' },
  lastDay: { ...integer, description: 'events of the last 24 hours, by their own time' },
  openIssues: integer,
  trend: perHour,
});

const sessionSummary = object(
  {
    id: {
      type: 'string',
      description:
        'the correlation id, else the trace id; the correlation id too when the session was asked for by a trace id linked to it',
    },
    correlationId: text,
    services: texts,
    projectIds: {
      type: 'array',
      items: positiveId,
      description:
        'the projects its records were sent to, by id (as /projects lists them), ascending',
    },
    start: time,
    end: time,
    durationMs: number,
    operations: integer,
    errors: integer,
    slowOperations: integer,
  },
  ['correlationId'],
);

const offsetMs = { type: 'number', description: "milliseconds from the session's start" };
const sessionOperation = object(
  {
    traceId: text,
    spanId: text,
    parentSpanId: text,
    name: text,
    service: text,
    start: time,
    end: time,
    offsetMs,
    durationMs: number,
    status: text,
    statusMessage: text,
    slow: { type: 'boolean' },
    attributes: { type: 'object' },
  },
  ['parentSpanId', 'statusMessage'],
);

const sessionErrorEvent = object(
  {
    eventId: text,
    issueId: integer,
    title: {
      ...text,
      description: "the event's own title (its exception or message), not its issue's",
    },
    level: text,
    service: text,
    timestamp: time,
    offsetMs,
    spanId: text,
  },
  ['spanId'],
);

const memorySnapshot = object(
  {
    time,
    offsetMs,
    service: text,
    rss: { type: 'number', description: 'bytes' },
    heapUsed: { type: 'number', description: 'bytes' },
  },
  ['rss', 'heapUsed'],
);

/** A detail's list: the first DETAIL_RECORDS by time; the session's counts are of them all. */
const firstOf = (items: object, what: string) => ({
  type: 'array',
  items,
  maxItems: DETAIL_RECORDS,
  description: `the session's ${what}, the first ${DETAIL_RECORDS} by time at most (its counts are of them all: \`operations\` greater than the timeline's length says the timeline was cut)`,
});
const sessionDetail = extend(sessionSummary, {
  traceIds: firstOf({ type: 'string' }, 'trace ids'),
  timeline: firstOf(ref('SessionOperation'), 'operations'),
  errorEvents: firstOf(ref('SessionErrorEvent'), 'error events'),
  memory: firstOf(ref('MemorySnapshot'), 'memory snapshots'),
});

const error = object({ error: { type: 'string', description: 'what is wrong' } });

const json = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema } },
});
const ok = (schema: object) => json('OK', schema);
const errors = {
  '400': json('bad parameter', ref('Error')),
  '401': {
    ...json('missing or wrong token', ref('Error')),
    headers: {
      'WWW-Authenticate': { schema: { type: 'string', example: 'Bearer realm="beacon-tracker"' } },
    },
  },
  '500': json('the tracker failed inside; the request may be sent again', ref('Error')),
};
/** What a request with a body can be answered besides. */
const bodyErrors = {
  '413': json('body over 1 MB', ref('Error')),
  '415': json('body not sent as application/json', ref('Error')),
};
const notFound = (what: string) => ({ '404': json(`no such ${what}`, ref('Error')) });
/**
 * The answer to a method a path does not list. It belongs to no operation (there is none for that
 * method), so it is a component the document's description names.
 */
const methodNotAllowed = {
  ...json('the path does not serve this method', ref('Error')),
  headers: {
    Allow: { schema: { type: 'string', example: 'GET, HEAD, PATCH' } },
  },
};
const param = (name: string, schema: object, where = 'query', description?: string) => ({
  name,
  in: where,
  required: where === 'path',
  schema,
  ...(description ? { description } : {}),
});
/**
 * A `q` search text: any but a NUL character, which the server refuses (400): SQLite's LIKE
 * would read the pattern up to it and match everything.
 */
const searchText = { type: 'string', pattern: '^[^\\u0000]*$' };
/** A filter an issue matches when any of its events does. */
// The server reads at most 15 decimal digits (rest.ts) and refuses more with 400.
const epochMillis = { ...integer, minimum: 0, maximum: 999_999_999_999_999 };
const anyEvent = (name: string, what: string) =>
  param(name, text, 'query', `Issues with an event ${what}, not only as their latest.`);
/** anyEvent of several values, each its own parameter (form style, exploded: OpenAPI's default). */
const anyEventOf = (name: string, what: string) => ({
  ...param(
    name,
    { type: 'array', items: text, minItems: 1, maxItems: 100 },
    'query',
    `Issues with an event ${what}, not only as their latest. Given several times (${name}=a&${name}=b), any of them; at most 100.`,
  ),
  style: 'form',
  explode: true,
});
const issueId = param('id', positiveId, 'path');
/** The project filter of a list: any of its ids, each its own parameter, as anyEventOf. */
const projects = (what: string) => ({
  ...param(
    'project',
    { type: 'array', items: positiveId, minItems: 1, maxItems: 100 },
    'query',
    `${what} of this project (its id, as /projects lists it). Given several times (project=1&project=2), any of them; at most 100.`,
  ),
  style: 'form',
  explode: true,
});
/** A cursor-paged list of what an issue holds (its events, its feedback), as rest.ts serves it. */
const issuePage = (summary: string, item: string, description?: string) => ({
  get: {
    summary,
    ...(description !== undefined ? { description } : {}),
    parameters: [
      issueId,
      param('cursor', text),
      param('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
    ],
    responses: { '200': ok(page(ref(item))), ...notFound('issue'), ...errors },
  },
});
/** The GET of an attachment's bytes, an event's or a piece of feedback's. */
const attachmentDownload = (summary: string) => ({
  summary,
  parameters: [param('id', positiveId, 'path')],
  responses: {
    '200': {
      description: 'the bytes, always as application/octet-stream (never rendered)',
      content: {
        'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
      },
      headers: {
        'Content-Disposition': {
          description: 'an attachment named as the SDK named it',
          schema: { type: 'string', example: 'attachment; filename="config.json"' },
        },
      },
    },
    '404': json('no such attachment, or one filtered whole', ref('Error')),
    ...errors,
  },
});
/**
 * A body the operation cannot go without (OpenAPI's requestBody is optional unless it says): an
 * object of these properties, others ignored as Sentry's issue validators (DRF serializers)
 * ignore them, so not closed as the answers' objects are: the server takes `{ status, note }`.
 */
const jsonRequest = (properties: Record<string, object>) => ({
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: Object.keys(properties),
        properties,
        description: 'Other properties are ignored.',
      },
    },
  },
});
/** An issue id in a body: a JSON integer, up to the largest a JSON number holds exactly. */
const bodyIssueId = { ...integer, minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const sessionId = param(
  'id',
  text,
  'path',
  "A session's id (its correlation id, else its trace id), or a trace id linked to a correlation id: the trace's records are then part of that correlation id's session, which is answered with its own `id`, directly rather than by a redirect a client reading through a proxy could not follow.",
);

export function openApiDocument(): object {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Beacon tracking server',
      version: '0.1.0',
      description:
        'A path below answers a method it does not list with 405 (components.responses.MethodNotAllowed) and an Allow header naming those it serves (GET with HEAD), and OPTIONS with 204 and that Allow header.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: { MethodNotAllowed: methodNotAllowed },
      schemas: {
        IssueSummary: issueSummary,
        IssueDetail: issueDetail,
        StoredEvent: storedEvent,
        Attachment: attachment,
        Feedback: feedback,
        IssueFeedback: extend(feedback, {
          eventId: { ...text, description: 'the event it names' },
        }),
        FeedbackEntry: extend(
          feedback,
          {
            projectId: integer,
            eventId: { ...text, description: 'the event it names; absent where it names none' },
            issue: {
              ...object({ id: integer, title: text }),
              description: "the event's issue, where the feedback is linked to it",
            },
          },
          ['eventId', 'issue'],
        ),
        Stats: stats,
        SessionSummary: sessionSummary,
        SessionDetail: sessionDetail,
        SessionOperation: sessionOperation,
        SessionErrorEvent: sessionErrorEvent,
        MemorySnapshot: memorySnapshot,
        Error: error,
      },
    },
    paths: {
      '/projects': {
        get: {
          summary: "The projects the tracker's config.json lists, by id",
          description:
            "Names and ids only: a project's key, which its SDKs send events with, is not answered. A project `project add` creates is listed within a second (the server watches config.json).",
          responses: {
            '200': ok(
              object({
                items: { type: 'array', items: object({ id: positiveId, name: text }) },
              }),
            ),
            ...errors,
          },
        },
      },
      '/issues': {
        get: {
          summary: 'Issues, filtered and sorted, a page at a time',
          description:
            'The cursor continues after the last issue of the page in the sort order. With every sort, an issue whose sort value changes between pages can be missed or repeated: a new event moves it up in last_seen, events or users order, from the pages not yet read to those already read, and it is missed; an event older than its first (an SDK sending its offline queue) moves it down in first_seen order, from the pages already read to those not yet read, and it comes again. A client that appends pages keeps one row per issue id; page again from the start for a complete list at one moment.',
          parameters: [
            projects('Issues'),
            param('status', oneOf(STATUSES)),
            param('severity', oneOf(SEVERITIES)),
            param('type', oneOf(TYPES)),
            anyEventOf('service', 'from this service'),
            anyEventOf('environment', 'in this environment'),
            anyEvent('release', 'of this release'),
            param('q', searchText),
            param(
              'seenAfter',
              epochMillis,
              'query',
              'Issues last seen at or after this time (epoch milliseconds, decimal digits): with seenBefore, the issues active in a time range. Not later than seenBefore (400).',
            ),
            param(
              'seenBefore',
              epochMillis,
              'query',
              'Issues first seen at or before this time (epoch milliseconds, decimal digits).',
            ),
            param(
              'sort',
              { ...oneOf(SORTS), default: 'last_seen' },
              'query',
              'events: by the events in the time range (rangeCount) when one is given, else by the lifetime count.',
            ),
            param('cursor', text),
            param('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }),
          ],
          responses: { '200': ok(page(ref('IssueSummary'))), ...errors },
        },
      },
      '/issues/{id}': {
        get: {
          summary: 'One issue with its grouping, releases and latest event',
          parameters: [issueId],
          responses: { '200': ok(ref('IssueDetail')), ...notFound('issue'), ...errors },
        },
        patch: {
          summary: 'Change the status of one issue',
          parameters: [issueId],
          requestBody: jsonRequest({ status: oneOf(STATUSES) }),
          responses: {
            '200': ok(ref('IssueDetail')),
            ...notFound('issue'),
            ...errors,
            ...bodyErrors,
          },
        },
      },
      '/issues/{id}/events': issuePage(
        'The events of an issue, newest first',
        'StoredEvent',
        `A page holds at most limit events, and at most ${EVENTS_PAGE_BYTES} bytes (2 MiB) of their JSON (each event's \`event\`): it ends before the event that would take it past that, with a nextCursor that reads on from there, so a page may hold fewer than limit events and still not be the last. An event of more than 2 MiB alone is a page of its own: each page holds at least one event.`,
      ),
      '/issues/{id}/feedback': issuePage(
        "What users wrote about an issue's events, newest first: the feedback linked to the issue, which is feedback about an event of about the last hour (the writer's recent ids) or one that came within the hour after it; an event's own `feedback` lists all of it",
        'IssueFeedback',
      ),
      '/feedback': {
        get: {
          summary: 'All user feedback, of every project, newest first',
          description:
            'Feedback naming no event, and feedback about an event it was not linked to (see /issues/{id}/feedback), are listed here too. The cursor continues after the last item of the page: feedback received since the first page comes before it, and is not in the pages after.',
          parameters: [
            projects('Feedback sent to an envelope endpoint'),
            param(
              'q',
              searchText,
              'query',
              'Feedback whose message, name or address contains this, ignoring case in every script',
            ),
            param('cursor', text),
            param('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
          ],
          responses: { '200': ok(page(ref('FeedbackEntry'))), ...errors },
        },
      },
      '/attachments/{id}': {
        get: attachmentDownload("An event's attachment as a download of its (scrubbed) bytes"),
      },
      '/feedback/attachments/{id}': {
        get: attachmentDownload(
          "An attachment of a piece of user feedback (the feedback widget's screenshot) as a download of its (scrubbed) bytes",
        ),
      },
      '/issues/status': {
        post: {
          summary: 'Change the status of many issues',
          requestBody: jsonRequest({
            ids: { type: 'array', items: bodyIssueId, minItems: 1, maxItems: 1000 },
            status: oneOf(STATUSES),
          }),
          responses: {
            '200': ok(
              object({
                updated: { ...integers, description: 'ids whose status was set' },
                notFound: { ...integers, description: 'ids of no issue' },
              }),
            ),
            ...errors,
            ...bodyErrors,
          },
        },
      },
      '/stats': {
        get: {
          summary: 'Totals by severity and service, top issues, last hour and day, hourly trend',
          parameters: [projects('Totals')],
          responses: { '200': ok(ref('Stats')), ...errors },
        },
      },
      '/sessions': {
        get: {
          summary:
            'Debug sessions (operations, errors and memory snapshots sharing a correlation id, else a trace id), most recent first',
          parameters: [
            projects('Sessions with records'),
            param(
              'q',
              searchText,
              'query',
              'Sessions whose id contains this, case and all; a whole trace id (32 hex digits, any case) also finds the session the trace is part of',
            ),
            param('service', text),
            param('minDurationMs', {
              type: 'number',
              minimum: 0,
              // The server reads up to 12 decimal digits before the point (rest.ts).
              maximum: 999_999_999_999,
            }),
            param('hasErrors', oneOf(['true', 'false'])),
            param('cursor', text),
            param('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
          ],
          responses: { '200': ok(page(ref('SessionSummary'))), ...errors },
        },
      },
      '/sessions/{id}': {
        get: {
          summary:
            'One session: operation timeline (slow operations flagged), error events, memory snapshots',
          parameters: [sessionId],
          responses: { '200': ok(ref('SessionDetail')), ...notFound('session'), ...errors },
        },
      },
      '/sessions/{id}/export': {
        get: {
          summary: 'One session as a JSON download',
          parameters: [sessionId],
          responses: {
            '200': {
              ...ok(object({ exportedAt: time, session: ref('SessionDetail') })),
              headers: {
                'Content-Disposition': {
                  description:
                    "an attachment named debug-session-<id>.json: the session's id, at most 200 characters of it, each character but an ASCII letter, a digit, _, . and - written as _",
                  schema: {
                    type: 'string',
                    example: 'attachment; filename="debug-session-req-42.json"',
                  },
                },
              },
            },
            ...notFound('session'),
            ...errors,
          },
        },
      },
    },
  };
}
