// Values parsed from JSON as text or numbers, whatever their type — without String() or
// Number(), which call an object's own "toString" / "valueOf" keys and throw when those are not
// functions (`{"toString": ""}` is valid JSON).

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

/** A number, or numeric text, as a number; anything else is NaN. */
export function jsonNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return NaN;
}
