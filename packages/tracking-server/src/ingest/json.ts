// Values parsed from JSON as text or numbers, whatever their type — without String() or
// Number(), which call an object's own "toString" / "valueOf" keys and throw when those are not
// functions (`{"toString": ""}` is valid JSON).

/** Text as it is; numbers, booleans and null as String() gives them; the rest as JSON. */
export function jsonText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

/** A number, or numeric text, as a number; anything else is NaN. */
export function jsonNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return NaN;
}
