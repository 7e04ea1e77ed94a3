// The REST API described for the plugin and for people: /api/v1/openapi.json (OpenAPI 3.0).
const issueSummary = {
  type: 'object',
  required: [
    'id',
    'title',
    'culprit',
    'status',
    'severity',
    'type',
    'service',
    'count',
    'users',
    'firstSeen',
    'lastSeen',
    'groupedBy',
    'hourly',
  ],
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    culprit: { type: 'string' },
    status: { type: 'string', enum: ['open', 'investigating', 'resolved', 'ignored'] },
    severity: { type: 'string', enum: ['critical', 'error', 'warning', 'info'] },
    type: {
      type: 'string',
      enum: ['application', 'database', 'external_api', 'validation', 'security'],
    },
    service: { type: 'string' },
    count: { type: 'integer' },
    users: { type: 'integer' },
    firstSeen: { type: 'string', format: 'date-time' },
    lastSeen: { type: 'string', format: 'date-time' },
    groupedBy: {
      type: 'string',
      enum: ['fingerprint', 'in-app frames', 'exception type and value', 'message'],
    },
    hourly: {
      type: 'array',
      items: { type: 'integer' },
      minItems: 24,
      maxItems: 24,
      description: 'events per hour, last 24 hours, oldest first',
    },
  },
};
const sessionSummary = {
  type: 'object',
  required: [
    'id',
    'services',
    'start',
    'end',
    'durationMs',
    'operations',
    'errors',
    'slowOperations',
  ],
  properties: {
    id: { type: 'string', description: 'the correlation id, else the trace id' },
    correlationId: { type: 'string' },
    services: { type: 'array', items: { type: 'string' } },
    start: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
    durationMs: { type: 'number' },
    operations: { type: 'integer' },
    errors: { type: 'integer' },
    slowOperations: { type: 'integer' },
  },
};
const sessionDetail = {
  allOf: [
    sessionSummary,
    {
      type: 'object',
      required: ['traceIds', 'timeline', 'errorEvents', 'memory'],
      properties: {
        traceIds: { type: 'array', items: { type: 'string' } },
        timeline: { type: 'array', items: { type: 'object' } },
        errorEvents: { type: 'array', items: { type: 'object' } },
        memory: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              time: { type: 'string', format: 'date-time' },
              offsetMs: { type: 'number' },
              service: { type: 'string' },
              rss: { type: 'number' },
              heapUsed: { type: 'number' },
            },
          },
        },
      },
    },
  ],
};
const error = { type: 'object', properties: { error: { type: 'string' } } };
const notFound = { description: 'no such id', content: { 'application/json': { schema: error } } };
const errors = {
  '400': { description: 'bad parameter', content: { 'application/json': { schema: error } } },
  '401': {
    description: 'missing or wrong token',
    content: { 'application/json': { schema: error } },
  },
};
const param = (name: string, schema: object, where = 'query') => ({
  name,
  in: where,
  required: where === 'path',
  schema,
});
const ok = (schema: object) => ({ description: 'OK', content: { 'application/json': { schema } } });

export function openApiDocument(): object {
  return {
    openapi: '3.0.3',
    info: { title: 'Beacon tracking server', version: '0.1.0' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { IssueSummary: issueSummary, Error: error },
    },
    paths: {
      '/issues': {
        get: {
          summary: 'Issues, filtered and sorted, a page at a time',
          parameters: [
            param('status', {
              type: 'string',
              enum: ['open', 'investigating', 'resolved', 'ignored'],
            }),
            param('severity', { type: 'string', enum: ['critical', 'error', 'warning', 'info'] }),
            param('type', {
              type: 'string',
              enum: ['application', 'database', 'external_api', 'validation', 'security'],
            }),
            param('service', { type: 'string' }),
            param('environment', { type: 'string' }),
            param('release', { type: 'string' }),
            param('q', { type: 'string' }),
            param('sort', {
              type: 'string',
              enum: ['last_seen', 'first_seen', 'events', 'users'],
              default: 'last_seen',
            }),
            param('cursor', { type: 'string' }),
            param('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }),
          ],
          responses: {
            '200': ok({
              type: 'object',
              properties: {
                items: { type: 'array', items: { $ref: '#/components/schemas/IssueSummary' } },
                nextCursor: { type: 'string', nullable: true },
              },
            }),
            ...errors,
          },
        },
      },
      '/issues/{id}': {
        get: {
          summary: 'One issue with its grouping, releases and latest event',
          parameters: [param('id', { type: 'integer' }, 'path')],
          responses: {
            '200': ok({ type: 'object' }),
            '404': { description: 'no such issue' },
            ...errors,
          },
        },
        patch: {
          summary: 'Change the status of one issue',
          parameters: [param('id', { type: 'integer' }, 'path')],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status'],
                  properties: {
                    status: {
                      type: 'string',
                      enum: ['open', 'investigating', 'resolved', 'ignored'],
                    },
                  },
                },
              },
            },
          },
          responses: {
            '200': ok({ type: 'object' }),
            '404': { description: 'no such issue' },
            ...errors,
          },
        },
      },
      '/issues/{id}/events': {
        get: {
          summary: 'The events of an issue, newest first',
          parameters: [
            param('id', { type: 'integer' }, 'path'),
            param('cursor', { type: 'string' }),
            param('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
          ],
          responses: { '200': ok({ type: 'object' }), ...errors },
        },
      },
      '/issues/status': {
        post: {
          summary: 'Change the status of many issues',
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['ids', 'status'],
                  properties: {
                    ids: { type: 'array', items: { type: 'integer' } },
                    status: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            '200': ok({
              type: 'object',
              properties: {
                updated: { type: 'array', items: { type: 'integer' } },
                notFound: { type: 'array', items: { type: 'integer' } },
              },
            }),
            ...errors,
          },
        },
      },
      '/stats': {
        get: {
          summary: 'Totals by severity and service, top issues, last hour and day, hourly trend',
          responses: { '200': ok({ type: 'object' }), ...errors },
        },
      },
      '/sessions': {
        get: {
          summary:
            'Debug sessions (operations, errors and memory snapshots sharing a correlation id, else a trace id), most recent first',
          parameters: [
            param('q', { type: 'string' }),
            param('service', { type: 'string' }),
            param('minDurationMs', { type: 'number', minimum: 0 }),
            param('hasErrors', { type: 'string', enum: ['true', 'false'] }),
            param('cursor', { type: 'string' }),
            param('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
          ],
          responses: {
            '200': ok({
              type: 'object',
              required: ['items', 'nextCursor'],
              properties: {
                items: { type: 'array', items: sessionSummary },
                nextCursor: { type: 'string', nullable: true },
              },
            }),
            ...errors,
          },
        },
      },
      '/sessions/{id}': {
        get: {
          summary:
            'One session: operation timeline (slow operations flagged), error events, memory snapshots',
          parameters: [param('id', { type: 'string' }, 'path')],
          responses: { '200': ok(sessionDetail), '404': notFound, ...errors },
        },
      },
      '/sessions/{id}/export': {
        get: {
          summary: 'One session as a JSON download',
          parameters: [param('id', { type: 'string' }, 'path')],
          responses: {
            '200': ok({
              type: 'object',
              required: ['exportedAt', 'session'],
              properties: {
                exportedAt: { type: 'string', format: 'date-time' },
                session: sessionDetail,
              },
            }),
            '404': notFound,
            ...errors,
          },
        },
      },
    },
  };
}
