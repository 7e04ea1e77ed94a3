import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setTimeZoneResolver } from '@grafana/data';
import { Button } from '@grafana/ui';
import { ExactTime, TimeText } from './ExactTime';
import { Hint } from './Hint';

// 2026-11-22 12:00:00 UTC: a time three minutes before reads "3m ago".
beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-22T12:00:00.000Z')));
afterEach(() => jest.restoreAllMocks());

describe('ExactTime', () => {
  test('shows the relative time in a <time> element that gives the instant in UTC', () => {
    render(<ExactTime iso="2026-11-22T11:57:00.000Z" />);
    const time = screen.getByRole('time');
    expect(time).toHaveTextContent(/^3m ago$/);
    expect(time).toHaveAttribute('datetime', '2026-11-22T11:57:00.000Z');
  });

  test('a time with an offset gives the same instant in UTC', () => {
    render(<ExactTime iso="2026-11-22T20:57:00.000+09:00" />);
    expect(screen.getByRole('time')).toHaveAttribute('datetime', '2026-11-22T11:57:00.000Z');
  });

  test('a screen reader reads the exact time after the relative one, in text kept out of sight', () => {
    const { container } = render(<ExactTime iso="2026-11-22T11:57:00.123Z" />);
    expect(container).toHaveTextContent('3m ago (2026-11-22 11:57:00.123 UTC)');
    const hidden = screen.getByText('(2026-11-22 11:57:00.123 UTC)');
    // Grafana's .sr-only: a 1px box that clips what it holds.
    const style = getComputedStyle(hidden);
    expect([style.position, style.width, style.height, style.overflow]).toEqual(['absolute', '1px', '1px', 'hidden']);
  });

  test('the keyboard reaches the time, and focusing it shows the exact time, as its description', async () => {
    render(
      <>
        <button>before</button>
        <ExactTime iso="2026-11-22T11:57:00.123Z" />
      </>
    );
    await userEvent.tab();
    await userEvent.tab();
    const time = screen.getByRole('time');
    expect(time).toHaveFocus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent('2026-11-22 11:57:00.123 UTC');
    expect(time).toHaveAccessibleDescription('2026-11-22 11:57:00.123 UTC');
  });

  test('hovering it shows the exact time', async () => {
    render(<ExactTime iso="2026-11-22T11:57:00.123Z" />);
    await userEvent.hover(screen.getByRole('time'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent('2026-11-22 11:57:00.123 UTC');
  });

  describe("in the Grafana user's time zone, named, as the page's other times are", () => {
    afterEach(() => setTimeZoneResolver(() => 'browser'));

    test("the time in the user's zone, named, then in UTC in parentheses where that zone is not UTC", async () => {
      // Grafana sets this resolver to the user's time zone preference. New York is on EST (UTC−5)
      // in late November: 11:57Z is 06:57 there.
      setTimeZoneResolver(() => 'America/New_York');
      const { unmount } = render(<ExactTime iso="2026-11-22T11:57:00.123Z" />);
      const exact = '2026-11-22 06:57:00.123 EST (2026-11-22 11:57:00.123 UTC)';
      expect(screen.getByText(`(${exact})`)).toBeInTheDocument();
      await userEvent.hover(screen.getByRole('time'));
      expect(await screen.findByRole('tooltip')).toHaveTextContent(exact);
      expect(screen.getByRole('time')).toHaveAccessibleDescription(exact);
      unmount();

      // A user in UTC (Grafana's `utc`, or an IANA name of it) reads it once.
      for (const zone of ['utc', 'Etc/UTC']) {
        setTimeZoneResolver(() => zone);
        const { container, unmount: done } = render(<ExactTime iso="2026-11-22T11:57:00.123Z" />);
        expect(container).toHaveTextContent(/^3m ago \(2026-11-22 11:57:00\.123 UTC\)$/);
        done();
      }
    });

    test("in a button, the button's name holds both times", () => {
      setTimeZoneResolver(() => 'America/New_York');
      render(
        <Button>
          event · <ExactTime iso="2026-11-22T11:00:00.000Z" inControl /> · 1.4.0
        </Button>
      );
      expect(
        screen.getByRole('button', {
          name: 'event · 1h ago (2026-11-22 06:00:00.000 EST (2026-11-22 11:00:00.000 UTC)) · 1.4.0',
        })
      ).toBeInTheDocument();
    });
  });

  test("in a button it is part of the button's name and no tab stop of its own", async () => {
    render(
      <Button>
        event · <ExactTime iso="2026-11-22T11:00:00.000Z" inControl /> · 1.4.0
      </Button>
    );
    const button = screen.getByRole('button', { name: 'event · 1h ago (2026-11-22 11:00:00.000 UTC) · 1.4.0' });
    expect(screen.getByRole('time')).not.toHaveAttribute('tabindex');
    await userEvent.tab();
    expect(button).toHaveFocus();
    await userEvent.tab();
    expect(document.body).toHaveFocus();
  });

  test('a time that cannot be read is shown as it came, with no <time> and no tab stop', async () => {
    const { container } = render(<ExactTime iso="yesterday-ish" />);
    expect(container.textContent).toBe('yesterday-ish');
    expect(screen.queryByRole('time')).toBeNull();
    await userEvent.tab();
    expect(document.body).toHaveFocus();
  });
});

describe('TimeText', () => {
  test("shows the exact time (the user's zone) in a <time> element that gives the instant in UTC", () => {
    render(<TimeText iso="2026-11-22T11:57:59.000Z" />);
    // Grafana's default zone is the browser's (UTC in these tests), shown unnamed.
    expect(screen.getByRole('time')).toHaveTextContent(/^2026-11-22 11:57:59.000$/);
    expect(screen.getByRole('time')).toHaveAttribute('datetime', '2026-11-22T11:57:59.000Z');
  });

  test('a time that cannot be read is shown as it came', () => {
    const { container } = render(<TimeText iso="soon" />);
    expect(container.textContent).toBe('soon');
    expect(screen.queryByRole('time')).toBeNull();
  });
});

describe('Hint', () => {
  test('what a title held is read by screen readers, and shown on keyboard focus', async () => {
    const { container } = render(
      <Hint hint="This session cannot be opened">
        <span>checkout/req-42</span>
      </Hint>
    );
    expect(container).toHaveTextContent('checkout/req-42 (This session cannot be opened)');
    expect(screen.getByText('checkout/req-42')).not.toHaveAttribute('title');
    await userEvent.tab();
    expect(screen.getByText('checkout/req-42')).toHaveFocus();
    expect(await screen.findByRole('tooltip')).toHaveTextContent('This session cannot be opened');
    expect(screen.getByText('checkout/req-42')).toHaveAccessibleDescription('This session cannot be opened');
  });

  test('an empty hint adds nothing: no tooltip, no tab stop, no text', async () => {
    const { container } = render(
      <Hint hint="">
        <span>message-only event</span>
      </Hint>
    );
    expect(container.innerHTML).toBe('<span>message-only event</span>');
    await userEvent.tab();
    expect(document.body).toHaveFocus();
  });
});
