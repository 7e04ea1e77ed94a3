// Whether a JSON text can be kept as sent once its parse is scrubbed. JSON.parse keeps the last
// value of a key given twice in one object; the text still holds the others, which the scrubber
// never saw (`{"note":"Bearer …","note":"ok"}`). Counting a text's keys exactly takes a
// tokenizer; this count takes a scan for colons and is never below it. So a text whose count is
// the number of keys its parse holds repeats none, and one whose count is more may.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** JSON's blanks: space, tab, line feed, carriage return. */
const isBlank = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The colons in a JSON text that can end a key: each whose last character before it, past
 * blanks, is a `"` that is not escaped (an even run of backslashes before it). In valid JSON
 * every key ends so. Inside a string only a colon after the string's opening quote and blanks
 * does (`": x"`, `" :"`), so the count is the text's keys, or more.
 */
export function keyColons(text: string): number {
  let n = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) {
    let i = at - 1;
    while (isBlank(text.charCodeAt(i))) i--;
    if (text.charCodeAt(i) !== QUOTE) continue;
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) n++;
  }
  return n;
}
