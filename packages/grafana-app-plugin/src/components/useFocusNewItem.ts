import { type RefObject, useEffect, useRef } from 'react';

/**
 * Paging by a "Load more" button: once the page has come, focus goes to the first item it added
 * (its link or button), not to the document's start when the button leaves with the last page
 * (WCAG 2.4.3 focus order); a last page that added nothing sends it to the last item. `items`
 * selects the list's items in `container`, in order; `more` is whether there is a further page
 * (the button is shown). Returns what to call when a further page is asked for.
 */
export function useFocusNewItem(container: RefObject<HTMLElement>, count: number, more: boolean, items: string) {
  const from = useRef<number>();
  useEffect(() => {
    const start = from.current;
    if (start === undefined || (count <= start && more)) {
      return;
    }
    from.current = undefined;
    const all = container.current?.querySelectorAll<HTMLElement>(items);
    const item = all?.[count > start ? start : all.length - 1];
    // An item with nothing to focus in it takes the focus itself where it can (tabindex).
    const target = item?.matches('a[href], button')
      ? item
      : (item?.querySelector<HTMLElement>('a[href], button') ?? item);
    target?.focus();
  }, [container, count, more, items]);
  return () => {
    from.current = count;
  };
}
