// Kubernetes label-selector requirements as PromQL label matchers. Metric label selectors name
// Prometheus labels directly; object label selectors are matched against kube-state-metrics'
// `kube_<kind>_labels`, whose label names are `label_` + the key sanitised, in snake and lower
// case (kubeStateLabel). `>` and `<` have no matcher form: in an object selector they
// become "label present" plus a numeric check done here; a metric selector refuses them, as
// prometheus-adapter does (a check after the rule's aggregation would see no such label).
import { formatLabelSelector, matchesLabels, type Requirement } from '../../k8s/label-selector';
import { BadSelectorError } from '../provider';

const PROM_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface Matchers {
  readonly matchers: readonly string[];
  /** Requirements PromQL cannot check, applied to each result series' labels. */
  readonly accepts: (labels: Readonly<Record<string, string>>) => boolean;
}

/** A PromQL string literal. */
export const promString = (s: string) => JSON.stringify(s);

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * kube-state-metrics' name for the Prometheus label that carries Kubernetes label `key`
 * (internal/store/utils.go, labelName): `label_` + the key with every character outside
 * [a-zA-Z0-9_] replaced by `_`, then in snake case (`([a-z0-9])([A-Z])` → `$1_$2`, since
 * kube-state-metrics 2.0) and lower case: `app.kubernetes.io/name` → `label_app_kubernetes_io_name`,
 * `appName` → `label_app_name`, `Tier` → `label_tier`. Keys of one object that come out the same
 * (`a.b` and `a_b`, `Tier` and `tier`) are written `label_a_b_conflict1`, `…_conflict2` there,
 * in the keys' sort order: a selector on either key does not see them.
 */
export const kubeStateLabel = (key: string) =>
  `label_${key
    .replace(/[^a-zA-Z0-9_]/g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()}`;

function toMatchers(reqs: readonly Requirement[], labelOf: (key: string) => string): Matchers {
  const matchers: string[] = [];
  const numeric: { label: string; requirement: Requirement }[] = [];
  for (const r of reqs) {
    const label = labelOf(r.key);
    const alternation = r.values.map(regexEscape).join('|');
    switch (r.operator) {
      case '=':
      case '==':
        matchers.push(`${label}=${promString(r.values[0] ?? '')}`);
        break;
      case '!=':
        matchers.push(`${label}!=${promString(r.values[0] ?? '')}`);
        break;
      case 'in':
        matchers.push(`${label}=~${promString(alternation)}`);
        break;
      case 'notin':
        matchers.push(`${label}!~${promString(alternation)}`);
        break;
      case 'exists':
        matchers.push(`${label}!=""`);
        break;
      case '!':
        matchers.push(`${label}=""`);
        break;
      case 'gt':
      case 'lt':
        matchers.push(`${label}!=""`);
        numeric.push({ label, requirement: r });
        break;
    }
  }
  // As Requirement.Matches compares: both sides read by strconv.ParseInt (int64, base 10), so
  // `1e3`, `0x10` and `1.5` are no numbers, and values past 2^53 keep their last digit.
  const accepts = (labels: Readonly<Record<string, string>>) =>
    numeric.every(({ label, requirement }) => {
      const v = labels[label];
      return v !== undefined && matchesLabels([requirement], { [requirement.key]: v });
    });
  return { matchers, accepts };
}

/**
 * What prometheus-adapter's templates get as LabelValuesByName: each requirement's label and
 * its values joined by `|` (none for `exists` and `!`).
 */
export function labelValuesByName(reqs: readonly Requirement[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of reqs) out[r.key] = r.values.join('|');
  return out;
}

/**
 * Matchers for a metricLabelSelector: keys must be Prometheus label names, and `>`/`<` are
 * refused (upstream's operatorIsSupported, ErrUnsupportedOperator).
 */
export function metricLabelMatchers(
  reqs: readonly Requirement[],
  parameter = 'metricLabelSelector',
): readonly string[] {
  for (const r of reqs) {
    if (!PROM_LABEL.test(r.key)) {
      throw new BadSelectorError(
        `${parameter}: ${JSON.stringify(r.key)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
      );
    }
    if (r.operator === 'gt' || r.operator === 'lt') {
      const op = r.operator === 'gt' ? '>' : '<';
      throw new BadSelectorError(
        `${parameter}: operator "${op}" in ${JSON.stringify(formatLabelSelector([r]))} is not supported (Prometheus label matchers compare text, not numbers)`,
      );
    }
  }
  return toMatchers(reqs, (key) => key).matchers;
}

/**
 * Matchers on kube-state-metrics' `kube_<kind>_labels` for an object labelSelector. A requirement
 * that names the empty value (`tier=`, `tier in ()`, `tier!=`, `tier notin (a,)`) is refused:
 * Prometheus keeps no empty label, so an object labelled `tier: ""` has no `label_tier`, as one
 * without the label, and every object without the label would be picked (or left out) wrongly.
 * `tier`, `!tier`, `tier!=web` and `tier notin (web)` are served: they misjudge only an object
 * whose label is empty.
 */
export function kubeStateMatchers(reqs: readonly Requirement[]): Matchers {
  for (const r of reqs) {
    if (r.values.includes('') && r.operator !== 'gt' && r.operator !== 'lt') {
      throw new BadSelectorError(
        `label selector ${JSON.stringify(formatLabelSelector([r]))}: an empty value of ${JSON.stringify(r.key)} cannot be told from no such label in kube-state-metrics' series (Prometheus keeps no empty label); select objects through the Kubernetes API (--lister-kubeconfig) for it`,
      );
    }
  }
  return toMatchers(reqs, kubeStateLabel);
}
