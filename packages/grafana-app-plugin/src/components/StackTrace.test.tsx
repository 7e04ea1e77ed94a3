import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { eventView } from '../api/event';
import { EVENT_2, EVENT_PY_LOG } from '../testdata/fixtures';
import { StackTrace } from './StackTrace';
import { testIds } from './testIds';

// A JVM- or bundler-style frame: one path and one function name with no space or hyphen to break
// at. Grafana's global styles keep `code` on one line (white-space: nowrap, @grafana/ui
// GlobalStyles/code), so they ran out of the stack trace's column over the page's side column
// (why grouped, details, tags, recent events): Chromium showed it at 1400 px with a 300-char path.
const path = `src/${'deeply/nested/'.repeat(20)}mod53.js`;
const fn = `AbstractSingletonProxyFactoryBeanHandlerDelegate${'Internal'.repeat(20)}_1889_7`;

test("a frame's long unbroken path and function name wrap in its column", () => {
  render(
    <StackTrace
      exceptions={[
        { type: 'Error', value: 'x', frames: [{ filename: path, function: fn, lineno: 17, inApp: true, context: [] }] },
      ]}
    />
  );
  for (const text of [path, fn]) {
    const code = screen.getByText(text);
    expect(code.tagName).toBe('CODE');
    expect(screen.getByTestId(testIds.issue.frame)).toContainElement(code);
    expect(getComputedStyle(code).whiteSpace).toBe('normal');
    // "anywhere": a word with no break opportunity may break at any character (CSS Text 3).
    expect(getComputedStyle(code).overflowWrap).toBe('anywhere');
  }
});

// sentry-python sends a log record's stack under its current thread: the tracker groups by those
// frames, so they show as an exception's would; an event with no stack at all keeps the message.
test("a log record's thread stack shows as an exception's frames; an event with none says so", () => {
  const { unmount } = render(<StackTrace exceptions={eventView(EVENT_PY_LOG).exceptions} />);
  expect(screen.queryByText('This event has no exception or stack trace.')).toBeNull();
  const stack = screen.getByTestId(testIds.issue.exception);
  expect(stack).toHaveTextContent(/^Stack trace: invoice %s not found/);
  const frames = within(stack).getAllByTestId(testIds.issue.frame);
  expect(frames.map((f) => f.getAttribute('data-in-app'))).toEqual(['false', 'false', 'true', 'true']);
  expect(frames[2]).toHaveTextContent('billing/invoices.py in charge at line 17in app');
  expect(within(frames[2]).getByTestId(testIds.issue.contextLine).textContent).toBe(
    "17        log.error('invoice %s not found', invoice_id, stack_info=True)"
  );
  unmount();

  render(<StackTrace exceptions={eventView(EVENT_2).exceptions} />);
  expect(screen.getByText('This event has no exception or stack trace.')).toBeInTheDocument();
});
