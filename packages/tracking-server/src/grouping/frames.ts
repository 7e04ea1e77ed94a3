// Sentry's per-platform clean-ups of a stack frame before it is hashed (grouping/strategies/
// newstyle.py: get_module_component, get_function_component, frame, _is_recursive_frame).
// Compilers and runtimes name generated code per process or per build (Java lambdas and proxy
// classes, Clojure functions, Ruby ERB templates); hashed as they are, one error splits into an
// issue per JVM or deploy. Each clean-up runs only for its platform (the frame's, else the
// event's) and, where it needs a regular expression, only after a cheap test says it may apply.
import { generateModule } from './generate-module';
import type { Frame } from './grouping';
import { PY_SPACE, PY_SPACE_BUT_SPACE } from './parameterize';
import { isObj } from '../ingest/json';

const isJavaScript = (platform: string | undefined) =>
  platform === 'javascript' || platform === 'node';
const isNative = (platform: string | undefined) =>
  platform === 'objc' ||
  platform === 'cocoa' ||
  platform === 'swift' ||
  platform === 'native' ||
  platform === 'c';

// Java code generators' class names, each with the part that differs per process replaced.
const JAVA_CODEGEN_HINT = /\$\$|\$fn__|EnhancerBy|FastClassBy|HibernateProxy|Generated/;
const JAVA_CODEGEN: readonly RegExp[] = [
  // sun.reflect.GeneratedConstructorAccessor456 (GeneratedMethodAccessor is handled apart)
  /(sun\.reflect\.Generated(?:Serialization)?ConstructorAccessor)\d+/g,
  // Spring: Service$$EnhancerBySpringCGLIB$$a1b2c3d4, $$FastClassBySpringCGLIB$$…
  /(\$\$[\w_]+?CGLIB\$\$)[a-fA-F0-9]+(_[0-9]+)?/g,
  // Javassist: EntriesResource_$$_javassist_seam_74
  /(\$\$_javassist)(?:_seam)?(?:_[0-9]+)?/g,
  // Clojure: myapp.mymodule$fn__12345
  /(\$fn__)\d+/g,
  // Guice: $$EnhancerByGuice$$ae46b1bf, $$FastClassByGuice$$caceacd2, or with single `$`
  /(\$\$?EnhancerBy[\w_]+?\$?\$)[a-fA-F0-9]+(_[0-9]+)?/g,
  /(\$\$?FastClassBy[\w_]+?\$?\$)[a-fA-F0-9]+(_[0-9]+)?/g,
  // Hibernate: User$HibernateProxy$oRWxjAWT
  /(\$\$?HibernateProxy\$?\$)\w+(_[0-9]+)?/g,
];

function javaModule(module: string): string {
  // A lambda's class (`Service$$Lambda$1234/0x…`) is numbered per JVM: it does not count.
  if (module.includes('$$Lambda$')) return '';
  if (module.startsWith('sun.reflect.GeneratedMethodAccessor'))
    return 'sun.reflect.GeneratedMethodAccessor';
  if (module.startsWith('jdk.internal.reflect.GeneratedMethodAccessor'))
    return 'jdk.internal.reflect.GeneratedMethodAccessor';
  if (!JAVA_CODEGEN_HINT.test(module)) return module;
  let out = module;
  for (const re of JAVA_CODEGEN) out = out.replace(re, '$1<auto>');
  return out;
}

const URL_SCHEMES = ['http:', 'https:', 'webpack:', 'app:'] as const;

/**
 * The module Sentry gives a JavaScript frame sent without one, from its URL (lang/javascript/
 * preprocessing.py generate_modules, run for javascript and node events only): a bundle's URL
 * changes with each build, the module made from it does not. Undefined where Sentry gives none.
 */
export function moduleFromUrl(
  f: Frame,
  platform: string | undefined,
  eventPlatform: string | undefined,
): string | undefined {
  if (f.module || !isJavaScript(eventPlatform) || !isJavaScript(platform)) return undefined;
  const url = f.abs_path;
  return url && URL_SCHEMES.some((s) => url.startsWith(s)) ? generateModule(url) : undefined;
}

/** The module a frame is hashed by, or '' when it does not count (the filename stands in). */
export function moduleKey(module: string, platform: string | undefined, absPath?: string): string {
  if (platform === 'java') return javaModule(module);
  // The browser SDK sometimes sends the file's path as its module.
  if (platform === 'javascript' && module.includes('/') && absPath?.endsWith(module)) return '';
  return module;
}

/** The file name a frame is hashed by (already normalised), or '' when it says nothing. */
export function filenameKey(file: string, platform: string | undefined): string {
  if (isJavaScript(platform)) return file === '<anonymous>' || file === '[native code]' ? '' : file;
  if (platform === 'java' && file.includes('$$'))
    return file.replace(/(\$\$_javassist)(?:_seam)?(?:_[0-9]+)?/g, '$1<auto>');
  return file;
}

/** A name browsers give a function that has none. */
const isUnnamed = (name: string) =>
  name === '?' ||
  name === '<anonymous>' ||
  name === '<anonymous function>' ||
  name === 'Anonymous function' ||
  name.endsWith('/<'); // Firefox's `handleClick/<`, a function inside handleClick
const RUBY_ERB_SUFFIX = /__\d{4,}_\d{4,}$/;

/** `Object.handleClick` and `Foo.handleClick` are Chrome's and Firefox's `handleClick`. */
const lastName = (fn: string) => fn.slice(fn.lastIndexOf('.') + 1);

