// Sentry's generate_module (getsentry/sentry src/sentry/lang/javascript/utils.py): a made-up module
// name for a script URL, without what changes from one build or deploy to the next (the query,
// the extension, `.min`, version and hash directories, a hash glued to the file name). Browser
// frames carry no module, and their file name is the bundle's URL, so hashed by file one error
// becomes a new issue with every build; hashed by this module it stays one.
//
// Written to give what the Python gives for any string, so the regular expressions keep Python's
// meaning: `\d` is any Unicode decimal digit, `.` anything but a newline, and re.I matches `ſ`
// to `s` (the `u` flag's case folding does too) and `İ` and `ı` to `i` (spelt out below).

/** What Sentry's generate_module returns when nothing is left of the path. */
export const UNKNOWN_MODULE = '<unknown module>';

// CLEAN_MODULE_RE: folder prefixes that say nothing (leading slashes, `js/`, `static/`,
// `node_modules/`, `_next/`, `./`, `~/`, versions, short and long shas) and a commitish that ends
// the name (`main.3f2a1b9c`, `libs-20150417171659`).
const CLEAN_MODULE =
  /^(?:\/|(?:(?:java)?scr[iİı]pts?|js|bu[iİı]ld|stat[iİı]c|node_modules|bower_components|[_.~][^\n]*?|v?(?:\p{Nd}+\.)*\p{Nd}+|[a-f0-9]{7,8}|[a-f0-9]{32}|[a-f0-9]{40})\/)+|[-.][a-f0-9]{7,}$/giu;
// VERSION_RE (`^[a-f0-9]{32}|[a-f0-9]{40}$`) as re.match applies it to each `/`-separated
// token: the first token that starts with an md5 or a sha1.
const VERSION_TOKEN = /(?:^|\/)[a-f0-9]{32}[^/]*/i;

/** The path of a URL, as Python's urllib.parse.urlsplit reads it. */
function urlPath(src: string): string {
  // urlsplit drops tabs and line breaks anywhere, and control characters and spaces in front.
  // eslint-disable-next-line no-control-regex
  let rest = src.replace(/[\t\r\n]/g, '').replace(/^[\x00-\x20]+/, '');
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[a-z][a-z0-9+.-]*$/i.test(rest.slice(0, colon))) rest = rest.slice(colon + 1);
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  const cut = rest.search(/[?#]/);
  return cut < 0 ? rest : rest.slice(0, cut);
}

/** The path without its extension, as Python's os.path.splitext (posix) reads it. */
function withoutExtension(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  // Dots that start the file name (`.babelrc`, `..js`) make no extension.
  for (let i = slash + 1; i < dot; i++) if (path[i] !== '.') return path.slice(0, dot);
  return path;
}

/**
 * Sentry's generate_module: `http://google.com/js/v1.0/foo/bar/baz.js` → `foo/bar/baz`,
 * `https://example.com/static/js/main.3f2a1b9c.js` → `main`. Empty when an md5 or sha1 is the
 * file's own name (nothing follows it), as Sentry's is.
 */
export function generateModule(src: string | undefined): string {
  if (!src) return UNKNOWN_MODULE;
  let name = withoutExtension(urlPath(src));
  if (name.endsWith('.min')) name = name.slice(0, -4);
  // A build's md5 or sha1 directory: only what is under it names the file.
  const sha = VERSION_TOKEN.exec(name);
  if (sha) return name.slice(sha.index + sha[0].length + 1);
  return name.replace(CLEAN_MODULE, '') || UNKNOWN_MODULE;
}
