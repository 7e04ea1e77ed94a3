// Reading fields of an event as sent: any JSON may stand where the protocol says text.

/** A text field as sent: strings, and numbers or booleans as text; anything else is absent. */
export const text = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;

/**
 * Sentry's `truncatechars` (sentry/utils/strings.py): over `limit` characters (code points, as
 * Python counts them), the first `limit - 3` and `...`.
 */
export function truncateChars(s: string, limit: number): string {
  // A string of at most `limit` UTF-16 units has at most `limit` code points.
  if (s.length <= limit) return s;
  const points = Array.from(s);
  return points.length <= limit ? s : `${points.slice(0, limit - 3).join('')}...`;
}

// Python's str.splitlines boundaries, the file and group separators among them.
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** The text before the first line break (Python's `s.splitlines()[0]` for non-empty `s`). */
export const firstLine = (s: string): string => {
  const at = s.search(LINE_BREAK);
  return at < 0 ? s : s.slice(0, at);
};

/**
 * Sentry's trim before grouping a message or an exception's value (grouping/strategies/
 * message.py normalize_message_for_grouping): its first two non-empty lines and `...` when more
 * follow, for what comes after (an SQL statement's parameters, a payload) varies between
 * occurrences of one error. Text with nothing past a second non-empty line is kept whole, as it
 * always was, so the issues it made keep their hashes (Sentry also marks dropped blank lines).
 */
export function firstTwoLines(s: string): string {
  if (s.search(LINE_BREAK) < 0) return s;
  const lines = s.split(LINE_BREAK);
  const kept: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (kept.length === 2) return `${kept.join('\n')}...`;
    kept.push(line);
  }
  return s;
}
