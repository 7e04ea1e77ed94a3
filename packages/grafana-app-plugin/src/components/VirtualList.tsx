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
}

/**
 * A fixed-row-height virtual list: only the rows in view (plus an overscan) are in the DOM, so
 * 10,000 loaded issues cost as much to render as 30.
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
}: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
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

  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 1}
        style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
      >
        {renderRow(items[i], i)}
      </div>
    );
  }
  return (
    <div
      ref={ref}
      className={className}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={onScroll}
      role="grid"
      aria-label={ariaLabel}
      aria-rowcount={items.length}
      data-testid={testId}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
