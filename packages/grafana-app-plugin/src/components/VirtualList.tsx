import React, { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

interface Props<T> {
  items: readonly T[];
  rowHeight: number;
  /** Height of the scrolling viewport in pixels. */
  height: number;
  overscan?: number;
  renderRow: (item: T, index: number) => React.ReactNode;
  /** Called once when the last rows come into view (to fetch the next page). */
  onEndReached?: () => void;
  className?: string;
  testId?: string;
  ariaLabel?: string;
  /**
   * A header row above the scrolling rows (role="row" with role="columnheader" cells), inside the
   * table so screen readers name each cell by its column.
   */
  header?: React.ReactNode;
  /**
   * A row to scroll into view (at the nearest edge) when this changes, such as one about to take
   * the focus: it is drawn in the very render that carries it, before the caller's effects run.
   */
  scrollToRow?: number;
}

/**
 * A fixed-row-height virtual list: only the rows in view (plus an overscan) are in the DOM, so
 * 10,000 loaded issues cost as much to render as 30. To assistive technology it is a table
 * (WAI-ARIA: role="table", rows with aria-rowindex out of aria-rowcount): `renderRow` gives each
 * row's cells role="cell". Not role="grid", which promises arrow-key navigation between cells.
 * The scrolling part is itself a tab stop when no row holds anything focusable (a timeline), so a
 * keyboard user can scroll it (WCAG 2.1.1).
 */
export function VirtualList<T>({
  items,
  rowHeight,
  height,
  overscan = 8,
  renderRow,
  onEndReached,
  className,
  testId,
  ariaLabel,
  header,
  scrollToRow,
}: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  // Adjusted while rendering (React's pattern for state that follows a prop), so the row is drawn
  // in this render; the scroller follows in the layout effect below.
  const [jump, setJump] = useState<{ row?: number; top?: number }>({});
  if (scrollToRow !== jump.row) {
    const top =
      scrollToRow === undefined
        ? scrollTop
        : Math.min(scrollToRow * rowHeight, Math.max(scrollTop, (scrollToRow + 1) * rowHeight - height));
    setJump({ row: scrollToRow, top: top === scrollTop ? undefined : top });
    setScrollTop(top);
  }
  useLayoutEffect(() => {
    if (ref.current && jump.top !== undefined) {
      ref.current.scrollTop = jump.top;
    }
  }, [jump]);
  const onScroll = useCallback((e: React.UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop), []);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  const endReported = useRef(-1);
  useEffect(() => {
    if (onEndReached && last >= items.length - overscan && items.length > 0 && endReported.current !== items.length) {
      endReported.current = items.length;
      onEndReached();
    }
  }, [last, items.length, overscan, onEndReached]);

  useLayoutEffect(() => {
    // A new, shorter list (new filter) starts at the top.
    if (ref.current && items.length * rowHeight < scrollTop) {
      ref.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [items.length, rowHeight, scrollTop]);

  // A row's aria-rowindex counts the header row (WAI-ARIA aria-rowindex: 1-based, all rows).
  const offset = header ? 1 : 0;
  const [hasFocusable, setHasFocusable] = useState(true);
  useLayoutEffect(() => {
    setHasFocusable(Boolean(ref.current?.querySelector('a[href], button, input, select, textarea, [tabindex]')));
  }, [items, first, last]);
  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 1 + offset}
        style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
      >
        {renderRow(items[i], i)}
      </div>
    );
  }
  return (
    <div role="table" aria-label={ariaLabel} aria-rowcount={items.length + offset} className={className}>
      {header}
      <div
        ref={ref}
        style={{ height, overflowY: 'auto', position: 'relative' }}
        onScroll={onScroll}
        role="rowgroup"
        tabIndex={hasFocusable ? undefined : 0}
        data-testid={testId}
      >
        <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
      </div>
    </div>
  );
}
