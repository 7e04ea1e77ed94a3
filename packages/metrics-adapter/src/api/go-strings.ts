// Go's string order, for what this server writes or reads as Go's apimachinery does.

/** Go's string order (strings.Compare, `<`): UTF-8 bytes, that is code points, not UTF-16 units. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === a.length || i === b.length) return a.length - b.length;
  // Differing low surrogates after a shared high one: compare the whole code points.
  const unit = a.charCodeAt(i - 1);
  if (i > 0 && unit >= 0xd800 && unit <= 0xdbff) i--;
  return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
}
