import React from 'react';
import { formatCount, formatExactCount } from './format';
import { Hint } from './Hint';

interface Props {
  value: number;
  className?: string;
}

/**
 * A count shown short (`formatCount`: 1.2M); when that is an abbreviation, the whole number
 * (1,234,567) is its hint, on hover and keyboard focus and for screen readers. A count shown whole
 * has nothing more to tell, so it gets no tooltip and no tab stop.
 */
export function Count({ value, className }: Props) {
  const short = formatCount(value);
  const exact = formatExactCount(value);
  const text = <span className={className}>{short}</span>;
  return short === String(value) || short === exact ? text : <Hint hint={exact}>{text}</Hint>;
}
