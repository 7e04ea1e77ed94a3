// Storing a batch of error events (a group commit) in one transaction: each event's row, and
// for each issue its count, times, hours, releases, services, environments and users, applied
// once per issue however many of its events the batch holds. And storing user feedback, linked
// to the issue of the event it names: found among the recent ids when the event came first, or
// when the event comes within the hour after it.
import type Database from 'better-sqlite3';
import type { Severity } from '../grouping/classify';
import type { TrackedEvent } from '../ingest/event';
import type { SentFeedback } from '../ingest/feedback';
import { bufferOf, type KeptAttachment } from '../ingest/attachment';
import { packPayload } from './payload';
import { RECENT_IDS, RECENT_WINDOW_MS, RecentEventIds, isEventId } from './recent-ids';
import { isOlderRelease } from './releases';
import type { IngestResult, IssueStatus } from './repository';
import type { SessionIndex } from './session-index';
import { HOUR, ISSUE_HOURS, MINUTE, STATS_HOURS } from './sqlite-schema';
import { extent } from './extent';

export interface IssueIngest {
  /** Stores a batch; its error events join their sessions through the session index. */
  ingest(events: readonly TrackedEvent[]): IngestResult;
  /**
   * Stores feedback received at `receivedAt` in one transaction (Repository.ingestFeedback);
   * returns how many pieces are new.
   */
  ingestFeedback(projectId: number, receivedAt: number, feedback: readonly SentFeedback[]): number;
}

/**
 * How long after its first sending a piece of feedback sent again overwrites it, as Sentry's
 * save_userreport lets a user report about the same event overwrite one (5 minutes; later, it is
 * refused).
 */
export const FEEDBACK_OVERWRITE_MS = 5 * 60_000;

/**
 * Feedback waiting for its event, at most: each is looked for in every batch's events for an
 * hour, and one naming an event that never comes must not cost every batch for ever.
 */
const WAITING_FEEDBACK = 10_000;

/** The row of an attachment kept with `owner`, an event's or a piece of feedback's row id. */
const attachmentRow = (owner: number | bigint, a: KeptAttachment) => ({
  owner,
  filename: a.filename,
  contentType: a.contentType,
  type: a.type,
  size: a.size,
  data: bufferOf(a.data),
});

