// Values parsed from JSON as text, whatever their type — without String(), which calls an
// object's own "toString" key and throws when it is not a function (`{"toString": ""}` is valid
// JSON).

/** A JSON object as parsed. */
export type Obj = Record<string, unknown>;

/** Whether a parsed JSON value is an object (not null, not an array). */
export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stands for a value nested deeper than JSON.stringify's recursion reaches. */
export const TOO_DEEP = '[nested too deeply]';

/** Text as it is; numbers, booleans and null as String() gives them; the rest as JSON. */
export function jsonText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? '';
  } catch (err) {
    // A tag or span name sent as thousands of nested arrays: text nobody reads, not a 500.
    if (err instanceof RangeError) return TOO_DEEP;
    throw err;
  }
}
