// One request's Sentry events as they were sent, and how they are read (parsed, scrubbed,
// grouped). The store's writers read them on the thread that received the request, and commit
// them on the store's own (store/writer.ts).
import type { ErrorType, Severity } from '../grouping/classify';
import { scrubberCache, type ScrubOptions } from '../scrub/scrub';
import { scrubAttachment, type SentAttachment } from './attachment';
import { clockDrift, withoutClockDrift, withTimestampInRange } from './clock-drift';
import { EventError, readEvent, type TrackedEvent } from './event';
import { isObj } from './json';

export interface SentEvents {
  readonly projectId: number;
  readonly scrub: ScrubOptions;
  readonly receivedAt: number;
  /**
   * How far before `receivedAt` an event may be dated (event.ts maxPastMs: the project's
   * retention); 30 days when not given.
   */
  readonly maxPastMs?: number;
  /** `envelope` items or the legacy `store` body: errors are worded as each protocol's are. */
  readonly protocol: 'envelope' | 'store';
  /** The sender's address, for `user.ip_address: "{{auto}}"` (normalise.ts). */
  readonly clientIp?: string;
  /** When the sender's clock says it sent them (an envelope's `sent_at`), for clock-drift.ts. */
  readonly sentAt?: number;
  /**
   * Each event's JSON text and, for an envelope, its item's 1-based index; `eventId` is the
   * envelope header's, which the event takes over its own, as Relay gives it (the id the SDK
   * was answered with is the id stored). `attachments` are those sent with it (attachment.ts).
   */
  readonly items: readonly {
    readonly text: string;
    readonly index: number;
    readonly eventId?: string;
    readonly attachments?: readonly SentAttachment[];
  }[];
}

/** What the answer and the metrics need of each stored event. */
export interface EventFacts {
  readonly eventId: string;
  readonly service: string;
  readonly severity: Severity;
  readonly type: ErrorType;
}

export const factsOf = ({ eventId, service, severity, type }: TrackedEvent): EventFacts => ({
  eventId,
  service,
  severity,
  type,
});

/** Reads SentEvents; throws an EventError naming the first event that is not one. */
export function sentEventReader(): (sent: SentEvents) => TrackedEvent[] {
  const scrubberFor = scrubberCache();
  return (sent) => {
    const scrub = scrubberFor(sent.scrub);
    const drift = clockDrift(sent.sentAt, sent.receivedAt);
    return sent.items.map(({ text, index, eventId, attachments }) => {
      const where =
        sent.protocol === 'envelope' ? `invalid envelope: item ${index} (event) payload` : 'event';
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new EventError(`${where} is not JSON: ${(err as Error).message}`);
      }
      if (sent.protocol === 'envelope' && !isObj(json))
        throw new EventError(`${where} must be a JSON object`);
      // Not an object (a store body): readEvent refuses it, naming that. Clock drift first, then
      // a time still out of range, in Relay's order (finalize, then validate_event).
      const event = isObj(json)
        ? withTimestampInRange(withoutClockDrift(json, drift), sent.receivedAt, sent.maxPastMs)
        : (json as Record<string, unknown>);
      // The text sent no longer says what is stored once its id or its times are replaced.
      const asSent = (eventId === undefined || event.event_id === eventId) && event === json;
      if (eventId !== undefined) event.event_id = eventId;
      const tracked = readEvent(
        event,
        sent.projectId,
        scrub,
        sent.receivedAt,
        asSent ? text : undefined,
        sent.clientIp,
        sent.maxPastMs,
      );
      if (!attachments?.length) return tracked;
      return { ...tracked, attachments: attachments.map((a) => scrubAttachment(a, scrub)) };
    });
  };
}
