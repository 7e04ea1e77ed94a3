// Test support for the oracle tests that read YAML (config.oracle.test.ts,
// kubeconfig.oracle.test.ts): a YAML tree and its writer, in every style a user might write
// (block and flow, plain, quoted and block scalars, anchors and aliases), and a small seeded
// random source for the generators that build the trees.

export type Y =
  | { t: 'map'; entries: [key: string, value: Y][]; flow: boolean; anchor?: string }
  | { t: 'seq'; items: Y[]; flow: boolean; anchor?: string }
  | { t: 'str'; text: string; style: Style; anchor?: string }
  | { t: 'raw'; src: string }
  | { t: 'alias'; name: string };
export type YMap = Extract<Y, { t: 'map' }>;
export type Style = 'plain' | 'single' | 'double' | 'literal' | 'folded';

/** A small deterministic random source (mulberry32), one per file, seeded by fast-check. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    chance: (p: number) => next() < p,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}
export type Random = ReturnType<typeof random>;

/** Whether a text reads back as itself written plain, in block context or inside a flow. */
function plainSafe(text: string, inFlow: boolean): boolean {
  if (text === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(text) || /\s$/.test(text)) return false;
  if (/: |:$| #|\n|\t/.test(text)) return false;
  // libyaml (yaml.v2's and client-go's parser) also ends a plain scalar at `?` inside a flow,
  // which YAML 1.2 does not: a difference of the parsers, not of the readers under test.
  if (inFlow && /[,[\]{}?]/.test(text)) return false;
  // A text YAML would read as something else (a number, a boolean, a null).
  return !/^(~|null|true|false|yes|no|on|off|y|n|[-+.\d].*)$/i.test(text);
}

function scalar(y: Extract<Y, { t: 'str' }>, indent: number, inFlow: boolean): string {
  const { text } = y;
  let style = y.style;
  if (style === 'plain' && !plainSafe(text, inFlow)) style = 'double';
  if ((style === 'literal' || style === 'folded') && (inFlow || text === '' || /^\s/.test(text)))
    style = 'single';
  switch (style) {
    case 'plain':
      return text;
    case 'single':
      return `'${text.replace(/'/g, "''")}'`;
    case 'double':
      return JSON.stringify(text);
    default:
      return `${style === 'literal' ? '|-' : '>-'}\n${' '.repeat(indent + 2)}${text}`;
  }
}

export function render(y: Y, indent: number, inFlow: boolean): string {
  const anchor = 'anchor' in y && y.anchor ? `&${y.anchor} ` : '';
  switch (y.t) {
    case 'raw':
      // A tag with no value before a flow's `,` or `}`: libyaml (yaml.v2's parser) reads the
      // comma into the tag, which YAML 1.2 does not.
      return inFlow && /^!\S*$/.test(y.src) ? `${y.src} ''` : y.src;
    case 'alias':
      return `*${y.name}`;
    case 'str':
      return anchor + scalar(y, indent, inFlow);
    case 'map':
      if (inFlow || y.flow || y.entries.length === 0)
        return `${anchor}{${y.entries.map(([k, v]) => `${k}: ${render(v, indent, true)}`).join(', ')}}`;
      return (
        (anchor ? `${anchor.trimEnd()}\n` : '') +
        y.entries
          .map(([k, v]) => {
            const pad = ' '.repeat(indent);
            const block = (v.t === 'map' || v.t === 'seq') && !v.flow && entriesOf(v) > 0;
            return block
              ? `${pad}${k}: ${render(v, indent + 2, false).replace(/^ +/, '\n' + ' '.repeat(indent + 2))}`
              : `${pad}${k}: ${render(v, indent, false)}`;
          })
          .join('\n')
      );
    case 'seq':
      if (inFlow || y.flow || y.items.length === 0)
        return `${anchor}[${y.items.map((v) => render(v, indent, true)).join(', ')}]`;
      return (
        (anchor ? `${anchor.trimEnd()}\n` : '') +
        y.items
          .map((v) => {
            const pad = ' '.repeat(indent);
            const inner = render(v, indent + 2, false);
            // A block mapping's first key goes on the dash's line, unless an anchor leads it.
            return `${pad}- ${inner.replace(/^ +/, '')}`;
          })
          .join('\n')
      );
  }
}

const entriesOf = (y: Y) => (y.t === 'map' ? y.entries.length : y.t === 'seq' ? y.items.length : 0);
