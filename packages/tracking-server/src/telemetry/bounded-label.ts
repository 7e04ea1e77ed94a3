// Label values that come from what clients send. An event's service is its `service` tag, else
// its `server_name`, which Sentry's Node SDK sets to the host: in Kubernetes a pod's name, new at
// every rollout. As labels those would add series without end, and anyone holding a browser's
// DSN key could add them faster still. Prometheus's series must stay few.

/** A label value cut to this many characters. */
export const MAX_LABEL_LENGTH = 64;
/** What every value past the budget is counted as. */
export const OTHER = 'other';

/**
 * The first `budget` distinct values (each cut to MAX_LABEL_LENGTH) as themselves, every later
 * one as OTHER. A value already admitted stays itself.
 */
export function boundedLabel(budget: number): (value: string) => string {
  const admitted = new Set<string>();
  return (value) => {
    const cut = value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
    if (admitted.has(cut)) return cut;
    if (admitted.size >= budget) return OTHER;
    admitted.add(cut);
    return cut;
  };
}
