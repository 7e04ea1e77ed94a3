import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Count } from './Count';

describe('Count', () => {
  test('a count in the millions is shown short, with the whole number after it for screen readers', () => {
    const { container } = render(<Count value={1_234_567} />);
    expect(container).toHaveTextContent(/^1\.2M \(1,234,567\)$/);
    const hidden = screen.getByText('(1,234,567)');
    // Grafana's .sr-only: a 1px box that clips what it holds.
    const style = getComputedStyle(hidden);
    expect([style.position, style.width, style.height, style.overflow]).toEqual(['absolute', '1px', '1px', 'hidden']);
  });

  test('the keyboard reaches a short count, and focusing it shows the whole number, as its description', async () => {
    render(
      <>
        <button>before</button>
        <Count value={1_000_000_000} />
      </>
    );
    await userEvent.tab();
    await userEvent.tab();
    const count = screen.getByText('1.0B');
    expect(count).toHaveFocus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent('1,000,000,000');
    expect(count).toHaveAccessibleDescription('1,000,000,000');
  });

  test('hovering a short count shows the whole number', async () => {
    render(<Count value={12_345} />);
    await userEvent.hover(screen.getByText('12.3k'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent('12,345');
  });

  test('a count shown whole has no hint and no tab stop', async () => {
    const { container } = render(
      <>
        <button>before</button>
        <Count value={9_999} className="number" />
      </>
    );
    expect(container).toHaveTextContent(/^before9999$/);
    expect(screen.getByText('9999')).toHaveClass('number');
    await userEvent.tab();
    await userEvent.tab();
    expect(document.body).toHaveFocus();
  });
});
