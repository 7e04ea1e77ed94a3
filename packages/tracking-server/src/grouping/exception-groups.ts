// Which of an event's exceptions are grouped, and which one titles the issue, as Sentry chooses
// them (grouping/strategies/newstyle.py: filter_exceptions_for_exception_groups,
// _maybe_override_main_exception_id; eventtypes/error.py: _find_main_exception). An exception
// group (JS AggregateError, Python ExceptionGroup) is sent as the group and its children, linked
// by `mechanism.exception_id` / `parent_id`: hashed whole, the issue would be titled by the
// wrapper and split by how many children failed.
import type { ExceptionValue } from './grouping';
import { isObj, type Obj } from '../ingest/json';
import { text } from './values';

export interface ChosenExceptions {
  /** The exceptions that are hashed. */
  readonly grouped: readonly ExceptionValue[];
  /** The id (`mechanism.exception_id`) of the exception that titles the issue, if not the last. */
  readonly mainId?: number;
}

const mechanismOf = (e: ExceptionValue): Obj | undefined =>
  isObj(e.mechanism) ? e.mechanism : undefined;
const idOf = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
const exceptionId = (e: ExceptionValue) => idOf(mechanismOf(e)?.exception_id);

interface TreeNode {
  exception?: ExceptionValue;
  readonly children: ExceptionValue[];
}

/** The exceptions by id with their children, or undefined where the ids do not make a tree. */
function exceptionTree(exceptions: readonly ExceptionValue[]): Map<number, TreeNode> | undefined {
  const tree = new Map<number, TreeNode>();
  const nodeOf = (id: number) => {
    let node = tree.get(id);
    if (!node) tree.set(id, (node = { children: [] }));
    return node;
  };
  // Backwards, as Sentry builds it: a node's first child is the last one listed.
  for (let i = exceptions.length - 1; i >= 0; i--) {
    const exception = exceptions[i] as ExceptionValue;
    const mechanism = mechanismOf(exception);
    const id = idOf(mechanism?.exception_id);
    const parent = idOf(mechanism?.parent_id);
    if (id === undefined || id === parent || tree.get(id)?.exception) return undefined;
    nodeOf(id).exception = exception;
    if (parent !== undefined) nodeOf(parent).children.push(exception);
  }
  return tree;
}

const CYCLE = Symbol('cycle');

/**
 * The non-group exceptions directly under the groups from `root` down, or CYCLE where the links
 * loop (Sentry's recursion fails there, and it keeps the list as sent).
 */
function topLevelExceptions(
  root: ExceptionValue,
  tree: Map<number, TreeNode>,
): ExceptionValue[] | typeof CYCLE {
  const out: ExceptionValue[] = [];
  const seen = new Set<ExceptionValue>();
  const visit = (e: ExceptionValue): boolean => {
    if (seen.has(e)) return false;
    seen.add(e);
    if (mechanismOf(e)?.is_exception_group !== true) {
      out.push(e);
      return true;
    }
    const children = tree.get(exceptionId(e) as number)?.children ?? [];
    return children.every(visit);
  };
  return visit(root) ? out : CYCLE;
}

/** The exception and, from it down, each first child: its chain of causes. */
function firstPath(
  from: ExceptionValue,
  tree: Map<number, TreeNode>,
): Set<ExceptionValue> | typeof CYCLE {
  const path = new Set<ExceptionValue>();
  for (let e: ExceptionValue | undefined = from; e;) {
    if (path.has(e)) return CYCLE;
    path.add(e);
    e = tree.get(exceptionId(e) as number)?.children[0];
  }
  return path;
}

// Python's str(None) for a missing type, as Sentry sorts by it.
const typeName = (e: ExceptionValue) => e.type ?? 'None';

/**
 * Sentry's filter. One distinct top-level exception (however many copies): it and its causes,
 * without the group, and it titles the issue. Several: one of each and the root group. Anything
 * malformed (an exception without an id, a repeated id, no root 0, a loop): all, as sent.
 * `keyOf` is an exception's own grouping, which says which top-level exceptions are alike.
 */
