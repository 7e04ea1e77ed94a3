import React from 'react';
import { render, screen } from '@testing-library/react';
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
