import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { SessionOperation } from '../api/types';
import { Waterfall } from './Waterfall';
import { testIds } from './testIds';

// A long job's session: 5,000 operations, one after another, 20 ms apart (the size the scale
// audit seeded). Rendered whole, the timeline was 30,000 DOM nodes and Chromium took 1.3 s to
// show it, with a 200-380 ms long task on the session page and in the session panel.
const OPS = 5000;
const ops: SessionOperation[] = Array.from({ length: OPS }, (_, i) => ({
  traceId: 't',
  spanId: `s${i}`,
  name: `op ${i}`,
  service: 'api',
  start: new Date(i * 20).toISOString(),
  end: new Date(i * 20 + 5).toISOString(),
  offsetMs: i * 20,
  durationMs: 5,
  status: 'ok',
  slow: false,
  attributes: {},
}));
const session = { durationMs: OPS * 20, timeline: ops, errorEvents: [] };

test('a 5,000-operation timeline puts at most 100 operation rows in the DOM, and scrolls to the last', () => {
  render(<Waterfall session={session} />);
  const rows = screen.getAllByTestId(testIds.session.operation);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBeLessThanOrEqual(100);
  expect(screen.getByText('op 0')).toBeInTheDocument();
  // Scrolled to its end, the last operation is there.
  const table = screen.getByRole('table', { name: 'Operations' });
  expect(table).toHaveAttribute('aria-rowcount', String(OPS));
  // Its rows hold nothing focusable: the scrolling part is a tab stop, so the keyboard scrolls it.
  const list = within(table).getByRole('rowgroup');
  expect(list).toHaveAttribute('tabindex', '0');
  // As far as a browser scrolls it: the content's height less the viewport's (jsdom lays nothing out).
  const end = parseFloat((list.firstElementChild as HTMLElement).style.height) - parseFloat(list.style.height);
  expect(end).toBeGreaterThan(0);
  fireEvent.scroll(list, { target: { scrollTop: end } });
  expect(screen.getByText(`op ${OPS - 1}`)).toBeInTheDocument();
  expect(screen.getAllByTestId(testIds.session.operation).length).toBeLessThanOrEqual(100);
});

test('a bar names its operation, duration, slowness, failure and status message, which it showed only in its colour and title', () => {
  const op = (over: Partial<SessionOperation>): SessionOperation => ({ ...ops[0], ...over });
  render(
    <Waterfall
      session={{
        durationMs: 3000,
        timeline: [
          op({
            spanId: 'a',
            name: 'POST /charge',
            durationMs: 2500,
            slow: true,
            status: 'error',
            statusMessage: 'card declined',
          }),
          op({ spanId: 'b', name: 'SELECT cart', offsetMs: 100, durationMs: 40 }),
          // Failed because an error event names its span, though the span's status says ok.
          op({ spanId: 'c', name: 'render receipt', offsetMs: 200, durationMs: 10 }),
        ],
        errorEvents: [
          {
            eventId: 'e',
            issueId: 1,
            title: 'boom',
            level: 'error',
            service: 'api',
            timestamp: '',
            offsetMs: 200,
            spanId: 'c',
          },
        ],
      }}
      compact
    />
  );
  const bars = screen.getAllByRole('img').filter((b) => b.hasAttribute('data-bar'));
  expect(bars.map((b) => b.getAttribute('aria-label'))).toEqual([
    'POST /charge: 2.50 s (slow) (failed) — card declined',
    'SELECT cart: 40 ms',
    'render receipt: 10 ms (failed)',
  ]);
  // The mouse sees the same text; a bar is no tab stop (the scroller is the timeline's one).
  expect(bars.map((b) => b.getAttribute('title'))).toEqual(bars.map((b) => b.getAttribute('aria-label')));
  expect(bars.every((b) => !b.hasAttribute('tabindex'))).toBe(true);
});
