// A span stored as an operation (from OTLP, or a Sentry span item) is scrubbed once it is read,
// as an event is: its attribute values under sensitive keys, and sensitive shapes in any
// attribute, its name or status message. Once read, not on the wire: span v2 sends each attribute
// as `{ type, value }`, and a count under a `…tokens` key, kept as a number, was filtered whole as
// an object.
import type { Operation } from '../ingest/otlp';
import type { Scrubber, ScrubOptions } from './scrub';

export function scrubOperation(options: ScrubOptions, scrub: Scrubber, o: Operation): Operation {
  // Addresses are kept out even where scrubbing is off (projects.ts scrub.ipAddresses).
  if (!options.enabled && !options.ipAddresses) return o;
  return {
    ...o,
    name: scrub.text(o.name),
    ...(o.statusMessage !== undefined ? { statusMessage: scrub.text(o.statusMessage) } : {}),
    attributes: scrub({ ...o.attributes }) as Operation['attributes'],
  };
}