/** The function a frame is hashed by, or '' when it does not count. */
export function functionKey(fn: string, platform: string | undefined): string {
  if (isJavaScript(platform)) {
    const name = lastName(fn);
    return isUnnamed(name) ? '' : name;
  }
  if (platform === 'ruby') {
    if (fn.startsWith('block ')) return 'block'; // `block (2 levels) in index`
    // ERB templates: _app_views_posts_index_html_erb__1203829102489211_70272046355600
    return fn.includes('__') ? fn.replace(RUBY_ERB_SUFFIX, '') : fn;
  }
  if (platform === 'java') return fn.startsWith('lambda$') ? '' : fn;
  if (platform === 'php') {
    if (fn.startsWith('[Anonymous') || fn.startsWith('class@anonymous\x00')) return '';
    const method = fn.startsWith('class@anonymous') ? fn.lastIndexOf('::') : -1;
    return method < 0 ? fn : fn.slice(method + 2);
  }
  if (isNative(platform) && (fn === '<redacted>' || fn === '<unknown>')) return '';
  // Beacon's own rule for every other platform, kept so that their issues keep their hashes.
  return fn === '?' || fn === '<anonymous>' ? '' : fn;
}

const JS_NOISE_PATHS = new Set(['[native code]', 'native code', 'eval code', '<anonymous>']);

/** A JavaScript frame Sentry leaves out whole: `eval`, or native or eval code. */
export function isNoiseFrame(f: Frame, platform: string | undefined): boolean {
  if (!isJavaScript(platform)) return false;
  const fn = f.function;
  return (
    (fn !== undefined && (fn === 'eval' || fn.endsWith('.eval'))) ||
    (f.abs_path !== undefined && JS_NOISE_PATHS.has(f.abs_path))
  );
}

/**
 * A frame identical to the one before it in Sentry's fields (abs_path, package, module,
 * filename, function, lineno, colno): a recursive call, which counts once. The line, which tells
 * most neighbours apart, is compared first.
 */
export function isRecursiveFrame(f: Frame, previous: Frame): boolean {
  return (
    f.lineno === previous.lineno &&
    f.function === previous.function &&
    f.filename === previous.filename &&
    f.module === previous.module &&
    f.abs_path === previous.abs_path &&
    f.package === previous.package &&
    f.colno === previous.colno
  );
}

// Platforms whose source Sentry trusts enough to hash a frame's line of code (grouping/strategies/
// configurations.py contextline_platforms), the frame's platform, else the event's.
const CONTEXT_LINE_PLATFORMS = new Set(['javascript', 'node', 'python', 'php', 'ruby']);
const SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'g');
// has_url_origin with files_count_as_urls (grouping/strategies/utils.py).
const URL_ORIGINS = ['http:', 'https:', 'applewebdata:', 'blob:', 'file:'] as const;

/** Whether `s` has more than `limit` code points (Python's len), counted only past `limit` units. */
function longerThan(s: string, limit: number): boolean {
  if (s.length <= limit) return false;
  let points = s.length;
  for (let i = 0; i < s.length - 1 && points > limit; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        points--;
        i++;
      }
    }
  }
  return points > limit;
}

/**
 * The frame's line of code as Sentry hashes it (newstyle.py get_contextline_component), or ''
 * where it does not count: its whitespace collapsed and trimmed as Python's `" ".join(s.split())`;
 * none over 120 characters (minified code), and for JavaScript none in a frame with no function
 * whose file is a URL (a page's inline script, or code eval'd in a browser).
 */
export function contextLineKey(f: Frame, platform: string | undefined): string {
  const raw = f.context_line;
  if (!raw || platform === undefined || !CONTEXT_LINE_PLATFORMS.has(platform)) return '';
  if (longerThan(raw, 120)) return '';
  if (isJavaScript(platform) && !f.function) {
    const path = f.abs_path;
    if (path && URL_ORIGINS.some((origin) => path.startsWith(origin))) return '';
  }
  return collapseSpaces(raw);
}

/** Whether `c` is a character Python's str.isspace() holds for (PY_SPACE). */
const isPySpace = (c: number) =>
  c === 0x20 || (c <= 0x1f ? (c >= 0x09 && c <= 0x0d) || c >= 0x1c : c >= 0x85 && isWideSpace(c));
const isWideSpace = (c: number) =>
  c === 0x85 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000;

// What `" ".join(s.split())` changes inside a line once its ends are cut: a space that is not ' ',
// or two in a row.
const SPACE_TO_COLLAPSE = new RegExp(`[${PY_SPACE_BUT_SPACE}]| {2}`);

/**
 * `" ".join(s.split())`. Most lines of code need only their indentation cut: they are sliced and
 * read once by a test, not rewritten by a replace (which cost as much as the rest of the frame).
 */
function collapseSpaces(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPySpace(s.charCodeAt(start))) start++;
  while (end > start && isPySpace(s.charCodeAt(end - 1))) end--;
  const line = start === 0 && end === s.length ? s : s.slice(start, end);
  return SPACE_TO_COLLAPSE.test(line) ? line.replace(SPACE_RUN, ' ') : line;
}

/**
 * Whether a JavaScript frame's function is left out for its line of code: Sentry's processing
 * marks a frame it mapped through a source map (`data.sourcemap`), and a mapped function name is
 * not to be trusted where the line is there (newstyle.py get_function_component).
 */
export const isSourceMapped = (f: Frame, platform: string | undefined): boolean =>
  isJavaScript(platform) &&
  isObj(f.data) &&
  f.data.sourcemap !== undefined &&
  f.data.sourcemap !== null;
