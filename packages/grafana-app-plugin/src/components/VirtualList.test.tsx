import React from 'react';
import { render, screen } from '@testing-library/react';
import { VirtualList } from './VirtualList';

const items = Array.from({ length: 1000 }, (_, i) => `row ${i}`);
const list = (scrollToRow?: number) => (
  <VirtualList
    items={items}
    rowHeight={20}
    height={200}
    overscan={2}
    renderRow={(item) => <span role="cell">{item}</span>}
    testId="list"
    scrollToRow={scrollToRow}
  />
);

describe('VirtualList', () => {
  test('scrollToRow draws a row out of view and scrolls it in at the nearest edge', () => {
    const { rerender } = render(list());
    expect(screen.getByText('row 0')).toBeInTheDocument();
    expect(screen.queryByText('row 500')).not.toBeInTheDocument();

    // Below the view: row 500 (top 10,000 px, bottom 10,020 px) ends at the bottom of a 200 px view.
    rerender(list(500));
    expect(screen.getByText('row 500')).toBeInTheDocument();
    expect(screen.queryByText('row 0')).not.toBeInTheDocument();
    expect(screen.getByTestId('list').scrollTop).toBe(10_020 - 200);

    // Above the view: row 100 starts at the top.
    rerender(list(undefined));
    rerender(list(100));
    expect(screen.getByText('row 100')).toBeInTheDocument();
    expect(screen.getByTestId('list').scrollTop).toBe(2_000);

    // Already in view: nothing moves.
    rerender(list(105));
    expect(screen.getByTestId('list').scrollTop).toBe(2_000);
  });
});
