import type { SessionDetail } from '../api/types';

/** What a session's detail shows less of than the session has, one sentence each. */
export interface SessionCut {
  operations?: string;
  errorEvents?: string;
  memory?: string;
}

/**
 * Tells where a session's detail is cut. The tracker lists at most a fixed number of a session's
 * operations, error events and memory snapshots, the first of each by time, while its counts stay
 * the whole session's: `operations` greater than the timeline's length says the timeline was cut.
 * `errors` counts the error events and the failed operations, so the error events are counted
 * only when every operation is listed. Memory snapshots are not counted at all: a list as long as
 * one known to be cut (as long as the tracker's limit) may be cut too.
 */
export function sessionCut(
  session: Pick<SessionDetail, 'operations' | 'errors' | 'timeline' | 'errorEvents' | 'memory'>
): SessionCut {
  const cut: SessionCut = {};
  const ops = session.timeline.length;
  let limit: number | undefined;
  if (session.operations > ops) {
    cut.operations = `Showing the first ${ops} of ${session.operations} operations (the earliest by start).`;
    limit = ops;
  }
  const events = session.errorEvents.length;
  if (limit === undefined) {
    const all = session.errors - session.timeline.filter((o) => o.status === 'error').length;
    if (events < all) {
      cut.errorEvents = `Showing the first ${events} of ${all} error events (the earliest).`;
      limit = events;
    }
  } else if (events > 0 && events >= limit) {
    cut.errorEvents = `Showing the first ${events} error events (the earliest); the session may have more.`;
  }
  const memory = session.memory.length;
  if (limit !== undefined && memory > 0 && memory >= limit) {
    cut.memory = `Showing the first ${memory} memory snapshots (the earliest); the session may have more.`;
  }
  return cut;
}
