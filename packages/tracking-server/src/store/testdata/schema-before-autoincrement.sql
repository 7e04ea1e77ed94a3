-- The tables of sqlite-schema.ts as versions before AUTOINCREMENT made them (a copy of SCHEMA, its
-- events table written out), for never-reused-ids.test.ts: a database these made is migrated.
CREATE TABLE IF NOT EXISTS releases (
  project_id INTEGER NOT NULL, name TEXT NOT NULL, first_seen INTEGER NOT NULL,
  PRIMARY KEY (project_id, name));
-- latest_event is the row id of the issue's newest event by its own time (issue-ingest.ts); NULL
-- in a database from before, or once retention has taken it, where the last to arrive is read.
CREATE TABLE IF NOT EXISTS issues (
  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, hash TEXT NOT NULL,
  title TEXT NOT NULL, culprit TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
  severity TEXT NOT NULL, type TEXT NOT NULL, service TEXT NOT NULL,
  environment TEXT NOT NULL, release TEXT NOT NULL,
  grouped_by TEXT NOT NULL, components TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,
  users INTEGER NOT NULL DEFAULT 0, regression INTEGER NOT NULL DEFAULT 0,
  resolved_in_release TEXT, latest_event INTEGER, UNIQUE (project_id, hash));
CREATE INDEX IF NOT EXISTS issues_last_seen ON issues (last_seen DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_first_seen ON issues (first_seen DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_count ON issues (count DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_users ON issues (users DESC, id DESC);
CREATE TABLE IF NOT EXISTS issue_users (
  issue_id INTEGER NOT NULL, user TEXT NOT NULL, PRIMARY KEY (issue_id, user)) WITHOUT ROWID;
-- Events an hour by the hour of their own time, kept for the last ISSUE_HOURS: the sparklines,
-- the stats' trend and the issue list's counts in a time range read them by hour (a row is added
-- once per issue an hour, so the index costs ingest next to nothing), and older hours go as each
-- new hour starts.
CREATE TABLE IF NOT EXISTS issue_hours (
  issue_id INTEGER NOT NULL, hour INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (issue_id, hour)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS issue_hours_by_hour ON issue_hours (hour);
CREATE TABLE IF NOT EXISTS issue_releases (
  issue_id INTEGER NOT NULL, release TEXT NOT NULL, PRIMARY KEY (issue_id, release)) WITHOUT ROWID;
-- The issue list's release filter looks issues up by release (a row is added only when an issue
-- first sees a release, so the index costs ingest next to nothing).
CREATE INDEX IF NOT EXISTS issue_releases_by_release ON issue_releases (release, issue_id);
CREATE TABLE IF NOT EXISTS events (
  id TEXT NOT NULL, issue_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, received_at INTEGER NOT NULL, level TEXT NOT NULL,
  severity TEXT NOT NULL, service TEXT NOT NULL, environment TEXT NOT NULL, release TEXT NOT NULL,
  trace_id TEXT, correlation_id TEXT, payload TEXT NOT NULL, session_key TEXT,
  session_sid INTEGER);
DROP INDEX IF EXISTS events_issue;
CREATE INDEX IF NOT EXISTS events_by_issue ON events (issue_id, received_at);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
-- An event's attachments (ingest/attachment.ts), keyed by their own id, which the API names.
-- They go with their event (retention); data is NULL where the scrubber filtered them whole.
CREATE TABLE IF NOT EXISTS attachments (
  id INTEGER PRIMARY KEY, event INTEGER NOT NULL, filename TEXT NOT NULL,
  content_type TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB);
CREATE INDEX IF NOT EXISTS attachments_by_event ON attachments (event);
CREATE TRIGGER IF NOT EXISTS attachments_gone
  AFTER DELETE ON events BEGIN DELETE FROM attachments WHERE event = old.rowid; END;
-- User feedback (ingest/feedback.ts), by the id of the event it names, which it may reach
-- before that event does (event_id is '' where it names none), and by that event's issue once
-- known (issue-ingest.ts; NULL until then, or where it never was). It goes by age, as events do.
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, event_id TEXT NOT NULL, issue_id INTEGER,
  received_at INTEGER NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL, message TEXT NOT NULL,
  url TEXT);
CREATE INDEX IF NOT EXISTS feedback_by_event ON feedback (project_id, event_id);
CREATE INDEX IF NOT EXISTS feedback_by_issue ON feedback (issue_id, received_at);
CREATE INDEX IF NOT EXISTS feedback_received ON feedback (received_at);
-- What was sent with a piece of feedback (the widget's screenshot), as attachments are kept; they
-- go with it.
CREATE TABLE IF NOT EXISTS feedback_attachments (
  id INTEGER PRIMARY KEY, feedback INTEGER NOT NULL, filename TEXT NOT NULL,
  content_type TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB);
CREATE INDEX IF NOT EXISTS feedback_attachments_by_feedback ON feedback_attachments (feedback);
CREATE TRIGGER IF NOT EXISTS feedback_attachments_gone
  AFTER DELETE ON feedback BEGIN DELETE FROM feedback_attachments WHERE feedback = old.id; END;
