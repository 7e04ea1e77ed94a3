// Which of two releases is older, for "a new event on a resolved issue reopens it as a
// regression unless it comes from a release older than the one it was resolved in". Sentry's
// release names are `package@version+build`: two of one package whose versions read as
// numbers, major.minor at least (1.9.0 < 1.10.0; a pre-release before its release), compare by version; any other
// pair (git SHAs, dates, other packages) by when the project first saw each, a tie counting as older.
// A pre-release is written after a hyphen (1.0.0-rc.1) or, as Python's are, straight after the
// numbers from a lower-case letter (1.0.0rc1, 2.0b3): Sentry's release parser
// (getsentry/sentry-release-parser, VERSION_REGEX) reads both.

interface Version {
  readonly pkg: string;
  readonly numbers: readonly number[];
  /** `-rc.1` and the like: before the release of the same numbers. */
  readonly pre: string | undefined;
}

const VERSION =
  /^(?:(.+)@)?v?(\d{1,9}(?:\.\d{1,9}){1,3})(?:-([0-9A-Za-z.-]+)|([a-z][0-9A-Za-z.-]*))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(release: string): Version | undefined {
  const m = VERSION.exec(release);
  if (!m) return undefined;
  return { pkg: m[1] ?? '', numbers: (m[2] as string).split('.').map(Number), pre: m[3] ?? m[4] };
}

/**
 * Negative when `a` is an older version than `b`, positive when newer, 0 when the same
 * version; undefined when the two are not versions of one package.
 */
export function compareVersions(a: string, b: string): number | undefined {
  const va = parse(a);
  const vb = parse(b);
  if (!va || !vb || va.pkg !== vb.pkg) return undefined;
  const n = Math.max(va.numbers.length, vb.numbers.length);
  for (let i = 0; i < n; i++) {
    const d = (va.numbers[i] ?? 0) - (vb.numbers[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (va.pre === vb.pre) return 0;
  if (va.pre === undefined) return 1;
  if (vb.pre === undefined) return -1;
  return comparePreReleases(va.pre, vb.pre);
}

const NUMERIC = /^\d+$/;

/**
 * Pre-releases as SemVer 2.0.0 §11 orders them: dot-separated identifiers left to right,
 * numeric ones as numbers (rc.2 < rc.10) and before alphanumeric ones, which compare in ASCII
 * order; a prefix of another comes first (alpha < alpha.1).
 */
function comparePreReleases(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = NUMERIC.test(x);
    const ny = NUMERIC.test(y);
    if (nx && ny) return Math.sign(Number(BigInt(x) - BigInt(y)));
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(pa.length - pb.length);
}

/**
 * Whether `a` is older than `b`: by version where both are one package's, else by first sight.
 * Two releases first seen in the same millisecond count as older each than the other, as Sentry's
 * `GroupResolution.has_resolution` holds a resolution when its release was added at or after the
 * event's (`res_release_datetime >= release.date_added`): an event from either does not reopen an
 * issue resolved in the other. A release is never older than itself.
 */
export function isOlderRelease(
  a: string,
  b: string,
  firstSeen: (release: string) => number | undefined,
): boolean {
  if (a === b) return false;
  const byVersion = compareVersions(a, b);
  if (byVersion !== undefined) return byVersion < 0;
  const fa = firstSeen(a);
  const fb = firstSeen(b);
  return fa !== undefined && fb !== undefined && fa <= fb;
}
