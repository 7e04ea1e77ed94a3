// Sentry ingest: POST /api/{projectId}/envelope/ and the legacy /api/{projectId}/store/, answered
// in Sentry's protocol — 200 {"id"} only after the events are committed; 400 with X-Sentry-Error
// for what does not parse; 403 for a missing or wrong key; 413 naming the limit; 429 with
// Retry-After and X-Sentry-Rate-Limits. Written on node:http's request and response, not
// express's: ingest is the hot path, and app.ts routes it before express sees the request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { parseDsn, queryOf, sentryKey } from '../ingest/auth';
import {
  ACCEPTED_ENCODINGS,
  BodyError,
  type BodyBudget,
  LIMITS,
  readBody,
  RETRY_AFTER_FULL,
  type BodyLimits,
} from '../ingest/body';
import { readAttachment, scrubAttachment, type SentAttachment } from '../ingest/attachment';
import { clockDrift, sentAtOf, withoutClockDrift } from '../ingest/clock-drift';
import { type ClientDiscard, readClientReport } from '../ingest/client-report';
import { EnvelopeError, itemJson, parseEnvelope, TooManyItemsError } from '../ingest/envelope';
import { isSpanV2, readSpanItem, readStandaloneSpan } from '../ingest/span-items';
import type { Obj } from '../ingest/json';
import { EventError, maxPastMs } from '../ingest/event';
import { readFeedback, type SentFeedback } from '../ingest/feedback';
import type { EventFacts, SentEvents } from '../ingest/sent-events';
import type { Operation } from '../ingest/otlp';
import { RateLimiter } from '../ingest/rate-limit';
import { readTransaction, type DroppedTransaction } from '../ingest/transaction';
import { StoreBodyTooLarge, storeBodyText } from '../ingest/store-body';
import { nonFiniteAsNull, sendsPythonJson, sentryClient } from '../ingest/python-json';
import type { Project } from '../projects';
import { scrubberCache } from '../scrub/scrub';
import { scrubOperation } from '../scrub/scrub-operation';
import { answersBeforeBody, endAfterLinger } from './linger';

export class IngestError extends Error {
  constructor(
    readonly status: 400 | 403 | 408 | 413 | 415 | 429 | 499 | 503,
    /**
     * The rejected-requests metric's reason: auth, malformed, too_large, rate_limited, overloaded,
     * stalled, aborted; internal for a store that failed.
     */
    readonly reason:
      | 'auth'
      | 'malformed'
      | 'too_large'
      | 'rate_limited'
      | 'overloaded'
      | 'stalled'
      | 'aborted'
      | 'internal',
    message: string,
    readonly retryAfter?: number,
    /** A 429's X-Sentry-Rate-Limits: the categories refused, each with its wait (rateLimits). */
    readonly rateLimits?: string,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

/**
 * X-Sentry-Rate-Limits naming what was refused, `<seconds>:<categories>:project` for each wait
 * over 0 (the header SDKs read): only those categories, so an SDK keeps sending the others.
 */
const rateLimits = (waits: readonly (readonly [number, string])[]) =>
  waits
    .filter(([wait]) => wait > 0)
    .map(([wait, categories]) => `${wait}:${categories}:project`)
    .join(', ');

/**
 * Item types accepted and not stored (yet): sessions, profiles, …. (Transactions, span v2 items,
 * client reports, attachments and user feedback are read where the items are.)
 */
const ACCEPTED_NOT_STORED = new Set([
  'session',
  'sessions',
  'transaction',
  'profile',
  'replay_event',
  'replay_recording',
  'check_in',
  'statsd',
]);

/** The item types that carry user feedback (feedback.ts). */
const FEEDBACK_ITEMS = new Set(['user_report', 'feedback']);

export interface SentryIngestDeps {
  readonly project: (id: number) => Project | undefined;
  /** Operations from `transaction` and `span` items (debug sessions). */
  readonly storeOperations: (projectId: number, operations: Operation[]) => Promise<void>;
  /** User feedback (`user_report` and `feedback` items), read and scrubbed. */
  readonly storeFeedback: (projectId: number, feedback: SentFeedback[]) => Promise<void>;
  /**
   * Reads and stores one request's events; rejects with an EventError when one is not an event.
   * Resolves with every event of the request (`events`, what it is answered with) and those of
   * them stored by it (`stored`: not an event stored already, store/write-calls.ts).
   */
  readonly store: (
    sent: SentEvents,
  ) => Promise<{ readonly events: readonly EventFacts[]; readonly stored: readonly EventFacts[] }>;
  readonly now: () => number;
  /** The bytes of bodies held at once, shared with OTLP ingest. */
  readonly bodyBudget: BodyBudget;
  /** Default LIMITS. */
  readonly limits?: BodyLimits;
  readonly onRejected: (reason: string) => void;
  /**
   * A transaction, or a span of a `span` item, answered 200 and not stored, as Relay drops it
   * (transaction.ts, span-items.ts).
   */
  readonly onDroppedTransaction: (reason: DroppedTransaction) => void;
  /** What an SDK's client reports say it discarded unsent (client-report.ts). */
  readonly onClientDiscards: (discards: readonly ClientDiscard[], project: Project) => void;
  /** A request's events committed: `events` those of them stored by it (`store`'s `stored`). */
  readonly onStored: (
    events: readonly EventFacts[],
    project: Project,
    seconds: number,
    protocol: 'envelope' | 'store',
  ) => void;
  /** An unexpected failure (answered 500 "internal error"), for the log. */
  readonly onError: (err: unknown) => void;
}

/**
 * A forwarded hop as an address: an IP address, or one followed by a port (`203.0.113.5:4711`,
 * `[2001:db8::1]:4711`, as Azure Application Gateway writes it); anything else (`unknown`, which
 * Squid writes with `forwarded_for off`, or any text a client chose) is none.
 */
function hopAddress(hop: string): string | undefined {
  if (isIP(hop)) return hop;
  const ip = (/^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop) ?? /^\[([^\]]+)\](?::\d+)?$/.exec(hop))?.[1];
  return ip !== undefined && isIP(ip) ? ip : undefined;
}

