import { stringify } from 'yaml';

export const GENERATED_HEADER = '# generated — do not edit\n';

/** Deterministic YAML: sorted keys, no line folding, headed "generated — do not edit". */
export function toYaml(value: unknown): string {
  return (
    GENERATED_HEADER +
    stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false })
  );
}
