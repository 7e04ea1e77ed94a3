// OTLP/HTTP traces: POST /v1/traces, JSON or protobuf (plain, or compressed as OTLP_ENCODINGS
// lists: gzip, the Collector's zlib and zstd, …), authenticated with the project's key as
// `Authorization: Bearer <key>` (exporters take headers); or at Sentry's OTLP paths, with the key
// as Sentry's ingest reads it. Answers as the OTLP spec says, in the request's encoding: an
// ExportTraceServiceResponse (with partial_success when spans were left out for what is wrong
// with them alone), and for errors 400/401/408/413/415/503 a google.rpc.Status naming the
// problem (otlp-answer.ts); a 503 with Retry-After too once the spans taken and not yet stored are
// at their limit (ingest/span-backlog.ts). zstd bodies are decoded on a thread of their own
// (ingest/zstd-worker.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, queryOf, sentryKey } from '../ingest/auth';
import {
  BodyError,
  type BodyBudget,
  LIMITS,
  OTLP_ENCODINGS,
  readBody,
  RETRY_AFTER_FULL,
  type BodyLimits,
} from '../ingest/body';
import { countSpans, decodeOtlp, OtlpError, READ_STEP, readTracesInSteps } from '../ingest/otlp';
import { RETRY_AFTER_BUSY, SpanBacklog, type SpanHold } from '../ingest/span-backlog';
import { ZstdThreadError } from '../ingest/zstd-worker';
import { withoutExpiredSpans, withSpansByArrival } from '../ingest/span-time';
import { ExportTraceServiceResponse } from '../ingest/otlp-proto';
import type { Operation } from '../ingest/otlp';
import type { Project } from '../projects';
import { scrubberCache } from '../scrub/scrub';
import { scrubOperation } from '../scrub/scrub-operation';
import type { EventWriter } from '../store/writer';
import { JSON_TYPE, otlpEncoding, sendOtlp, sendRpcStatus } from './otlp-answer';
import { answersBeforeBody } from './linger';

