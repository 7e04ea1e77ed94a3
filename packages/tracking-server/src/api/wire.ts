// The REST API's wire types (/api/v1): the JSON each route answers. The Grafana app plugin, the
// API's client, imports them (types only, as `@beacon/tracking-server/wire`), so the two cannot
// drift apart; the OpenAPI document (openapi.ts) describes the same shapes for other clients.
import type { SessionDetail } from '../store/sessions';

export type { ErrorType, Severity } from '../grouping/classify';
export type { GroupedBy } from '../grouping/grouping';
export type {
  AttachmentInfo,
  FeedbackEntry,
  FeedbackInfo,
  IssueDetail,
  IssueFeedback,
  IssueSort,
  IssueStatus,
  IssueSummary,
  Page,
  Stats,
  StoredEvent,
} from '../store/repository';
export type {
  SessionDetail,
  SessionErrorEvent,
  SessionMemorySnapshot,
  SessionOperation,
  SessionSummary,
} from '../store/sessions';

/** `GET /projects`: every project config.json lists, by id; never its key. */
export interface ProjectList {
  readonly items: readonly { readonly id: number; readonly name: string }[];
}

/** `POST /issues/status`: the ids whose status was set, and those of no issue. */
export interface BulkStatusResult {
  readonly updated: readonly number[];
  readonly notFound: readonly number[];
}

/** `GET /sessions/{id}/export`, sent as a JSON attachment. */
export interface SessionExport {
  readonly exportedAt: string;
  readonly session: SessionDetail;
}

/** The body of every error answer (400, 401, 404, 405, 413, 415, 500). */
export interface ApiErrorBody {
  readonly error: string;
}
