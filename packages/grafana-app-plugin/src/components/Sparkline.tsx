import React from 'react';
import { useTheme2 } from '@grafana/ui';
import { testIds } from './testIds';

interface Props {
  values: readonly number[];
  width?: number;
  height?: number;
  color?: string;
  label?: string;
}

/** Hourly counts as a small SVG line; the title tells the total for screen readers and hover. */
export function Sparkline({ values, width = 96, height = 24, color, label }: Props) {
  const theme = useTheme2();
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`)
    .join(' ');
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label ?? `${total} events in the last ${values.length} hours`}
      data-testid={testIds.issues.sparkline}
      data-points={values.join(',')}
    >
      {values.length > 0 && (
        <polyline points={points} fill="none" stroke={color ?? theme.colors.primary.main} strokeWidth={1.5} />
      )}
    </svg>
  );
}
