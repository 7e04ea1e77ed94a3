// The REST API the Grafana app plugin reads, behind a bearer token. Errors are JSON
// `{ "error": "<what is wrong>" }` with 400, 401, 404, 405, 413, 415 and 500. What each route
// answers: wire.ts.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, json, type NextFunction, type Request, type Response } from 'express';
import { SEVERITIES, TYPES } from '../grouping/classify';
import { bearer } from '../ingest/auth';
import { bufferOf } from '../ingest/attachment';
import { attachmentDisposition } from './disposition';
import type { Project } from '../projects';
import {
  SORTS,
  STATUSES,
  type AttachmentFile,
  type IssueFilter,
  type IssueStatus,
  type Repository,
} from '../store/repository';
import { SearchError } from '../store/issue-reads';
import type { StoreReader } from '../store/reader';
import { SessionCursorError } from '../store/sessions';
import { CursorError } from '../store/sqlite';
import { lingerBeforeBody } from './linger';
import { openApiDocument } from './openapi';
import type { ApiErrorBody, BulkStatusResult, ProjectList, SessionExport } from './wire';

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const oneOf = <T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ApiError(
      400,
      `${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
};

/**
 * A query parameter of `allowed` values. Given twice, it is a list: named as such, as text()
 * names it, not quoted as a value it does not know.
 */
const oneOfParam = <T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined => {
  if (Array.isArray(value)) throw new ApiError(400, `${name} must be given once`);
  return oneOf(name, value, allowed);
};

const text = (name: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ApiError(400, `${name} must be given once`);
  return value;
};

/** Most values one filter takes: a dashboard's multi-value variable, not a list of everything. */
const MAX_VALUES = 100;

/**
 * A filter that matches any of its values, each given as its own parameter (`service=a&service=b`,
 * as Grafana writes a multi-value variable into a URL).
 */
const anyOfParam = (name: string, value: unknown): readonly string[] | undefined => {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length > MAX_VALUES)
    throw new ApiError(400, `${name} may be given at most ${MAX_VALUES} times`);
  return [...new Set(values.map((v) => text(name, v) as string))];
};

/**
 * A `q` search text. SQLite's LIKE reads a pattern up to its first NUL, so `q=%00` would match
 * everything: refused rather than answered with what was not asked for.
 */
const searchText = (value: unknown): string | undefined => {
  const q = text('q', value);
  if (q?.includes('\0')) throw new ApiError(400, 'q must not contain a NUL character');
  return q;
};

/** Decimal digits only: `1e2`, `0x10` and ` 5 ` are not what a client meant by a number here. */
const DIGITS = /^[0-9]{1,15}$/;

function limitOf(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const given = text('limit', value) as string; // twice is named as such, not as a bad number
  const n = DIGITS.test(given) ? Number(given) : NaN;
  if (!(n >= 1 && n <= max)) throw new ApiError(400, `limit must be an integer from 1 to ${max}`);
  return n;
}

/** A time in epoch milliseconds: its decimal digits, at most 15 (DIGITS). */
function millisOf(name: string, value: unknown): number | undefined {
  const given = text(name, value); // twice is named as such, not as a bad number
  if (given === undefined) return undefined;
  if (!DIGITS.test(given))
    throw new ApiError(
      400,
      `${name} must be a time in epoch milliseconds, up to 15 decimal digits; got ${JSON.stringify(given)}`,
    );
  return Number(given);
}

/** An id in a path (an issue's, an attachment's): its decimal digits, at most 15 (DIGITS). */
function idOf(
  value: string,
  what: 'issue' | 'attachment' | 'feedback attachment' = 'issue',
): number {
  const n = DIGITS.test(value) ? Number(value) : NaN;
  if (!(n >= 1))
    throw new ApiError(
      400,
      `${what} id must be a positive integer of up to 15 digits; got ${JSON.stringify(value)}`,
    );
  return n;
}

/** Project ids, any of which a list is filtered to (`project=1&project=2`), each once. */
const projectsParam = (value: unknown): readonly number[] | undefined => {
  const given = anyOfParam('project', value);
  if (given === undefined) return undefined;
  const ids = given.map((id) => {
    const n = DIGITS.test(id) ? Number(id) : NaN;
    if (!(n >= 1))
      throw new ApiError(
        400,
        `project must be a project id, a positive integer of up to 15 digits; got ${JSON.stringify(id)}`,
      );
    return n;
  });
  return [...new Set(ids)]; // `01` and `1` are one project
};

/** An issue id in a JSON body: a JSON integer — never `true`, `"2"` or `2.5`. */
function bodyIdOf(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new ApiError(400, `ids must be positive JSON integers; got ${JSON.stringify(value)}`);
}

/**
 * The answer to a method a known path does not serve: 405 naming the methods it does (RFC 9110
 * §15.5.6), and to OPTIONS 204 naming them. `allow` lists HEAD with GET: express answers it.
 */
const otherMethods =
  (allow: string) =>
  (req: Request, res: Response, next: NextFunction): void => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') res.status(204).end();
    else next(new ApiError(405, `${req.method} is not allowed here; allowed: ${allow}`));
  };
const READ = 'GET, HEAD';

/**
 * Requests whose JSON body was read and had no bytes: sent chunked, or compressed, with nothing
 * in it. The parser reads those as `{}`, which was then refused as having no status or ids.
 */
const emptyBodies = new WeakSet<Request>();

/**
 * A body express did not read as JSON (another Content-Type) is named as such. No body at all is
 * named too: req.is finds no type without one, whatever Content-Type says, and the 415 would
 * tell a client that sent application/json to send it.
 */
const jsonBody = (req: Request, _res: Response, next: NextFunction): void => {
  const type = req.is('application/json');
  if (type === null || req.headers['content-length'] === '0' || emptyBodies.has(req))
    next(new ApiError(400, 'the body is missing: send a JSON object'));
  else if (!type) next(new ApiError(415, 'send the body as Content-Type: application/json'));
  else next();
};

/** The JSON body as an object: the parser's strict mode lets an array through. */
function objectBody(req: Request): { ids?: unknown; status?: unknown } {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'body must be a JSON object');
  return body;
}

const isJson = (text: unknown) => {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * An answer the reader wrote as JSON (store/reader.ts JsonReads), sent as it is: the main thread
 * neither copies the object it was nor writes it out, as `res.json` would.
 */
const sendJson = (res: Response, json: Uint8Array) =>
  void res
    .set('Content-Type', 'application/json; charset=utf-8')
    .send(Buffer.from(json.buffer, json.byteOffset, json.byteLength));

/** Most characters of a session id an export's file name keeps. */
const EXPORT_ID_CHARS = 200;

/**
 * The file name a session is exported as: its id with each character but ASCII letters, digits,
 * `_`, `.` and `-` written as `_`, and cut to EXPORT_ID_CHARS, so that the name fits a file
 * system's 255 bytes (an OTLP correlation id has no length limit: `curl -OJ` could not save a
 * session of a 5,000-character id).
 */
const exportName = (id: string) =>
  `debug-session-${id.slice(0, EXPORT_ID_CHARS).replace(/[^\w.-]/g, '_')}.json`;

export function restApi(deps: {
  /** Status changes: short writes, made on this thread. */
  repo: Pick<Repository, 'setStatus'>;
  /** Every read, on the reader thread when there is one (store/reader.ts). */
  reads: StoreReader;
  apiToken: string;
  /** The projects config.json lists now (main.ts reloads it when `project add` changes it). */
  projects: () => readonly Pick<Project, 'id' | 'name'>[];
  now: () => number;
  /** Joins the error events waiting for their sessions before a read (catchUpSessions). */
  indexSessions: () => Promise<unknown>;
  /** Hears what fails inside (the 500s); bad requests are the caller's and are not logged. */
  onError?: (error: unknown) => void;
}): Router {
  const router = Router();
  // Compared as SHA-256 digests: of equal length whatever was sent, so the time an answer takes
  // tells neither the token's characters nor its length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const token = digest(deps.apiToken);

  // First: an answer given before the body was read (a 401, 404, 405 or 415, any answer to a GET
  // that sent one) lingers until the client has sent it, rather than closing on it (linger.ts).
  router.use((req: Request, res: Response, next: NextFunction) => {
    lingerBeforeBody(req, res);
    next();
  });

  // Each path's methods end with otherMethods: any other one is refused for this path (405),
  // not passed on to a later path that matches it too (`/issues/status` and `/issues/:id`).
  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.json(openApiDocument());
    })
    .all(otherMethods(READ));

  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!timingSafeEqual(digest(bearer(req.headers) ?? ''), token)) {
      // RFC 6750 §3: a 401 names the scheme it wants.
      res.set('WWW-Authenticate', 'Bearer realm="beacon-tracker"');
      next(new ApiError(401, 'missing or wrong API token: send Authorization: Bearer <token>'));
      return;
    }
    next();
  });
  // Read on the routes that take a body only: a GET's body means nothing (RFC 9110 §9.3.1), and
  // read on every path it turned a GET, OPTIONS or unserved method with a stray body into a 400,
  // 413 or 415 instead of its answer (the page, 204, 405).
  const readJson = json({
    limit: '1mb',
    verify: (req, _res, body) => {
      if (body.length === 0) emptyBodies.add(req as Request);
    },
  });

  // Names and ids only: a project's key is what SDKs send events with, and is not read here.
  router
    .route('/projects')
    .get((_req, res) => {
      const items = deps
        .projects()
        .map(({ id, name }) => ({ id, name }))
        .sort((a, b) => a.id - b.id);
      res.json({ items } satisfies ProjectList);
    })
    .all(otherMethods(READ));

  router
    .route('/issues')
    .get(async (req, res) => {
      const q = req.query;
      const seenAfter = millisOf('seenAfter', q.seenAfter);
      const seenBefore = millisOf('seenBefore', q.seenBefore);
      if (seenAfter !== undefined && seenBefore !== undefined && seenAfter > seenBefore)
        throw new ApiError(400, 'seenAfter must not be later than seenBefore');
      const project = projectsParam(q.project);
      const filter: IssueFilter = {
        ...(project !== undefined ? { project } : {}),
        status: oneOfParam('status', q.status, STATUSES),
        severity: oneOfParam('severity', q.severity, SEVERITIES),
        type: oneOfParam('type', q.type, TYPES),
        service: anyOfParam('service', q.service),
        environment: anyOfParam('environment', q.environment),
        release: text('release', q.release),
        q: searchText(q.q),
        ...(seenAfter !== undefined ? { seenAfter } : {}),
        ...(seenBefore !== undefined ? { seenBefore } : {}),
        sort: oneOfParam('sort', q.sort, SORTS) ?? 'last_seen',
        cursor: text('cursor', q.cursor),
        limit: limitOf(q.limit, 50, 1000),
      };
      sendJson(res, await deps.reads.json.listIssues(filter, deps.now()));
    })
    .all(otherMethods(READ));

  // A missing status is named as missing, not quoted as the "" it was once taken for.
  const statusOf = ({ status }: { status?: unknown }): IssueStatus => {
    if (status === undefined)
      throw new ApiError(400, `status is missing: send one of ${STATUSES.join(', ')}`);
    return oneOf('status', status, STATUSES) as IssueStatus;
  };

  // Before /issues/:id, which would take "status" for an id.
  router
    .route('/issues/status')
    .post(readJson, jsonBody, (req, res) => {
      const body = objectBody(req);
      if (!Array.isArray(body.ids) || body.ids.length === 0 || body.ids.length > 1000) {
        throw new ApiError(400, 'ids must be a list of 1 to 1000 issue ids');
      }
      const ids = [...new Set(body.ids.map(bodyIdOf))];
      const updated = deps.repo.setStatus(ids, statusOf(body), deps.now());
      res.json({
        updated,
        notFound: ids.filter((i) => !updated.includes(i)),
      } satisfies BulkStatusResult);
    })
    .all(otherMethods('POST'));

  router
    .route('/issues/:id')
    .get(async (req, res) => {
      const issue = await deps.reads.json.getIssue(idOf(req.params.id), deps.now());
      if (!issue) throw new ApiError(404, `issue ${req.params.id} not found`);
      sendJson(res, issue);
    })
    .patch(readJson, jsonBody, async (req, res) => {
      const id = idOf(req.params.id);
      const status = statusOf(objectBody(req));
      if (deps.repo.setStatus([id], status, deps.now()).length === 0)
        throw new ApiError(404, `issue ${id} not found`);
      // Gone in between (a retention sweep deleted it): a 404, not a 200 with no body.
      const issue = await deps.reads.json.getIssue(id, deps.now());
      if (!issue) throw new ApiError(404, `issue ${id} not found`);
      sendJson(res, issue);
    })
    .all(otherMethods(`${READ}, PATCH`));

  /** A page of what an issue lists (its events, its feedback); 404 for no such issue. */
  const issuePage =
    (
      read: (
        id: number,
        cursor: string | undefined,
        limit: number,
      ) => Promise<Uint8Array | undefined>,
    ) =>
    async (req: Request<{ id: string }>, res: Response) => {
      const page = await read(
        idOf(req.params.id),
        text('cursor', req.query.cursor),
        limitOf(req.query.limit, 20, 100),
      );
      if (!page) throw new ApiError(404, `issue ${req.params.id} not found`);
      sendJson(res, page);
    };
  router
    .route('/issues/:id/events')
    .get(issuePage((...args) => deps.reads.json.issueEvents(...args)))
    .all(otherMethods(READ));
  router
    .route('/issues/:id/feedback')
    .get(issuePage((...args) => deps.reads.json.issueFeedback(...args)))
    .all(otherMethods(READ));

  router
    .route('/feedback')
    .get(async (req, res) => {
      const project = projectsParam(req.query.project);
      const q = searchText(req.query.q);
      const cursor = text('cursor', req.query.cursor);
      sendJson(
        res,
        await deps.reads.json.listFeedback({
          ...(project !== undefined ? { project } : {}),
          ...(q ? { q } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          limit: limitOf(req.query.limit, 50, 200),
        }),
      );
    })
    .all(otherMethods(READ));

  /** The bytes of the attachment `read` finds: a download, whatever type the SDK named. */
  const attachmentRoute =
    (
      what: 'attachment' | 'feedback attachment',
      read: (id: number) => Promise<AttachmentFile | undefined>,
    ) =>
    async (req: Request, res: Response) => {
      const id = idOf(String(req.params.id), what);
      const file = await read(id);
      if (!file) throw new ApiError(404, `${what} ${id} not found`);
      if (!file.data)
        throw new ApiError(
          404,
          `${what} ${id} was filtered whole by an earlier version's scrubbing: it is not text, and held a sensitive shape`,
        );
      // Served as its own type, an HTML or SVG attachment would be a page of the API's origin
      // (behind Grafana's proxy, Grafana's).
      res
        .set('Content-Disposition', attachmentDisposition(file.filename))
        .type('application/octet-stream')
        .set('X-Content-Type-Options', 'nosniff')
        .send(bufferOf(file.data));
    };
  router
    .route('/attachments/:id')
    .get(attachmentRoute('attachment', (id) => deps.reads.attachment(id)))
    .all(otherMethods(READ));
  router
    .route('/feedback/attachments/:id')
    .get(attachmentRoute('feedback attachment', (id) => deps.reads.feedbackAttachment(id)))
    .all(otherMethods(READ));

  /** The session a request names, as `read` answers it (the detail, or its JSON); 404 for none. */
  const session = async <T>(req: Request, read: (id: string) => Promise<T | undefined>) => {
    await deps.indexSessions();
    const id = String(req.params.id);
    const found = await read(id);
    if (!found) throw new ApiError(404, `session ${JSON.stringify(id)} not found`);
    return found;
  };

  router
    .route('/sessions')
    .get(async (req, res) => {
      const q = req.query;
      const min = text('minDurationMs', q.minDurationMs);
      if (min !== undefined && !/^[0-9]{1,12}(?:\.[0-9]+)?$/.test(min))
        throw new ApiError(400, 'minDurationMs must be a non-negative number of milliseconds');
      const errors = oneOfParam('hasErrors', q.hasErrors, ['true', 'false'] as const);
      const cursor = text('cursor', q.cursor);
      const project = projectsParam(q.project);
      await deps.indexSessions();
      sendJson(
        res,
        await deps.reads.json.listSessions({
          ...(project !== undefined ? { project } : {}),
          q: searchText(q.q),
          service: text('service', q.service),
          ...(min !== undefined ? { minDurationMs: Number(min) } : {}),
          ...(errors !== undefined ? { hasErrors: errors === 'true' } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          limit: limitOf(q.limit, 50, 200),
        }),
      );
    })
    .all(otherMethods(READ));

  router
    .route('/sessions/:id')
    .get(async (req, res) => {
      sendJson(res, await session(req, (id) => deps.reads.json.getSession(id)));
    })
    .all(otherMethods(READ));

  router
    .route('/sessions/:id/export')
    .get(async (req, res) => {
      // As an object: its id names the file, and it is sent inside the export.
      const s = await session(req, (id) => deps.reads.getSession(id));
      res.set('Content-Disposition', attachmentDisposition(exportName(s.id))).json({
        exportedAt: new Date(deps.now()).toISOString(),
        session: s,
      } satisfies SessionExport);
    })
    .all(otherMethods(READ));

  router
    .route('/stats')
    .get(async (req, res) => {
      const project = projectsParam(req.query.project);
      const now = deps.now();
      sendJson(
        res,
        await (project ? deps.reads.json.stats(now, project) : deps.reads.json.stats(now)),
      );
    })
    .all(otherMethods(READ));

  router.use((_req: Request, _res: Response, next: NextFunction) =>
    next(new ApiError(404, 'no such API route')),
  );
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const fail = (status: number, error: string) =>
      void res.status(status).json({ error } satisfies ApiErrorBody);
    if (err instanceof ApiError) return fail(err.status, err.message);
    if (
      err instanceof CursorError ||
      err instanceof SessionCursorError ||
      err instanceof SearchError
    )
      return fail(400, err.message);
    const e = err as {
      type?: string;
      status?: number;
      message?: string;
      code?: unknown;
      body?: unknown;
    };
    if (e.type === 'entity.parse.failed')
      // The parser's strict mode refuses `null`, `42`, `"x"` with the words of a syntax error.
      return fail(
        400,
        isJson(e.body) ? 'body must be a JSON object' : `body is not JSON: ${e.message}`,
      );
    if (e.status === 413) return fail(413, 'body exceeds 1 MB');
    // A body that does not inflate: zlib names the fault by its code. Brotli's decoder faults
    // come as ERR__ERROR_FORMAT_… (BrotliDecoderErrorString less its BROTLI_DECODER prefix):
    // unmatched, a br body that was not brotli was answered "Bad Request".
    if (
      e.status === 400 &&
      typeof e.code === 'string' &&
      /^(Z_|ERR_.*BROTLI|ERR__ERROR_)/.test(e.code)
    )
      return fail(400, `body is not valid ${req.headers['content-encoding']}: ${e.code}`);
    // What express and its body parser refuse carries its 4xx and a message that names the
    // fault: a path that does not decode, a charset or content encoding it cannot read.
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return fail(e.status, e.message ?? 'bad request');
    deps.onError?.(err);
    fail(500, 'internal error');
  });
  return router;
}
