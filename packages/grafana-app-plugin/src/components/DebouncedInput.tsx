import React, { useEffect, useRef, useState } from 'react';
import { Input } from '@grafana/ui';

interface Props {
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  testId?: string;
  label: string;
  width?: number;
  delayMs?: number;
  /** Set by a Grafana `Field` around it (`invalid`), which clones it with that prop: the red border. */
  invalid?: boolean;
}

/** A text input that reports its value after typing pauses, on Enter, or on blur. */
export function DebouncedInput({ value, onChange, placeholder, testId, label, width, delayMs = 300, invalid }: Props) {
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  // What this input last reported: when it comes back as `value` (through the URL, a render or
  // more later), the user may have typed on since, and that text stays.
  const [reported, setReported] = useState<string>();
  if (shown !== value) {
    setShown(value);
    // The value changed from outside (URL, reset): show it.
    if (value !== reported) {
      setText(value);
    }
  }
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const commit = (v: string) => {
    clearTimeout(timer.current);
    if (v.trim() !== value) {
      setReported(v.trim());
      onChange(v.trim());
    }
  };
  return (
    <Input
      aria-label={label}
      // Grafana's Input only draws the border red; screen readers hear it from aria-invalid.
      invalid={invalid}
      aria-invalid={invalid || undefined}
      data-testid={testId}
      placeholder={placeholder}
      width={width}
      value={text}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => commit(v), delayMs);
      }}
      onKeyDown={(e) => e.key === 'Enter' && commit(text)}
      onBlur={() => commit(text)}
    />
  );
}
