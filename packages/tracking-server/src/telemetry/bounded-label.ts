// Label values that come from what clients send. An event's service is its `service` tag, else
// its `server_name`, which Sentry's Node SDK sets to the host: in Kubernetes a pod's name, new at
// every rollout. As labels those would add series without end, and anyone holding a browser's
// DSN key could add them faster still. Prometheus's series must stay few.

/** A label value cut to this many UTF-16 code units (63 where the 64th would split a pair). */
export const MAX_LABEL_LENGTH = 64;
/** What every value past the budget is counted as. */
export const OTHER = 'other';

/**
 * The first `length` code units of `value`, less a high surrogate left without its low half: cut
 * there, an emoji became a lone surrogate, exposed as U+FFFD (a character no PromQL string can
 * hold raw: Prometheus' lexer refuses it).
 */
function cutAt(value: string, length: number): string {
  const last = value.charCodeAt(length - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/**
 * The first `budget` distinct values (each cut to MAX_LABEL_LENGTH) as themselves, every later
 * one as OTHER. A value already admitted stays itself.
 */
export function boundedLabel(budget: number): (value: string) => string {
  const admitted = new Set<string>();
  return (value) => {
    const cut = value.length > MAX_LABEL_LENGTH ? cutAt(value, MAX_LABEL_LENGTH) : value;
    if (admitted.has(cut)) return cut;
    if (admitted.size >= budget) return OTHER;
    admitted.add(cut);
    return cut;
  };
}
