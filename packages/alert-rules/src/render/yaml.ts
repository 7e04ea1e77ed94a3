import { Document } from 'yaml';

export const GENERATED_HEADER = '# generated — do not edit\n';

/** A comment written on the lines before the node at `path`. */
export interface YamlComment {
  readonly path: readonly (string | number)[];
  readonly comment: string;
}

/** Deterministic YAML: sorted keys, no line folding, headed "generated — do not edit". */
export function toYaml(value: unknown, comments: readonly YamlComment[] = []): string {
  const doc = new Document(value, { sortMapEntries: true, aliasDuplicateObjects: false });
  for (const { path, comment } of comments) {
    const node = doc.getIn(path, true) as { commentBefore?: string } | undefined;
    if (!node) throw new Error(`no YAML node at ${path.join('.')} to comment`);
    node.commentBefore = comment
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n');
  }
  return GENERATED_HEADER + doc.toString({ lineWidth: 0 });
}
