// A data-driven Repository for tests of the API alone: maps of query → answer, and every call
// recorded, so a test sees what a request was translated into without a database behind it.
import type {
  AttachmentFile,
  FeedbackEntry,
  FeedbackFilter,
  IngestResult,
  IssueDetail,
  IssueFeedback,
  IssueFilter,
  IssueSummary,
  Page,
  Repository,
  Stats,
  StoredEvent,
} from './repository';
import type { SessionDetail, SessionFilter, SessionSummary } from './sessions';

export interface FakeRepositoryData {
  /** Keyed issueFilterKey(filter). */
  readonly issuePages?: Readonly<Record<string, Page<IssueSummary>>>;
  /** By id. setStatus answers those of its ids held here, and changes nothing. */
  readonly issues?: Readonly<Record<number, IssueDetail>>;
  /** Keyed eventsKey(id, cursor, limit). */
  readonly events?: Readonly<Record<string, Page<StoredEvent>>>;
  /** Keyed eventsKey(id, cursor, limit). */
  readonly feedback?: Readonly<Record<string, Page<IssueFeedback>>>;
  /** Keyed feedbackFilterKey(filter). */
  readonly allFeedback?: Readonly<Record<string, Page<FeedbackEntry>>>;
  /** By id. */
  readonly attachments?: Readonly<Record<number, AttachmentFile>>;
  /** By id. */
  readonly feedbackAttachments?: Readonly<Record<number, AttachmentFile>>;
  readonly stats?: Stats;
  /** Keyed sessionFilterKey(filter). */
  readonly sessionPages?: Readonly<Record<string, Page<SessionSummary>>>;
  /** By id. */
  readonly sessions?: Readonly<Record<string, SessionDetail>>;
  /** What ingest answers; default: nothing new. */
  readonly ingestResult?: IngestResult;
  readonly storedEventIds?: readonly string[];
  readonly openIssueCounts?: ReturnType<Repository['openIssueCounts']>;
  /** What indexSessions answers (events still waiting for their sessions); default 0. */
  readonly sessionsWaiting?: number;
  /** What deleteEventsBefore and deleteSessionsBefore answer; default 0 (nothing left). */
  readonly deleted?: number;
  /** Thrown by every call, to test error mapping. */
  readonly fail?: Error;
}

/** One call made on the fake: the method's name and its arguments. */
export type FakeRepositoryCall = {
  [K in keyof Repository]: { call: K; args: Parameters<Repository[K]> };
}[keyof Repository];

/** JSON with every object's keys sorted (undefined values left out, as JSON leaves them). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

export const issueFilterKey = (filter: IssueFilter): string => canonical(filter);
export const sessionFilterKey = (filter: SessionFilter): string => canonical(filter);
export const feedbackFilterKey = (filter: FeedbackFilter): string => canonical(filter);
export const eventsKey = (id: number, cursor: string | undefined, limit: number): string =>
  `${id}/${cursor ?? ''}/${limit}`;

const NOTHING: IngestResult = { newIssues: 0, opened: [] };

export function fakeRepository(
  data: FakeRepositoryData,
): Repository & { calls: FakeRepositoryCall[] } {
  const calls: FakeRepositoryCall[] = [];
  const record = (call: FakeRepositoryCall) => {
    calls.push(call);
    if (data.fail) throw data.fail;
  };
  /** A list's answer, or an error naming the query no answer was given for. */
  const found = <T>(
    what: string,
    answers: Readonly<Record<string, T>> | undefined,
    key: string,
  ): T => {
    const answer = answers?.[key];
    if (answer === undefined) throw new Error(`fake repository has no ${what} for ${key}`);
    return answer;
  };
  return {
    calls,
    ingest(...args) {
      record({ call: 'ingest', args });
      return data.ingestResult ?? NOTHING;
    },
    listIssues(...args) {
      record({ call: 'listIssues', args });
      return found('issue page', data.issuePages, issueFilterKey(args[0]));
    },
    getIssue(...args) {
      record({ call: 'getIssue', args });
      return data.issues?.[args[0]];
    },
    issueEvents(...args) {
      record({ call: 'issueEvents', args });
      return data.events?.[eventsKey(...args)];
    },
    issueFeedback(...args) {
      record({ call: 'issueFeedback', args });
      return data.feedback?.[eventsKey(...args)];
    },
    listFeedback(...args) {
      record({ call: 'listFeedback', args });
      return found('feedback page', data.allFeedback, feedbackFilterKey(args[0]));
    },
    attachment(...args) {
      record({ call: 'attachment', args });
      return data.attachments?.[args[0]];
    },
    feedbackAttachment(...args) {
      record({ call: 'feedbackAttachment', args });
      return data.feedbackAttachments?.[args[0]];
    },
    setStatus(...args) {
      record({ call: 'setStatus', args });
      return args[0].filter((id) => data.issues?.[id] !== undefined);
    },
    stats(...args) {
      record({ call: 'stats', args });
      if (!data.stats) throw new Error(`fake repository has no stats for now=${args[0]}`);
      return data.stats;
    },
    storedEventIds(...args) {
      record({ call: 'storedEventIds', args });
      return new Set(args[0].filter((id) => data.storedEventIds?.includes(id)));
    },
    openIssueCounts(...args) {
      record({ call: 'openIssueCounts', args });
      return [...(data.openIssueCounts ?? [])];
    },
    ingestTraces(...args) {
      record({ call: 'ingestTraces', args });
      return [];
    },
    linkTraces(...args) {
      record({ call: 'linkTraces', args });
    },
    ingestFeedback(...args) {
      record({ call: 'ingestFeedback', args });
      return args[2].length;
    },
    indexSessions(...args) {
      record({ call: 'indexSessions', args });
      return data.sessionsWaiting ?? 0;
    },
    listSessions(...args) {
      record({ call: 'listSessions', args });
      return found('session page', data.sessionPages, sessionFilterKey(args[0]));
    },
    getSession(...args) {
      record({ call: 'getSession', args });
      return data.sessions?.[args[0]];
    },
    deleteEventsBefore(...args) {
      record({ call: 'deleteEventsBefore', args });
      return data.deleted ?? 0;
    },
    deleteSessionsBefore(...args) {
      record({ call: 'deleteSessionsBefore', args });
      return data.deleted ?? 0;
    },
    takeRetentionDeletes(...args) {
      record({ call: 'takeRetentionDeletes', args });
      return 0;
    },
    close(...args) {
      record({ call: 'close', args });
    },
  };
}
