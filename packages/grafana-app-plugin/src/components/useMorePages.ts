import { type RefObject, useEffect, useRef, useState } from 'react';
import { isAborted } from '../api/client';
import type { Page } from '../api/types';
import { useFocusNewItem } from './useFocusNewItem';

export interface MorePages<T> {
  /** The first page's items with every further page's joined on. */
  items: readonly T[];
  nextCursor: string | null;
  /** A further page is on its way. */
  loading: boolean;
  /** Why the last further page failed; the list shown stays. */
  error?: string;
  /** Asks for the next page, unless there is none to ask for now (none, or one on its way). */
  loadMore: () => void;
}

/**
 * A page joined to a list paged by the tracker's keyset cursors (past the last item shown), whose
 * pages never overlap: what comes meanwhile goes before the first page, never into a later one.
 */
export const appendPage = <T>(shown: readonly T[], page: readonly T[]): T[] => [...shown, ...page];

/**
 * "Load more" paging after a first page (loaded by useAsync). Further pages are kept with the
 * first page they follow, so a new first page (another query, a reload) drops them; one on its way
 * is cancelled when `key` (what the first page was asked with) changes, or on leaving. `join`
 * appends a page to what is shown: a list whose order moves under it keeps one row per item. Once
 * a page has come, focus goes to the first item it added (useFocusNewItem: `focus.items` selects
 * the list's items in `focus.container`).
 */
export function useMorePages<T>({
  first,
  firstLoading,
  key,
  fetchPage,
  join,
  focus,
}: {
  first: Page<T> | undefined;
  firstLoading: boolean;
  key: string;
  fetchPage: (cursor: string, signal: AbortSignal) => Promise<Page<T>>;
  join: (shown: readonly T[], page: readonly T[]) => T[];
  focus: { container: RefObject<HTMLElement>; items: string };
}): MorePages<T> {
  const [more, setMore] = useState<{
    first: Page<T>;
    items: T[];
    nextCursor: string | null;
    loading: boolean;
    error?: string;
  }>();
  const extra = first && more?.first === first ? more : undefined;
  const items = extra ? join(first?.items ?? [], extra.items) : (first?.items ?? []);
  const nextCursor = extra ? extra.nextCursor : (first?.nextCursor ?? null);
  const request = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => request.current?.abort(), [key]);
  const expectMore = useFocusNewItem(focus.container, items.length, Boolean(nextCursor), focus.items);
  const loadMore = () => {
    // While a new first page loads, the list and its cursor are the old one's: not paged on.
    if (!first || !nextCursor || extra?.loading || firstLoading) {
      return;
    }
    expectMore();
    const shown = extra?.items ?? [];
    setMore({ first, items: shown, nextCursor, loading: true });
    const controller = new AbortController();
    request.current = controller;
    fetchPage(nextCursor, controller.signal).then(
      (page) =>
        setMore((m) =>
          m?.first === first
            ? { first, items: join(shown, page.items), nextCursor: page.nextCursor, loading: false }
            : m
        ),
      (e: Error) =>
        isAborted(e) || setMore((m) => (m?.first === first ? { ...m, loading: false, error: e.message } : m))
    );
  };
  return { items, nextCursor, loading: extra?.loading ?? false, error: extra?.error, loadMore };
}
