// User feedback: what a user of the application wrote about an error. Sentry's SDKs send it two
// ways, and both are read into one shape:
// - `user_report` items (the older form, still sent by SDKs' captureUserFeedback), read as Relay
//   reads them (relay-event-schema, protocol/user_report.rs): `event_id`, and `name`, `email` and
//   `comments`, each a string, null or absent;
// - `feedback` items (captureFeedback, the feedback widget): an event whose `contexts.feedback`
//   holds `message`, `contact_email`, `name`, `url` and `associated_event_id`
//   (protocol/contexts/user_report_v2.rs).
// The text is scrubbed as events are; the name and address the user typed are kept, as Relay
// keeps `contact_email` (`pii = "false"`).
import type { Scrubber } from '../scrub/scrub';
import type { KeptAttachment } from './attachment';
import { EnvelopeError, itemJson, type EnvelopeItem } from './envelope';
import { isObj } from './json';

/** Feedback as it is stored. */
export interface SentFeedback {
  /** The event it is about (32 lower-case hex digits), where it names one. */
  readonly eventId?: string;
  /**
   * What it was sent as, which a second sending of it (an SDK's retry) has too: a user report's
   * event id (Sentry keeps one user report a project and event: its UserReport is unique by
   * them), a feedback item's own event id (two users' feedback about one error is two pieces, as
   * Sentry's feedback events are); absent where a feedback item has none.
   */
  readonly sentId?: string;
  readonly name: string;
  readonly email: string;
  readonly message: string;
  /** The page it was written on (feedback items only). */
  readonly url?: string;
  /** What was sent with it (the feedback widget's screenshot), scrubbed (attachment.ts). */
  readonly attachments?: readonly KeptAttachment[];
}

/**
 * The lengths Sentry's UserReport model keeps (name 128, email 75, comments 4096 characters);
 * longer text is cut, not refused: what the user wrote is kept as far as it goes.
 */
export const FEEDBACK_LIMITS = { name: 128, email: 75, message: 4096, url: 2048 } as const;

/** An event id as Relay's EventId reads one: a UUID, with or without its hyphens. */
const EVENT_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const shown = (value: unknown) =>
  typeof value === 'object' && value !== null
    ? Array.isArray(value)
      ? 'a list'
      : 'an object'
    : JSON.stringify(value);

/**
 * The feedback of envelope item `index` (1-based), a `user_report` or a `feedback` item, its
 * text scrubbed by `scrub`; an EnvelopeError names what is wrong with it.
 */
export function readFeedback(item: EnvelopeItem, index: number, scrub: Scrubber): SentFeedback {
  const json = itemJson(item, index);
  const where = `item ${index} (${item.type})`;
  const refuse = (why: string): never => {
    throw new EnvelopeError(`${where} ${why}`);
  };
  /** A string field: null or absent is `fallback`, anything else but a string is refused. */
  const text = (from: Record<string, unknown>, field: string, path: string, fallback = '') => {
    const value = from[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') return refuse(`${path} is ${shown(value)}, not a string`);
    return value;
  };
  const eventId = (value: string, path: string) =>
    EVENT_ID.test(value)
      ? value.replace(/-/g, '').toLowerCase()
      : refuse(`${path} ${JSON.stringify(value.slice(0, 64))} is not an event id`);

  let sent: SentFeedback;
  if (item.type === 'user_report') {
    if (json.event_id === undefined || json.event_id === null) refuse('has no event_id');
    const about = eventId(text(json, 'event_id', 'event_id'), 'event_id');
    sent = {
      eventId: about,
      sentId: about,
      name: text(json, 'name', 'name'),
      email: text(json, 'email', 'email'),
      message: text(json, 'comments', 'comments'),
    };
  } else {
    const context = isObj(json.contexts) ? json.contexts.feedback : undefined;
    if (!isObj(context)) return refuse('has no contexts.feedback object');
    const path = (field: string) => `contexts.feedback.${field}`;
    const message = text(context, 'message', path('message'));
    if (message.trim() === '') refuse(`has no ${path('message')}`);
    // Sentry fills the address and name from the event's user where the form left them out.
    const user = isObj(json.user) ? json.user : {};
    const fromUser = (field: string) => (typeof user[field] === 'string' ? user[field] : '');
    const associated = text(context, 'associated_event_id', path('associated_event_id'));
    const url = text(context, 'url', path('url'));
    // Its own id, where it has one Relay would read (another is none: it is not refused for it).
    const own =
      typeof json.event_id === 'string' && EVENT_ID.test(json.event_id) ? json.event_id : '';
    sent = {
      ...(associated ? { eventId: eventId(associated, path('associated_event_id')) } : {}),
      ...(own ? { sentId: own.replace(/-/g, '').toLowerCase() } : {}),
      name: text(context, 'name', path('name')) || fromUser('name'),
      email: text(context, 'contact_email', path('contact_email')) || fromUser('email'),
      message,
      ...(url ? { url } : {}),
    };
  }
  // Scrubbed before it is cut: a card number cut in half would no longer be seen as one.
  return {
    ...(sent.eventId !== undefined ? { eventId: sent.eventId } : {}),
    ...(sent.sentId !== undefined ? { sentId: sent.sentId } : {}),
    name: cut(sent.name, FEEDBACK_LIMITS.name),
    email: cut(sent.email, FEEDBACK_LIMITS.email),
    message: cut(scrub.text(sent.message), FEEDBACK_LIMITS.message),
    ...(sent.url !== undefined ? { url: cut(scrub.text(sent.url), FEEDBACK_LIMITS.url) } : {}),
  };
}

/**
 * The first `max` characters of `s`, counted as Sentry's model counts them: in code points
 * (Python's len), so an emoji is one, and no surrogate pair is split.
 */
function cut(s: string, max: number): string {
  if (s.length <= max) return s; // never more code points than UTF-16 units
  let units = 0;
  let kept = 0;
  for (const char of s) {
    if (kept === max) break;
    units += char.length;
    kept += 1;
  }
  return s.slice(0, units);
}
