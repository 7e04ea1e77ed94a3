import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DebouncedInput } from './DebouncedInput';

describe('DebouncedInput', () => {
  test('keeps what was typed after a report whose value comes back late', async () => {
    const onChange = jest.fn();
    const { rerender } = render(<DebouncedInput label="Search" value="" onChange={onChange} />);
    const input = screen.getByLabelText('Search');
    await userEvent.type(input, 'req-4{enter}');
    expect(onChange).toHaveBeenLastCalledWith('req-4');
    await userEvent.type(input, '3');
    // The page's URL catches up with the first report only now (a slow machine).
    rerender(<DebouncedInput label="Search" value="req-4" onChange={onChange} />);
    expect(input).toHaveValue('req-43');
  });

  test('shows a value changed from outside', async () => {
    const onChange = jest.fn();
    const { rerender } = render(<DebouncedInput label="Search" value="req-4" onChange={onChange} />);
    const input = screen.getByLabelText('Search');
    await userEvent.type(input, '3{enter}');
    expect(onChange).toHaveBeenLastCalledWith('req-43');
    rerender(<DebouncedInput label="Search" value="" onChange={onChange} />);
    expect(input).toHaveValue('');
  });
});