function filterExceptionGroups(
  exceptions: readonly ExceptionValue[],
  keyOf: (e: ExceptionValue) => string,
): ChosenExceptions {
  const all = { grouped: exceptions };
  const tree = exceptionTree(exceptions);
  const root = tree?.get(0)?.exception;
  if (!tree || !root) return all;
  const topLevel = topLevelExceptions(root, tree);
  if (topLevel === CYCLE || topLevel.length === 0) return all;
  // By type, descending (a stable sort, as Python's), then alike neighbours once.
  topLevel.sort((a, b) => (typeName(a) < typeName(b) ? 1 : typeName(a) > typeName(b) ? -1 : 0));
  const distinct: ExceptionValue[] = [];
  let previousKey: string | undefined;
  for (const e of topLevel) {
    const key = keyOf(e);
    if (distinct.length === 0 || key !== previousKey) distinct.push(e);
    previousKey = key;
  }
  if (distinct.length > 1) return { grouped: [...distinct, root] };
  const main = distinct[0] as ExceptionValue;
  const path = firstPath(main, tree);
  if (path === CYCLE) return all;
  // In the order sent, not Sentry's (the path from the main one down): a plain chain of causes,
  // all of it kept, then hashes as it did before exception groups were filtered.
  return { grouped: exceptions.filter((e) => path.has(e)), mainId: exceptionId(main) };
}

const REACT_ERRORS_WITH_CAUSE = new Set([
  'There was an error during concurrent rendering but React was able to recover by instead synchronously rendering the entire root.',
  'There was an error while hydrating but React was able to recover by instead client rendering from the nearest Suspense boundary.',
]);

/** React 19's recoverable errors carry the real one as their cause: that titles the issue. */
function reactErrorWithCause(exceptions: readonly ExceptionValue[]): number | undefined {
  const first = exceptions[0];
  const last = exceptions[exceptions.length - 1];
  if (
    first?.type === 'Error' &&
    first.value !== undefined &&
    REACT_ERRORS_WITH_CAUSE.has(first.value) &&
    last &&
    mechanismOf(last)?.source === 'cause'
  )
    return exceptionId(last);
  return undefined;
}

const RXJAVA_WRAPPERS = new Set([
  'OnErrorNotImplementedException',
  'CompositeException',
  'UndeliverableException',
]);

/** RxJava's framework exception wraps the app's: the wrapped one titles the issue. */
function rxJavaWrapped(exceptions: readonly ExceptionValue[]): number | undefined {
  if (exceptions.length < 2) return undefined;
  const wrapper = exceptions.find(
    (e) =>
      e.module === 'io.reactivex.rxjava3.exceptions' &&
      e.type !== undefined &&
      RXJAVA_WRAPPERS.has(e.type) &&
      mechanismOf(e)?.type === 'UncaughtExceptionHandler',
  );
  const wrapperId = wrapper && exceptionId(wrapper);
  if (wrapperId === undefined) return undefined;
  const inner = exceptions.find(
    (e) => idOf(mechanismOf(e)?.parent_id) === wrapperId && exceptionId(e) !== undefined,
  );
  return inner && exceptionId(inner);
}

/** The sdk version, for Sentry's exception for sentry-python 3.x (see below). */
const sdkVersion = (sdk: unknown) => (isObj(sdk) ? (text(sdk.version) ?? '') : '');

/**
 * The exceptions to hash and the one that titles the issue. Sentry skips the filter for
 * sentry-python 3.x events (it keeps the grouping their 2.x hashes had).
 */
export function chooseExceptions(
  exceptions: readonly ExceptionValue[],
  event: { readonly platform?: unknown; readonly sdk?: unknown },
  keyOf: (e: ExceptionValue) => string,
): ChosenExceptions {
  if (exceptions.length < 2) return { grouped: exceptions };
  const chosen =
    event.platform === 'python' && sdkVersion(event.sdk).startsWith('3')
      ? { grouped: exceptions }
      : filterExceptionGroups(exceptions, keyOf);
  if (chosen.grouped.length < 2) return chosen;
  const override = reactErrorWithCause(chosen.grouped) ?? rxJavaWrapped(chosen.grouped);
  // Sentry tests the id for truth: 0 names no exception.
  return override ? { grouped: chosen.grouped, mainId: override } : chosen;
}

/**
 * The exception that titles the issue: the one `mainId` names, else the last (Sentry's
 * get_exception; an id of 0 is no id there).
 */
export function mainException(
  exceptions: readonly ExceptionValue[],
  mainId: number | undefined,
): ExceptionValue | undefined {
  const named = mainId ? exceptions.find((e) => exceptionId(e) === mainId) : undefined;
  return named ?? exceptions[exceptions.length - 1];
}