/** Stores through `db`; error events join their sessions through `index`. */
export function issueIngest(db: Database.Database, index: SessionIndex): IssueIngest {
  const st = {
    findIssue: db.prepare(
      'SELECT id, status, severity, resolved_in_release, release, last_seen FROM issues WHERE project_id = ? AND hash = ?',
    ),
    insertIssue:
      db.prepare(`INSERT INTO issues (project_id, hash, title, culprit, severity, type, service, environment, release, grouped_by, components, first_seen, last_seen)
      VALUES (@projectId, @hash, @title, @culprit, @severity, @type, @service, @environment, @release, @groupedBy, @components, @t, @t)`),
    touchIssue:
      db.prepare(`UPDATE issues SET last_seen = MAX(last_seen, @tmax), first_seen = MIN(first_seen, @tmin),
      severity = CASE WHEN @rank < (CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END) THEN @severity ELSE severity END,
      release = CASE WHEN @release = '' THEN release ELSE @release END WHERE id = @id`),
    reopen: db.prepare(
      "UPDATE issues SET status = 'open', regression = 1, resolved_in_release = NULL WHERE id = ?",
    ),
    insertEvent:
      db.prepare(`INSERT INTO events (id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, trace_id, correlation_id, payload, session_key)
      VALUES (@id, @issueId, @projectId, @timestamp, @receivedAt, @level, @severity, @service, @environment, @release, @traceId, @correlationId, @payload, @sessionKey)`),
    insertAttachment: db.prepare(
      'INSERT INTO attachments (event, filename, content_type, type, size, data) VALUES (@owner, @filename, @contentType, @type, @size, @data)',
    ),
    insertFeedbackAttachment: db.prepare(
      'INSERT INTO feedback_attachments (feedback, filename, content_type, type, size, data) VALUES (@owner, @filename, @contentType, @type, @size, @data)',
    ),
    countEvents: db.prepare('UPDATE issues SET count = count + @n WHERE id = @id'),
    // What the issue shows is its newest event's, by the event's own time (Sentry's latest event:
    // by timestamp), not the last to arrive: an SDK's offline queue sends hours-old events late.
    countEventsTakingNewest: db.prepare(
      `UPDATE issues SET count = count + @n, title = @title, culprit = @culprit, service = @service,
       environment = @environment, latest_event = @latestEvent WHERE id = @id`,
    ),
    addUser: db.prepare('INSERT OR IGNORE INTO issue_users (issue_id, user) VALUES (?, ?)'),
    countUsers: db.prepare('UPDATE issues SET users = users + ? WHERE id = ?'),
    addHour: db.prepare(
      'INSERT INTO issue_hours (issue_id, hour, count) VALUES (@id, @hour, @n) ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + @n',
    ),
    addServiceHour: db.prepare(
      'INSERT INTO service_hours (hour, project_id, service, severity, count) VALUES (@hour, @project, @service, @severity, @n) ON CONFLICT (hour, project_id, service, severity) DO UPDATE SET count = count + @n',
    ),
    addMinute: db.prepare(
      'INSERT INTO event_minutes (minute, project_id, count) VALUES (@minute, @project, @n) ON CONFLICT (minute, project_id) DO UPDATE SET count = count + excluded.count',
    ),
    pruneServiceHours: db.prepare('DELETE FROM service_hours WHERE hour < ?'),
    pruneMinutes: db.prepare('DELETE FROM event_minutes WHERE minute < ?'),
    pruneIssueHours: db.prepare('DELETE FROM issue_hours WHERE hour < ?'),
    addRelease: db.prepare(
      'INSERT OR IGNORE INTO releases (project_id, name, first_seen) VALUES (?, ?, ?)',
    ),
    addIssueService: db.prepare(
      'INSERT OR IGNORE INTO issue_services (service, issue_id) VALUES (?, ?)',
    ),
    addIssueEnvironment: db.prepare(
      'INSERT OR IGNORE INTO issue_environments (environment, issue_id) VALUES (?, ?)',
    ),
    addIssueRelease: db.prepare(
      'INSERT OR IGNORE INTO issue_releases (issue_id, release) VALUES (?, ?)',
    ),
    releaseSeen: db.prepare('SELECT first_seen FROM releases WHERE project_id = ? AND name = ?'),
    insertFeedback: db.prepare(
      `INSERT INTO feedback (project_id, event_id, issue_id, received_at, name, email, message, url, sent_id)
       VALUES (@projectId, @eventId, @issueId, @receivedAt, @name, @email, @message, @url, @sentId)`,
    ),
    feedbackSent: db.prepare(
      'SELECT id, received_at FROM feedback WHERE project_id = ? AND sent_id = ?',
    ),
    // What Sentry's save_userreport overwrites: the name, address and text (and the page, here,
    // where the new one names one); its time stays the first one's.
    overwriteFeedback: db.prepare(
      `UPDATE feedback SET name = @name, email = @email, message = @message,
       url = COALESCE(@url, url), issue_id = COALESCE(issue_id, @issueId) WHERE id = @id`,
    ),
    dropFeedbackAttachments: db.prepare('DELETE FROM feedback_attachments WHERE feedback = ?'),
    linkFeedback: db.prepare(
      'UPDATE feedback SET issue_id = ? WHERE project_id = ? AND event_id = ? AND issue_id IS NULL',
    ),
  };

  // Each batch drops the hours no list, sparkline or stat reads any more as an hour starts; a
  // database from before kept every hour it counted.
  st.pruneIssueHours.run(Math.floor(Date.now() / HOUR) - ISSUE_HOURS);

  const RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

  /** Release `a` is older than `b` (releases.ts: by version, else by first sight). */
  const olderRelease = (projectId: number, a: string, b: string) =>
    isOlderRelease(
      a,
      b,
      (r) => (st.releaseSeen.get(projectId, r) as { first_seen: number } | undefined)?.first_seen,
    );
  /**
   * An event reopens an issue resolved in `resolvedIn` unless it comes from an older release. One
   * with no release counts as older (Sentry's `GroupResolution.has_resolution`: the app has gone
   * from no release to some, so it predates the fix); an issue resolved with none recorded reopens
   * on any event.
   */
  const reopens = (e: TrackedEvent, resolvedIn: string | null): boolean =>
    !resolvedIn || (e.release !== '' && !olderRelease(e.projectId, e.release, resolvedIn));
  /** Of the issue's release and its new events', the newest: what a resolution is recorded in. */
  const newestRelease = (projectId: number, current: string, group: readonly TrackedEvent[]) =>
    group.reduce(
      (newest, e) =>
        e.release && (!newest || olderRelease(projectId, newest, e.release)) ? e.release : newest,
      current,
    );

  // The ids this connection stored, with their issues, and the feedback of the last hour still
  // waiting for its event (by `project\0event id`, when it was received): read from the newest
  // rows when it first stores (only the writer's connection stores).
  let recentIds: RecentEventIds | undefined;
  const waiting = new Map<string, number>();
  const recent = (): RecentEventIds => {
    if (recentIds) return recentIds;
    const ids = new RecentEventIds();
    const from =
      (db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM events').pluck().get() as number) -
      RECENT_IDS;
    for (const [projectId, id, at, issueId] of db
      .prepare(
        'SELECT project_id, id, received_at, issue_id FROM events WHERE rowid > ? ORDER BY rowid',
      )
      .raw()
      .iterate(from) as IterableIterator<[number, string, number, number]>)
      if (isEventId(id)) ids.add(projectId, id, at, issueId);
    for (const [projectId, eventId, at] of db
      .prepare(
        `SELECT project_id, event_id, received_at FROM feedback
         WHERE issue_id IS NULL AND event_id != '' AND received_at > ? ORDER BY id LIMIT ?`,
      )
      .raw()
      .iterate(Date.now() - RECENT_WINDOW_MS, WAITING_FEEDBACK) as IterableIterator<
      [number, string, number]
    >)
      waiting.set(`${projectId}\0${eventId}`, at);
    return (recentIds = ids);
  };
  /**
   * Feedback waits an hour for its event, counted from when it was received. The map holds it in
   * the order it came, so the first that has not waited an hour ends the sweep.
   */
  const stopWaiting = (now: number) => {
    for (const [key, at] of waiting) {
      if (at > now - RECENT_WINDOW_MS) break;
      waiting.delete(key);
    }
  };

  // One batch (a group commit) in one transaction. Events of one issue are applied together:
  // one issue update, one hour upsert per hour, however many events the batch holds.
  let prunedBefore = 0;
  const ingestTx = db.transaction((events: readonly TrackedEvent[]) => {
    let newIssues = 0;
    const opened: IngestResult['opened'][number][] = [];
    const serviceHours = new Map<
      string,
      { hour: number; project: number; service: string; severity: string; n: number }
    >();
    const minutes = new Map<string, { minute: number; project: number; n: number }>();
    const ids = recent();
    const seen = new Set<string>();
    const groups = new Map<string, TrackedEvent[]>();
    const accepted: TrackedEvent[] = [];
    /** Each stored event's issue, for the recent ids once committed. */
    const issueOf = new Map<TrackedEvent, number>();
    /** The waiting feedback these events are named by, linked once committed. */
    const linked: string[] = [];
    const batchReleases = new Set<string>();
    let newestHour = 0; // of the batch's arrivals
    /** The indices of the events not stored (IngestResult.duplicates). */
    const duplicates: number[] = [];
    for (const [i, e] of events.entries()) {
      // An SDK's second sending of an event stored within the hour, or one sent twice in a
      // batch, is stored once.
      const id = `${e.projectId}\0${e.eventId}`;
      if (seen.has(id) || ids.has(e.projectId, e.eventId, e.receivedAt)) {
        duplicates.push(i);
        continue;
      }
      seen.add(id);
      accepted.push(e);
      // A project's releases, each once a batch (the first event's time is when it was seen).
      if (e.release) {
        const r = `${e.projectId}\0${e.release}`;
        if (!batchReleases.has(r)) {
          batchReleases.add(r);
          st.addRelease.run(e.projectId, e.release, e.receivedAt);
        }
      }
      const key = `${e.projectId}\0${e.grouping.hash}`;
      const group = groups.get(key);
      if (group) group.push(e);
      else groups.set(key, [e]);
    }
    for (const group of groups.values()) {
      const first = group[0] as TrackedEvent;
      const last = group[group.length - 1] as TrackedEvent;
      let issue = st.findIssue.get(first.projectId, first.grouping.hash) as
        | {
            id: number;
            status: IssueStatus;
            severity: Severity;
            resolved_in_release: string | null;
            release: string;
            last_seen: number;
          }
        | undefined;
      const [tmin, tmax] = extent(group.map((e) => e.timestamp));
      // Of the batch's events, the newest by its own time; of those at one time, the last to come.
      const newest = group.reduce((n, e) => (e.timestamp >= n.timestamp ? e : n), first);
      // An issue takes its title, culprit, service and environment from it unless it has seen a
      // newer event already (an existing issue's last_seen is its newest event's time).
      const takesNewest = !issue || newest.timestamp >= issue.last_seen;
      const worst = group.reduce((w, e) => (RANK[e.severity] < RANK[w.severity] ? e : w), first);
      if (!issue) {
        const info = st.insertIssue.run({
          projectId: first.projectId,
          hash: first.grouping.hash,
          title: newest.title,
          culprit: newest.culprit,
          severity: worst.severity,
          type: first.type,
          service: newest.service,
          environment: newest.environment,
          release: last.release,
          groupedBy: first.grouping.groupedBy,
          components: JSON.stringify(first.grouping.components),
          t: tmin,
        });
        issue = {
          id: Number(info.lastInsertRowid),
          status: 'open',
          severity: worst.severity,
          resolved_in_release: null,
          release: last.release,
          last_seen: tmin,
        };
        newIssues++;
        opened.push({
          projectId: first.projectId,
          service: newest.service,
          severity: worst.severity,
        });
      } else if (issue.status === 'resolved') {
        const resolvedIn = issue.resolved_in_release;
        if (group.some((e) => reopens(e, resolvedIn))) {
          st.reopen.run(issue.id);
          // Counted under the issue's severity, as a new issue is: a critical issue regressing
          // with an error-level event is a critical regression (the severity only rises).
          opened.push({
            projectId: first.projectId,
            service: newest.service,
            severity: RANK[worst.severity] < RANK[issue.severity] ? worst.severity : issue.severity,
          });
        }
      }
      st.touchIssue.run({
        id: issue.id,
        tmin,
        tmax,
        rank: RANK[worst.severity],
        severity: worst.severity,
        // The newest release seen, not the last event's: an old release still running
        // somewhere must not become what a resolution is recorded in.
        release: newestRelease(first.projectId, issue.release, group),
      });
      let newestRow: number | bigint | undefined;
      const hours = new Map<number, number>();
      const releases = new Set<string>();
      const services = new Set<string>();
      const environments = new Set<string>();
      const users = new Set<string>();
      for (const e of group) {
        const row = st.insertEvent.run({
          id: e.eventId,
          issueId: issue.id,
          projectId: e.projectId,
          timestamp: e.timestamp,
          receivedAt: e.receivedAt,
          level: e.level,
          severity: e.severity,
          service: e.service,
          environment: e.environment,
          release: e.release,
          traceId: e.traceId ?? null,
          correlationId: e.correlationId ?? null,
          payload: packPayload(e.payload),
          // Only databases from before the sessions table read this column (to migrate).
          sessionKey: null,
        });
        issueOf.set(e, issue.id);
        if (e === newest) newestRow = row.lastInsertRowid;
        if (waiting.size > 0) {
          const key = `${e.projectId}\0${e.eventId}`;
          if (waiting.has(key)) {
            st.linkFeedback.run(issue.id, e.projectId, e.eventId);
            linked.push(key);
          }
        }
        if (row.changes > 0)
          for (const a of e.attachments ?? [])
            st.insertAttachment.run(attachmentRow(row.lastInsertRowid, a));
        if (row.changes > 0 && (e.traceId || e.correlationId))
          index.stored({
            rowid: Number(row.lastInsertRowid),
            projectId: e.projectId,
            timestamp: e.timestamp,
            service: e.service,
            ...(e.traceId ? { traceId: e.traceId } : {}),
            ...(e.correlationId ? { correlationId: e.correlationId } : {}),
          });
        // Counted in the hour it happened in, as first and last seen are; an hour no list,
        // sparkline or stat reads any more is counted in the total alone. An event dated into
        // an hour that has not begun (a clock up to a minute fast) counts in the current one.
        const arrived = Math.floor(e.receivedAt / HOUR);
        const hour = Math.min(Math.floor(e.timestamp / HOUR), arrived);
        if (arrived > newestHour) newestHour = arrived;
        if (hour >= arrived - ISSUE_HOURS) hours.set(hour, (hours.get(hour) ?? 0) + 1);
        if (hour >= arrived - STATS_HOURS) {
          const project = e.projectId;
          const key = `${hour}\0${project}\0${e.service}\0${e.severity}`;
          const sh = serviceHours.get(key);
          if (sh) sh.n++;
          else
            serviceHours.set(key, {
              hour,
              project,
              service: e.service,
              severity: e.severity,
              n: 1,
            });
          const minute = Math.min(
            Math.floor(e.timestamp / MINUTE),
            Math.floor(e.receivedAt / MINUTE),
          );
          const minuteKey = `${minute}\0${project}`;
          const m = minutes.get(minuteKey);
          if (m) m.n++;
          else minutes.set(minuteKey, { minute, project, n: 1 });
        }
        if (e.release) releases.add(e.release);
        services.add(e.service);
        environments.add(e.environment);
        if (e.user) users.add(e.user);
      }
      if (takesNewest)
        st.countEventsTakingNewest.run({
          id: issue.id,
          n: group.length,
          title: newest.title,
          culprit: newest.culprit,
          service: newest.service,
          environment: newest.environment,
          latestEvent: newestRow ?? null,
        });
      else st.countEvents.run({ id: issue.id, n: group.length });
      for (const [hour, n] of hours) st.addHour.run({ id: issue.id, hour, n });
      for (const r of releases) st.addIssueRelease.run(issue.id, r);
      for (const v of services) st.addIssueService.run(v, issue.id);
      for (const v of environments) st.addIssueEnvironment.run(v, issue.id);
      let added = 0;
      for (const u of users) added += st.addUser.run(issue.id, u).changes;
      if (added > 0) st.countUsers.run(added, issue.id);
    }
    for (const row of serviceHours.values()) st.addServiceHour.run(row);
    for (const row of minutes.values()) st.addMinute.run(row);
    // The first batch of an hour drops the hours the lists, sparklines and stats no longer read.
    if (newestHour > prunedBefore) {
      prunedBefore = newestHour;
      st.pruneServiceHours.run(newestHour - STATS_HOURS);
      st.pruneIssueHours.run(newestHour - ISSUE_HOURS);
      st.pruneMinutes.run((newestHour - STATS_HOURS) * (HOUR / MINUTE));
    }
    index.afterBatch(accepted.length);
    const result: IngestResult = {
      newIssues,
      opened,
      ...(duplicates.length > 0 ? { duplicates } : {}),
    };
    return { result, accepted, issueOf, linked };
  });

  /** Stores a batch; its events count as stored, for what comes later, once it has committed. */
  const ingest = (events: readonly TrackedEvent[]): IngestResult => {
    if (waiting.size > 0) stopWaiting(Date.now());
    const { result, accepted, issueOf, linked } = ingestTx.immediate(events);
    for (const e of accepted) recentIds?.add(e.projectId, e.eventId, e.receivedAt, issueOf.get(e));
    for (const key of linked) waiting.delete(key);
    return result;
  };

  /**
   * A piece of feedback sent again (the same `sentId`: a user report about the same event, as
   * Sentry's save_userreport keeps one a project and event, or the same feedback item) is that
   * piece: within FEEDBACK_OVERWRITE_MS of the first sending it overwrites it, its attachments
   * replaced where it brings some; later it is refused, as Sentry refuses it ("Feedback for this
   * event cannot be modified"). Only new pieces are counted.
   */
  const feedbackTx = db.transaction(
    (projectId: number, receivedAt: number, feedback: readonly SentFeedback[]) => {
      const ids = recent();
      const waits: string[] = [];
      let added = 0;
      for (const f of feedback) {
        const issueId = f.eventId === undefined ? undefined : ids.issueOf(projectId, f.eventId);
        const row = {
          projectId,
          eventId: f.eventId ?? '',
          issueId: issueId ?? null,
          receivedAt,
          name: f.name,
          email: f.email,
          message: f.message,
          url: f.url ?? null,
          sentId: f.sentId ?? null,
        };
        const there =
          f.sentId === undefined
            ? undefined
            : (st.feedbackSent.get(projectId, f.sentId) as
                { id: number; received_at: number } | undefined);
        let id: number | bigint;
        if (there) {
          if (receivedAt - there.received_at > FEEDBACK_OVERWRITE_MS) continue;
          st.overwriteFeedback.run({ ...row, id: there.id });
          id = there.id;
          if (f.attachments?.length) st.dropFeedbackAttachments.run(id);
        } else {
          id = st.insertFeedback.run(row).lastInsertRowid;
          added++;
          if (f.eventId !== undefined && issueId === undefined)
            waits.push(`${projectId}\0${f.eventId}`);
        }
        for (const a of f.attachments ?? []) st.insertFeedbackAttachment.run(attachmentRow(id, a));
      }
      return { waits, added };
    },
  );
  const ingestFeedback: IssueIngest['ingestFeedback'] = (projectId, receivedAt, feedback) => {
    stopWaiting(receivedAt);
    const { waits, added } = feedbackTx.immediate(projectId, receivedAt, feedback);
    for (const key of waits) if (waiting.size < WAITING_FEEDBACK) waiting.set(key, receivedAt);
    return added;
  };
  return { ingest, ingestFeedback };
}
