// Sentry ingest: POST /api/{projectId}/envelope/ and the legacy /api/{projectId}/store/, answered
// in Sentry's protocol — 200 {"id"} only after the events are committed; 400 with X-Sentry-Error
// for what does not parse; 403 for a missing or wrong key; 413 naming the limit; 429 with
// Retry-After and X-Sentry-Rate-Limits.
import type { Request, Response } from 'express';
import { sentryKey } from '../ingest/auth';
import { BodyError, LIMITS, readBody } from '../ingest/body';
import { EnvelopeError, itemJson, parseEnvelope } from '../ingest/envelope';
import { EventError, readEvent, type TrackedEvent } from '../ingest/event';
import type { Operation } from '../ingest/otlp';
import { RateLimiter } from '../ingest/rate-limit';
import { transactionOperations } from '../ingest/transaction';
import type { Project } from '../projects';
import { createScrubber } from '../scrub/scrub';

export class IngestError extends Error {
  constructor(
    readonly status: 400 | 403 | 413 | 415 | 429,
    readonly reason: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

/** Item types accepted and not stored (yet): sessions, client reports, attachments, …. */
const ACCEPTED_NOT_STORED = new Set([
  'session',
  'sessions',
  'client_report',
  'attachment',
  'transaction',
  'profile',
  'replay_event',
  'replay_recording',
  'check_in',
  'statsd',
  'user_report',
  'feedback',
]);

export interface SentryIngestDeps {
  readonly project: (id: number) => Project | undefined;
  /** Operations from `transaction` items (debug sessions). */
  readonly storeOperations: (projectId: number, operations: Operation[]) => void;
  readonly store: (events: TrackedEvent[]) => Promise<unknown>;
  readonly now: () => number;
  readonly onRejected: (reason: string) => void;
  readonly onStored: (events: readonly TrackedEvent[], project: Project, seconds: number) => void;
}

export function sentryIngest(deps: SentryIngestDeps) {
  const limiter = new RateLimiter(deps.now);
  const scrubbers = new Map<number, (v: unknown) => unknown>();
  const scrubberFor = (p: Project) => {
    let s = scrubbers.get(p.id);
    if (!s) scrubbers.set(p.id, (s = createScrubber(p.scrub)));
    return s;
  };

  function authorise(req: Request): Project {
    const id = Number(req.params.projectId);
    const project = Number.isSafeInteger(id) ? deps.project(id) : undefined;
    const key = sentryKey(req.headers, new URLSearchParams(req.originalUrl.split('?')[1] ?? ''));
    if (!key)
      throw new IngestError(
        403,
        'auth',
        'missing authorization: sentry_key in X-Sentry-Auth or the query string',
      );
    if (!project || project.key !== key)
      throw new IngestError(403, 'auth', `invalid sentry_key for project ${req.params.projectId}`);
    return project;
  }

  function eventFrom(payload: unknown, size: number, project: Project): TrackedEvent {
    if (size > LIMITS.event)
      throw new IngestError(
        413,
        'too_large',
        `event exceeds the ${LIMITS.event / 1048576} MB limit on one event`,
      );
    try {
      return readEvent(payload, project.id, scrubberFor(project), deps.now());
    } catch (err) {
      if (err instanceof EventError) throw new IngestError(400, 'invalid_event', err.message);
      throw err;
    }
  }

  async function handle(req: Request, res: Response, kind: 'envelope' | 'store'): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const project = authorise(req);
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (err) {
        if (err instanceof BodyError)
          throw new IngestError(
            err.status === 415 ? 415 : err.status,
            err.status === 413 ? 'too_large' : 'invalid_body',
            err.message,
          );
        throw err;
      }
      const events: TrackedEvent[] = [];
      const operations: Operation[] = [];
      let id: string | undefined;
      if (kind === 'envelope') {
        let envelope;
        try {
          envelope = parseEnvelope(body);
        } catch (err) {
          if (err instanceof EnvelopeError)
            throw new IngestError(400, 'invalid_envelope', `invalid envelope: ${err.message}`);
          throw err;
        }
        id = typeof envelope.headers.event_id === 'string' ? envelope.headers.event_id : undefined;
        envelope.items.forEach((item, i) => {
          if (item.type === 'event') {
            let json;
            try {
              json = itemJson(item, i + 1);
            } catch (err) {
              throw new IngestError(
                400,
                'invalid_envelope',
                `invalid envelope: ${(err as Error).message}`,
              );
            }
            events.push(eventFrom(json, item.payload.length, project));
          } else if (item.type === 'transaction') {
            let json;
            try {
              json = itemJson(item, i + 1);
            } catch (err) {
              throw new IngestError(
                400,
                'invalid_envelope',
                `invalid envelope: ${(err as Error).message}`,
              );
            }
            operations.push(
              ...transactionOperations(scrubberFor(project)(json) as Record<string, unknown>),
            );
          } else if (!ACCEPTED_NOT_STORED.has(item.type)) {
            // Unknown item types are skipped, as the protocol asks of a receiver.
          }
        });
      } else {
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch (err) {
          throw new IngestError(
            400,
            'invalid_event',
            `event is not JSON: ${(err as Error).message}`,
          );
        }
        events.push(eventFrom(json, body.length, project));
      }
      const wait = limiter.take(project.id, project.eventsPerMinute, events.length);
      if (wait > 0)
        throw new IngestError(
          429,
          'rate_limited',
          `project ${project.id} is over its limit of ${project.eventsPerMinute} events per minute`,
          wait,
        );
      if (operations.length > 0) deps.storeOperations(project.id, operations);
      if (events.length > 0) await deps.store(events);
      deps.onStored(events, project, Number(process.hrtime.bigint() - started) / 1e9);
      res.status(200).json({ id: (id ?? events[0]?.eventId ?? '').replace(/-/g, '') || null });
    } catch (err) {
      if (!(err instanceof IngestError)) {
        deps.onRejected('internal');
        res.status(500).set('X-Sentry-Error', 'internal error').json({ detail: 'internal error' });
        throw err;
      }
      deps.onRejected(err.reason);
      if (err.status === 429 && err.retryAfter !== undefined) {
        res.set('Retry-After', String(err.retryAfter));
        res.set('X-Sentry-Rate-Limits', `${err.retryAfter}:error;default;transaction:project`);
      }
      res.status(err.status).set('X-Sentry-Error', err.message).json({ detail: err.message });
      // Drain what is left of a refused body so the connection can be reused.
      req.resume();
    }
  }

  return {
    envelope: (req: Request, res: Response) => handle(req, res, 'envelope'),
    store: (req: Request, res: Response) => handle(req, res, 'store'),
  };
}