/**
 * A turn of the event loop, taken between slices of a long JSON body's parse and every READ_STEP
 * spans of a batch's reading and scrubbing, so the requests that arrive meanwhile are read in
 * between (its writing goes in steps of its own: trace-steps.ts).
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function otlpTraces(deps: {
  readonly projectByKey: (key: string) => Project | undefined;
  readonly writer: Pick<EventWriter, 'writeTraces'>;
  /**
   * A request's spans committed: `operations` those of them new to the store (a span sent again,
   * an exporter's retry, replaced its copy and is not new).
   */
  readonly onStored: (
    project: Project,
    operations: readonly { service: string }[],
    seconds: number,
  ) => void;
  readonly onRejected: (reason: string) => void;
  /** A store failure, logged by the caller. */
  readonly onFailed: (err: unknown) => void;
  /** A request whose connection closed before its turn came: its spans, not stored. */
  readonly onAbandoned?: (spans: number) => void;
  readonly now: () => number;
  /** The bytes of bodies held at once, shared with Sentry ingest. */
  readonly bodyBudget: BodyBudget;
  /** The spans of requests taken and not yet committed; default a SpanBacklog of its own. */
  readonly spanBacklog?: SpanBacklog;
  /** Default LIMITS. */
  readonly limits?: BodyLimits;
}) {
  // Spans are scrubbed like events, with the project's settings (scrub-operation.ts).
  const scrubberFor = scrubberCache();
  const backlog = deps.spanBacklog ?? new SpanBacklog();
  const busy = () =>
    `the tracker is storing as many spans as it takes at once (${backlog.limit}); send it again shortly`;
  /**
   * One request; `sentryProject` the project id of a Sentry OTLP path (`/api/{id}/…`), whose key
   * is read as Relay reads an event's (`X-Sentry-Auth`, the query's `sentry_key`) and must be
   * that project's. Otherwise the key is `Authorization: Bearer <project key>`.
   */
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    sentryProject?: string,
  ): Promise<void> => {
    const started = process.hrtime.bigint();
    const encoding = otlpEncoding(req.headers['content-type']);
    const fail = (code: number, reason: string, message: string, retryAfter = RETRY_AFTER_FULL) => {
      deps.onRejected(reason);
      req.resume();
      // The rest of an oversized body is not read: the connection closes after the answer, and
      // one given before the body arrived on a connection the client closes lingers (linger.ts).
      const close = code === 413 || code === 408 || answersBeforeBody(req, res) ? req : undefined;
      // Retryable, and the spec lets a 503 say when: a full body budget empties in moments.
      if (code === 503) res.setHeader('Retry-After', String(retryAfter));
      sendRpcStatus(res, code, encoding, message, close);
    };
    const key =
      sentryProject === undefined ? bearer(req.headers) : sentryKey(req.headers, queryOf(req));
    const project = key ? deps.projectByKey(key) : undefined;
    if (!project)
      return fail(
        401,
        'auth',
        key
          ? 'unknown project key'
          : sentryProject === undefined
            ? 'missing Authorization: Bearer <project key>'
            : 'missing X-Sentry-Auth: Sentry sentry_key=<project key>',
      );
    if (sentryProject !== undefined && Number(sentryProject) !== project.id)
      return fail(401, 'auth', `the project key is not project ${sentryProject}'s`);
    if (!encoding.protobuf && encoding.asked !== JSON_TYPE)
      return fail(
        415,
        'malformed',
        `unsupported Content-Type ${JSON.stringify(encoding.asked)} (application/json, application/x-protobuf)`,
      );
    // Overloaded by work: refused before the body is read (span-backlog.ts).
    if (backlog.full) return fail(503, 'overloaded', busy(), RETRY_AFTER_BUSY);
    // The body's bytes and its spans are held until this handler is done with them, not until the
    // connection closes: an exporter that gives up (the JS and Go SDKs after 10 s, the Collector
    // after 30) closes it while its batch is still read, scrubbed and written, and the budget let
    // new bodies in on top of it (five 94 MB bodies in a 256 MB heap: out of memory).
    // A batch its exporter gave up on before its turn came is not stored: it was never
    // acknowledged, an exporter that retries (the Collector) sends it again, one that does not (the
    // JS and Go SDKs) has reported it lost, and its turn goes to a request still waited for rather
    // than to work nobody waits for. One whose turn had come is stored: its exporter's retry of it
    // is stored once (a span replaces its copy).
    let gone = false;
    res.once('close', () => (gone = true));
    const hold = deps.bodyBudget.hold();
    let spans: SpanHold | undefined;
    try {
      let batch;
      try {
        const body = await readBody(req, deps.limits ?? LIMITS, 'request body', hold, true);
        const now = deps.now();
        const sent = await decodeOtlp(body, encoding.protobuf, nextTurn);
        const listed = countSpans(sent);
        spans = backlog.take(listed);
        if (!spans) return fail(503, 'overloaded', busy(), RETRY_AFTER_BUSY);
        await spans.turn();
        if (gone) {
          deps.onAbandoned?.(listed);
          return spans.release(false);
        }
        const read = await readTracesInSteps(sent, nextTurn);
        batch = withoutExpiredSpans(withSpansByArrival(read, now), now, project.retentionDays);
      } catch (err) {
        // A coding not read names those that are, as Sentry's paths answer it (RFC 7694).
        if (err instanceof BodyError && err.status === 415)
          res.setHeader('Accept-Encoding', OTLP_ENCODINGS);
        // A zstd decoding thread that stopped is a fault of ours, and a 503 to send again.
        if (err instanceof BodyError && err.cause instanceof ZstdThreadError) {
          deps.onFailed(err.cause);
          return fail(503, 'internal', err.message);
        }
        if (err instanceof BodyError) return fail(err.status, err.reason, err.message);
        if (err instanceof OtlpError) return fail(400, 'malformed', err.message);
        // A fault of ours, answered in the protocol too: never express's HTML page and stack.
        deps.onFailed(err);
        return fail(500, 'internal', 'the request could not be read');
      }
      let repeated: ReadonlySet<number>;
      try {
        const scrubbed: Operation[] = [];
        for (const [i, o] of batch.operations.entries()) {
          scrubbed.push(scrubOperation(project.scrub, scrubberFor(project.scrub), o));
          if ((i + 1) % READ_STEP === 0) await nextTurn();
        }
        repeated = new Set(await deps.writer.writeTraces(project.id, scrubbed, batch.memory));
      } catch (err) {
        deps.onFailed(err);
        // Retryable, as the spec has 503: sent again, what a large batch's first steps committed
        // is stored once (trace-steps.ts).
        return fail(503, 'internal', 'the spans could not be stored; try again');
      }
      deps.onStored(
        project,
        repeated.size === 0
          ? batch.operations
          : batch.operations.filter((_, i) => !repeated.has(i)),
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      // Spans left out alone are a partial success: the rest is stored, and the exporter is told
      // how many were not and why (it must not send them again).
      const partial =
        batch.rejectedSpans > 0 || batch.problem
          ? {
              partialSuccess: {
                rejectedSpans: String(batch.rejectedSpans),
                errorMessage: batch.problem ?? '',
              },
            }
          : {};
      sendOtlp(
        res,
        200,
        encoding.type,
        encoding.protobuf
          ? ExportTraceServiceResponse.encode(
              ExportTraceServiceResponse.fromObject(partial),
            ).finish()
          : JSON.stringify(partial),
      );
    } finally {
      spans?.release();
      hold.release();
    }
  };
}