/**
 * The sender's address: the first X-Forwarded-For hop when an ingress put one there — none when
 * that hop is no address, as Relay reads it (request_meta.rs, client_addr) — else the connection's
 * peer; an IPv4 address is written without its IPv6 mapping.
 */
export function clientAddress(req: IncomingMessage): string | undefined {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const address = first ? hopAddress(first) : req.socket.remoteAddress;
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

const isEnvelopeType = (type: string | undefined) =>
  type?.split(';')[0]?.trim().toLowerCase() === 'application/x-sentry-envelope';

/** A store body that is a transaction (`"type": "transaction"`), parsed; else undefined. */
function storedTransaction(text: string): Record<string, unknown> | undefined {
  if (!text.includes('"transaction"')) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' &&
      json !== null &&
      (json as { type?: unknown }).type === 'transaction'
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // read as an event, which answers what is wrong with it
  }
}

/**
 * The id of a transaction posted to the store endpoint, as Relay reads a store body's `event_id`
 * (endpoints/store.rs, parse_event; common.rs, MinimalEvent): absent or null, one is made and
 * answered; anything but an id is a 400 naming it, as an event's is.
 */
function storedTransactionId(value: unknown): string {
  if (value === undefined || value === null) return randomUUID().replace(/-/g, '');
  if (typeof value === 'string' && /^[0-9a-f]{32}$/i.test(value.replace(/-/g, ''))) return value;
  // A list or object is not quoted whole: the message is a response header.
  const shown =
    typeof value !== 'object' ? JSON.stringify(value) : Array.isArray(value) ? '[...]' : '{...}';
  throw new IngestError(400, 'malformed', `event_id ${shown} is not 32 hex digits`);
}

/** A header value as HTTP allows it: printable ASCII, one line, not too long. */
export function headerSafe(text: string): string {
  const safe = text.replace(/[^\x20-\x7e]/g, '?');
  return safe.length > 500 ? `${safe.slice(0, 497)}...` : safe;
}

/** Answers `body`; with `closeAfter`, on a connection that closes after it (linger.ts). */
/** A transparent 1×1 GIF: the answer to an event sent by GET, which an `<img>` loaded. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The event of a GET to the store endpoint: its `sentry_data` parameter (JSON, or base64 of JSON
 * or zlib, read as a store body), as raven-js sent it and Relay's store endpoint takes it.
 */
