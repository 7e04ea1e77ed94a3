// JSON indented as Go's json.Indent(dst, src, "", "  ") indents it, which is what
// json.MarshalIndent(v, "", "  ") writes for the JSON json.Marshal writes: what k8s.io/apiserver
// answers a pretty-print request with. It works on the text, so numbers and strings keep their
// bytes (a parse and stringify could rewrite them), and an already serialised body (a cached
// value list) is indented without being parsed.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const SPACE = 0x20;

const isSpace = (b: number) => b === SPACE || b === 0x09 || b === NEWLINE || b === 0x0d;

/**
 * `json` (valid JSON, as the adapter writes it) indented by two spaces a level: a newline after
 * each `{`, `[` and `,`, `": "` between key and value, empty objects and arrays kept as `{}` and
 * `[]`, and space outside strings dropped. UTF-8 bytes past ASCII are never
 * punctuation, so they are copied as they are.
 */
export function indentJson(json: Uint8Array): Buffer {
  // Two passes over the bytes: the first measures, the second writes.
  let out: Buffer | undefined;
  let at = 0;
  const put = (b: number) => {
    if (out) out[at] = b;
    at++;
  };
  const newline = (depth: number) => {
    put(NEWLINE);
    if (out) out.fill(SPACE, at, at + 2 * depth);
    at += 2 * depth;
  };
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) {
      out = Buffer.allocUnsafe(at);
      at = 0;
    }
    let depth = 0;
    let needIndent = false;
    let inString = false;
    let escaped = false;
    for (const b of json) {
      if (inString) {
        put(b);
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (isSpace(b)) continue;
      // `{` and `[` delay their newline, so that an empty object or array stays on its line.
      if (needIndent && b !== 0x7d && b !== 0x5d) {
        needIndent = false;
        depth++;
        newline(depth);
      }
      switch (b) {
        case QUOTE:
          inString = true;
          put(b);
          break;
        case 0x7b: // {
        case 0x5b: // [
          needIndent = true;
          put(b);
          break;
        case 0x2c: // ,
          put(b);
          newline(depth);
          break;
        case 0x3a: // :
          put(b);
          put(SPACE);
          break;
        case 0x7d: // }
        case 0x5d: // ]
          if (needIndent) needIndent = false;
          else {
            depth--;
            newline(depth);
          }
          put(b);
          break;
        default:
          put(b);
      }
    }
  }
  return out as Buffer;
}