function sentryData(req: IncomingMessage): Buffer {
  const data = queryOf(req).get('sentry_data');
  if (data === null)
    throw new IngestError(400, 'malformed', 'missing query parameter sentry_data (the event)');
  return Buffer.from(data, 'utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  closeAfter?: IncomingMessage,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
    ...(closeAfter ? { Connection: 'close' } : {}),
  });
  if (closeAfter) endAfterLinger(closeAfter, res, text);
  else res.end(text);
}

export function sentryIngest(deps: SentryIngestDeps) {
  const limiter = new RateLimiter(deps.now);
  // User feedback is limited by the same eventsPerMinute, in windows of its own: Relay limits it
  // as a category of its own, and a flood of it (each with up to 20 MB of screenshots) must not
  // fill the disk while events are limited.
  const feedbackLimiter = new RateLimiter(deps.now);
  const scrubberFor = scrubberCache();

  const MISSING_AUTH =
    "missing authorization: sentry_key in X-Sentry-Auth, the query string or the envelope header's dsn";

  const missingAuth = (): never => {
    throw new IngestError(403, 'auth', MISSING_AUTH);
  };

  /** The key the request names in X-Sentry-Auth or its query string. */
  const requestKey = (req: IncomingMessage) => sentryKey(req.headers, queryOf(req));

  /** Whether two project ids are one number (`/api/07/` is project 7), whatever their length. */
  const sameProject = (a: string, b: string) =>
    a.replace(/^0+(?=.)/, '') === b.replace(/^0+(?=.)/, '');

  /**
   * The key in an envelope header's `dsn`: what Sentry's ingest authenticates an envelope by when
   * the request names none, as when a tunnel on the page's own origin forwards an SDK's envelope
   * (the `tunnel` option of Sentry's browser SDK).
   */
  function dsnKey(dsn: unknown, projectId: string): string {
    if (dsn === undefined) return missingAuth();
    const parsed = typeof dsn === 'string' ? parseDsn(dsn) : undefined;
    if (!parsed)
      throw new IngestError(
        403,
        'auth',
        `invalid dsn in the envelope header: ${JSON.stringify(dsn)}`,
      );
    if (!sameProject(parsed.projectId, projectId))
      throw new IngestError(
        403,
        'auth',
        `the envelope header's dsn is for project ${parsed.projectId}, not ${projectId}`,
      );
    return parsed.key;
  }

  /**
   * An envelope header's `dsn` beside a key the request names must name the request's project and
   * key, as Relay checks it (`EnvelopeHeaders::complete`: "project id / public key header mismatch
   * between envelope and request", a 400): an envelope is never stored in a project other than the
   * one it was written for. A `dsn` that is absent or null names nothing; one that is no DSN is an
   * invalid envelope header, as Relay reads it.
   */
  function checkHeaderDsn(dsn: unknown, projectId: string, key: string): void {
    if (dsn === undefined || dsn === null) return;
    const parsed = typeof dsn === 'string' ? parseDsn(dsn) : undefined;
    const refuse = (why: string): never => {
      throw new IngestError(400, 'malformed', `invalid envelope: ${why}`);
    };
    if (!parsed) refuse(`header dsn ${JSON.stringify(dsn)} is not a DSN`);
    else if (!sameProject(parsed.projectId, projectId))
      refuse(`header dsn is for project ${parsed.projectId}, the request for project ${projectId}`);
    else if (parsed.key !== key)
      refuse("header dsn's public key is not the sentry_key the request names");
  }

  /**
   * A failure of the store (a full disk, a writer thread that stopped): logged, and a 503 in
   * Sentry's form with Retry-After, as OTLP answers one, where it was a 500 "internal error"
   * that told the SDK the tracker is broken, not that it may send again.
   */
  function notStored(err: unknown): IngestError {
    deps.onError(err);
    return new IngestError(
      503,
      'internal',
      'the tracker could not store the request; send it again',
      RETRY_AFTER_FULL,
    );
  }

  function authorise(projectId: string, key: string): Project {
    const id = Number(projectId);
    const project = Number.isSafeInteger(id) ? deps.project(id) : undefined;
    if (!project || project.key !== key)
      throw new IngestError(403, 'auth', `invalid sentry_key for project ${projectId}`);
    return project;
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    asked: 'envelope' | 'store',
    projectId: string,
  ): Promise<void> {
    // Early sentry-native posts envelopes to the store endpoint, saying so in Content-Type.
    const kind =
      asked === 'store' && isEnvelopeType(req.headers['content-type']) ? 'envelope' : asked;
    const started = process.hrtime.bigint();
    /** raven-js' image beacon: the event in the query, answered with a pixel. */
    const viaGet = req.method === 'GET';
    // The body's bytes are held until this handler is done with them, not until the connection
    // closes: an SDK that gives up closes it while the envelope is still read and stored, and the
    // budget let new bodies in on top of it (otlp.ts). What it sent is still stored.
    const hold = deps.bodyBudget.hold();
    try {
      // A key the request names is checked before its body is read; an envelope without one is
      // authorised by its header's dsn, once parsed.
      const sentKey = requestKey(req);
      const keyed =
        sentKey !== undefined
          ? authorise(projectId, sentKey)
          : kind === 'store'
            ? missingAuth()
            : undefined;
      let project: Project;
      let body: Buffer;
      try {
        body = viaGet
          ? sentryData(req)
          : await readBody(
              req,
              deps.limits ?? LIMITS,
              kind === 'envelope' ? 'envelope' : 'request body',
              hold,
            );
      } catch (err) {
        if (err instanceof BodyError)
          throw new IngestError(
            err.status,
            err.reason,
            err.message,
            err.status === 503 ? RETRY_AFTER_FULL : undefined,
          );
        throw err;
      }
      // Events are read where they are stored (see SentEvents); transactions here.
      const texts: SentEvents['items'][number][] = [];
      const operations: Operation[] = [];
      const drops: DroppedTransaction[] = [];
      const discards: ClientDiscard[] = [];
      const feedback: SentFeedback[] = [];
      /** The SDKs' categories of the feedback items (`feedback`; `default`, user reports'). */
      const feedbackCategories = new Set<string>();
      /** Seconds the feedback waits when over its limit (refused, not stored), else 0. */
      let feedbackWait = 0;
      /** What was sent with the envelope's one piece of feedback, scrubbed once it is taken. */
      let feedbackAttachments: SentAttachment[] = [];
      const takeTransaction = (sent: Record<string, unknown>, retentionDays: number) => {
        const read = readTransaction(sent, deps.now(), maxPastMs(retentionDays));
        if ('dropped' in read) drops.push(read.dropped);
        else operations.push(...read.operations);
      };
      /**
       * The feedback, its one piece's attachments scrubbed: only once it is taken, so refused
       * screenshots cost no scrubbing.
       */
      const feedbackToStore = (project: Project): SentFeedback[] => {
        if (feedbackAttachments.length === 0) return feedback;
        const scrub = scrubberFor(project.scrub);
        const attachments = feedbackAttachments.map((a) => scrubAttachment(a, scrub));
        return [{ ...feedback[0]!, attachments }];
      };
      // What is not an event, once the request is answered as taken (200, or 429 for its
      // events or its feedback alone).
      const keepTheRest = async (project: Project) => {
        if (operations.length > 0)
          await deps.storeOperations(project.id, operations).catch((err: unknown) => {
            throw notStored(err);
          });
        if (feedback.length > 0) {
          feedbackWait = feedbackLimiter.take(project.id, project.eventsPerMinute, feedback.length);
          if (feedbackWait === 0)
            await deps.storeFeedback(project.id, feedbackToStore(project)).catch((err: unknown) => {
              throw notStored(err);
            });
        }
        for (const reason of drops) deps.onDroppedTransaction(reason);
        if (discards.length > 0) deps.onClientDiscards(discards, project);
      };
      let id: string | undefined;
      let sentAt: number | undefined;
      if (kind === 'envelope') {
        let envelope;
        try {
          envelope = parseEnvelope(body);
        } catch (err) {
          if (err instanceof TooManyItemsError)
            throw new IngestError(413, 'too_large', `envelope has ${err.message}`);
          if (err instanceof EnvelopeError)
            throw new IngestError(400, 'malformed', `invalid envelope: ${err.message}`);
          throw err;
        }
        if (keyed) checkHeaderDsn(envelope.headers.dsn, projectId, sentKey as string);
        project = keyed ?? authorise(projectId, dsnKey(envelope.headers.dsn, projectId));
        sentAt = sentAtOf(envelope.headers.sent_at);
        const drift = clockDrift(sentAt, deps.now());
        const headerId = envelope.headers.event_id;
        // Relay reads it as an optional event id: absent or null is none, anything else a string.
        if (headerId !== undefined && headerId !== null && typeof headerId !== 'string')
          throw new IngestError(
            400,
            'malformed',
            // A list or object is not quoted whole: the message is a response header.
            `invalid envelope: header event_id ${
              typeof headerId !== 'object'
                ? JSON.stringify(headerId)
                : Array.isArray(headerId)
                  ? '[...]'
                  : '{...}'
            } is not a string`,
          );
        id = headerId ?? undefined;
        if (id !== undefined && !/^[0-9a-f]{32}$/i.test(id.replace(/-/g, '')))
          throw new IngestError(
            400,
            'malformed',
            `invalid envelope: header event_id ${JSON.stringify(id)} is not 32 hex digits`,
          );
        // As Relay's check_envelope_size_limits: the events and transactions of one envelope are
        // within max_event_size together, not only each. Otherwise a 100 MB
        // envelope of tiny events was millions of events read on the ingest thread (80,000 held
        // it 0.8 s).
        let eventBytes = 0;
        let spanBytes = 0;
        let reportBytes = 0;
        let attachmentBytes = 0;
        let feedbackBytes = 0;
        for (const item of envelope.items) {
          if (item.type === 'client_report') reportBytes += item.payload.length;
          if (item.type === 'attachment') attachmentBytes += item.payload.length;
          if (FEEDBACK_ITEMS.has(item.type)) feedbackBytes += item.payload.length;
          if (item.type === 'span') {
            // Span items have limits of their own, as Relay's: a container of many spans (the
            // span stream's 1,000, or an LLM call's gen_ai spans beside their transaction) was
            // held to the 1 MB of one event, and the SDK drops an envelope refused with a 413.
            const count = Number(item.headers.item_count);
            const spans = Number.isSafeInteger(count) && count > 0 ? count : 1;
            if (item.payload.length / spans > LIMITS.event)
              throw new IngestError(
                413,
                'too_large',
                `a span exceeds the ${LIMITS.event / 1048576} MB limit on one span`,
              );
            spanBytes += item.payload.length;
            continue;
          }
          if (item.type !== 'event' && item.type !== 'transaction') continue;
          if (item.payload.length > LIMITS.event)
            throw new IngestError(
              413,
              'too_large',
              `${item.type} exceeds the ${LIMITS.event / 1048576} MB limit on one event`,
            );
          eventBytes += item.payload.length;
        }
        if (eventBytes > LIMITS.event)
          throw new IngestError(
            413,
            'too_large',
            `the events and transactions of one envelope exceed the ${LIMITS.event / 1048576} MB limit on one event together`,
          );
        if (spanBytes > LIMITS.spans)
          throw new IngestError(
            413,
            'too_large',
            `the spans of one envelope exceed the ${LIMITS.spans / 1048576} MB limit together`,
          );
        // Relay's too: a client report is read on this thread, and SDKs send a few lines of one.
        if (reportBytes > LIMITS.clientReports)
          throw new IngestError(
            413,
            'too_large',
            `the client reports of one envelope exceed the ${LIMITS.clientReports / 1024} KB limit together`,
          );
        // As Relay's max_attachments_size, smaller: they are held, scrubbed and written whole.
        if (attachmentBytes > LIMITS.attachments)
          throw new IngestError(
            413,
            'too_large',
            `the attachments of one envelope exceed the ${LIMITS.attachments / 1048576} MB limit together`,
          );
        // Feedback is read on this thread: a few lines a user wrote, in an event at most.
        if (feedbackBytes > LIMITS.event)
          throw new IngestError(
            413,
            'too_large',
            `the user feedback of one envelope exceeds the ${LIMITS.event / 1048576} MB limit on one event`,
          );
        const attachments: SentAttachment[] = [];
        /** The span items, read once the transactions they were taken out of are. */
        const spanItems: { json: Obj; v2: boolean }[] = [];
        envelope.items.forEach((item, i) => {
          if (item.type === 'event') {
            texts.push({ text: item.payload.toString('utf8'), index: i + 1 });
          } else if (item.type === 'transaction') {
            let json;
            try {
              json = itemJson(item, i + 1);
            } catch (err) {
              throw new IngestError(
                400,
                'malformed',
                `invalid envelope: ${(err as Error).message}`,
              );
            }
            const corrected = withoutClockDrift(json, drift);
            takeTransaction(
              scrubberFor(project.scrub)(corrected) as Record<string, unknown>,
              project.retentionDays,
            );
          } else if (item.type === 'span') {
            try {
              // Scrubbed once read, as OTLP's spans are (scrub-operation.ts).
              spanItems.push({ json: itemJson(item, i + 1), v2: isSpanV2(item.headers) });
            } catch (err) {
              throw new IngestError(
                400,
                'malformed',
                `invalid envelope: ${(err as Error).message}`,
              );
            }
          } else if (item.type === 'attachment') {
            try {
              attachments.push(readAttachment(item, i + 1));
            } catch (err) {
              throw new IngestError(
                400,
                'malformed',
                `invalid envelope: ${(err as Error).message}`,
              );
            }
          } else if (FEEDBACK_ITEMS.has(item.type)) {
            feedbackCategories.add(item.type === 'user_report' ? 'default' : 'feedback');
            try {
              feedback.push(readFeedback(item, i + 1, scrubberFor(project.scrub)));
            } catch (err) {
              if (!(err instanceof EnvelopeError)) throw err;
              throw new IngestError(400, 'malformed', `invalid envelope: ${err.message}`);
            }
          } else if (item.type === 'client_report') {
            // One Relay would not read is skipped, as Relay skips it: not the envelope's events.
            for (const discard of readClientReport(item.payload) ?? []) discards.push(discard);
          } else if (!ACCEPTED_NOT_STORED.has(item.type)) {
            // Unknown item types are skipped, as the protocol asks of a receiver.
          }
        });
        // A span's service, where it names none, is that of its trace's transaction.
        const services = new Map(operations.map((o) => [o.traceId, o.service]));
        for (const { json, v2 } of spanItems) {
          const read = (v2 ? readSpanItem : readStandaloneSpan)(json, deps.now(), drift, (t) =>
            services.get(t),
          );
          const scrub = scrubberFor(project.scrub);
          for (const o of read.operations) operations.push(scrubOperation(project.scrub, scrub, o));
          for (let n = 0; n < read.invalid; n++) drops.push('invalid_span');
          for (let n = 0; n < read.outOfRange; n++) drops.push('timestamp');
        }
        // The header's id names the envelope's event (one, as SDKs send it): it is the id stored,
        // and its attachments are the envelope's. An envelope of one piece of feedback and no
        // event is that feedback's (the feedback widget's screenshot: the feedback is the event
        // there). Attachments sent alone, or beside several events, are not kept (Relay would
        // keep them for an event yet to come).
        const [only, ...more] = texts;
        if (only && more.length === 0)
          texts[0] = {
            ...only,
            ...(id !== undefined ? { eventId: id } : {}),
            ...(attachments.length > 0 ? { attachments } : {}),
          };
        else if (texts.length === 0 && feedback.length === 1) feedbackAttachments = attachments;
      } else {
        project = keyed ?? missingAuth();
        const tooLarge = () =>
          new IngestError(
            413,
            'too_large',
            `event exceeds the ${LIMITS.event / 1048576} MB limit on one event`,
          );
        if (body.length > LIMITS.event) throw tooLarge();
        let text: string;
        try {
          text = storeBodyText(body, LIMITS.event);
        } catch (err) {
          if (err instanceof StoreBodyTooLarge) throw tooLarge();
          throw err;
        }
        if (sendsPythonJson(sentryClient(req.headers, queryOf(req)))) text = nonFiniteAsNull(text);
        // A transaction sent to the store endpoint is a transaction, as Relay takes it.
        const transaction = storedTransaction(text);
        if (transaction) {
          id = storedTransactionId(transaction.event_id);
          takeTransaction(
            scrubberFor(project.scrub)(transaction) as Record<string, unknown>,
            project.retentionDays,
          );
        } else texts.push({ text, index: 1 });
      }
      const feedbackLimit = () => [feedbackWait, [...feedbackCategories].sort().join(';')] as const;
      const wait = limiter.take(project.id, project.eventsPerMinute, texts.length);
      if (wait > 0) {
        // Only events are limited: as Relay does, the envelope's transaction and client
        // reports are still kept, and its feedback within its own limit.
        await keepTheRest(project);
        throw new IngestError(
          429,
          'rate_limited',
          `project ${project.id} is over its limit of ${project.eventsPerMinute} events per minute`,
          Math.max(wait, feedbackWait),
          rateLimits([[wait, 'error;default'], feedbackLimit()]),
        );
      }
      // Events first: a request one of whose events is refused (400) stores nothing.
      const { events, stored } =
        texts.length === 0
          ? { events: [], stored: [] }
          : await deps
              .store({
                projectId: project.id,
                scrub: project.scrub,
                receivedAt: deps.now(),
                maxPastMs: maxPastMs(project.retentionDays),
                protocol: kind,
                clientIp: clientAddress(req),
                ...(sentAt !== undefined ? { sentAt } : {}),
                items: texts,
              })
              .catch((err: unknown) => {
                if (err instanceof EventError) throw new IngestError(400, 'malformed', err.message);
                throw notStored(err);
              });
      await keepTheRest(project);
      deps.onStored(stored, project, Number(process.hrtime.bigint() - started) / 1e9, kind);
      if (feedbackWait > 0)
        throw new IngestError(
          429,
          'rate_limited',
          `project ${project.id} is over its limit of ${project.eventsPerMinute} pieces of user feedback per minute`,
          feedbackWait,
          rateLimits([feedbackLimit()]),
        );
      // Relay's answer (StoreResponse) leaves `id` out when there is none: `{}`, never null.
      const answered = (id ?? events[0]?.eventId ?? '').replace(/-/g, '').toLowerCase();
      if (viaGet)
        res
          .writeHead(200, { 'content-type': 'image/gif', 'content-length': PIXEL.length })
          .end(PIXEL);
      else sendJson(res, 200, answered ? { id: answered } : {});
    } catch (err) {
      // Drain what is left of a refused body so the connection can be reused.
      req.resume();
      if (res.headersSent) return;
      if (!(err instanceof IngestError)) {
        deps.onRejected('internal');
        deps.onError(err);
        sendJson(res, 500, { detail: 'internal error' }, { 'X-Sentry-Error': 'internal error' });
        return;
      }
      deps.onRejected(err.reason);
      const headers: Record<string, string> = { 'X-Sentry-Error': headerSafe(err.message) };
      // As Relay's decompression answers an unknown coding: the 415 names the codings read.
      if (err.status === 415) headers['Accept-Encoding'] = ACCEPTED_ENCODINGS;
      if (err.status === 503 && err.retryAfter !== undefined)
        headers['Retry-After'] = String(err.retryAfter);
      if (err.status === 429 && err.retryAfter !== undefined) {
        headers['Retry-After'] = String(err.retryAfter);
        // Only the limited categories are named: an SDK that read `transaction` here would drop
        // its spans for the whole wait.
        if (err.rateLimits) headers['X-Sentry-Rate-Limits'] = err.rateLimits;
      }
      // The rest of an oversized body is not read: the connection closes after the answer. So
      // does one the client closes after it (Connection: close, nginx's proxy_pass by default):
      // a 403, 415 or 503 given before the body arrived lingers, or the client may meet a reset
      // (linger.ts) and its proxy answer 502 for it.
      sendJson(
        res,
        err.status,
        { detail: err.message },
        headers,
        err.status === 413 || err.status === 408 || answersBeforeBody(req, res) ? req : undefined,
      );
    } finally {
      hold.release();
    }
  }

  return {
    envelope: (req: IncomingMessage, res: ServerResponse, projectId: string) =>
      handle(req, res, 'envelope', projectId),
    store: (req: IncomingMessage, res: ServerResponse, projectId: string) =>
      handle(req, res, 'store', projectId),
  };
}
