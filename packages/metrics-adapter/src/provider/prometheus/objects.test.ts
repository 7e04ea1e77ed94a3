// The kube-state-metrics object lister: which series it asks for each resource, and which label
// it reads the names from, as kube-state-metrics writes them (internal/store/*.go).
import { parseLabelSelector } from '../../k8s/label-selector';
import type { PrometheusClient, Sample } from './client';
import { kubeStateObjectLister } from './objects';

/** A client answering each query from `answers` (none: no samples), and what it was asked. */
function fakeClient(answers: Record<string, Sample[]>) {
  const asked: string[] = [];
  const client: PrometheusClient = {
    async query(expr) {
      asked.push(expr);
      return answers[expr] ?? [];
    },
    async series() {
      return [];
    },
  };
  return { client, asked };
}

const sample = (labels: Record<string, string>): Sample => ({ labels, value: '1', timestamp: 1 });

describe('the kube-state-metrics object lister', () => {
  it.each([
    // kube-state-metrics: kube_job_labels{namespace, job_name}, kube_endpoint_labels{namespace, endpoint}.
    [
      'jobs.batch',
      'group by (job_name) (kube_job_labels{namespace="ci",label_team="a"})',
      'job_name',
    ],
    [
      'endpoints',
      'group by (endpoint) (kube_endpoint_labels{namespace="ci",label_team="a"})',
      'endpoint',
    ],
    ['pods', 'group by (pod) (kube_pod_labels{namespace="ci",label_team="a"})', 'pod'],
    [
      'deployments.apps',
      'group by (deployment) (kube_deployment_labels{namespace="ci",label_team="a"})',
      'deployment',
    ],
  ])(
    'lists %s from the series and label kube-state-metrics writes',
    async (resource, query, label) => {
      const { client, asked } = fakeClient({
        [query]: [sample({ [label]: 'one' }), sample({ [label]: 'two' })],
      });
      const names = await kubeStateObjectLister(client).names(
        resource,
        'ci',
        parseLabelSelector('team=a'),
      );
      expect([asked, [...names].sort()]).toEqual([[query], ['one', 'two']]);
    },
  );
});

describe('label names on kube-state-metrics series', () => {
  // kube-state-metrics' labelName (internal/store/utils.go): sanitised, then snake case and
  // lower case; the expected names are its own test's (utils_test.go, TestKubeLabelsToPrometheusLabels
  // and TestToSnakeCase).
  it.each([
    ['app.kubernetes.io/name=collab', 'label_app_kubernetes_io_name="collab"'],
    ['camelCase=x', 'label_camel_case="x"'],
    ['snake_camelCase=x', 'label_snake_camel_case="x"'],
    ['example.com/fooBarBaz=x', 'label_example_com_foo_bar_baz="x"'],
    ['aBcD=x', 'label_a_bc_d="x"'],
    ['ABC=x', 'label_abc="x"'],
    ['9A=x', 'label_9_a="x"'],
    ['0_app3=x', 'label_0_app3="x"'],
    ['Tier!=web', 'label_tier!="web"'],
  ])('reads %s from the label kube-state-metrics writes for its key', async (selector, matcher) => {
    const query = `group by (pod) (kube_pod_labels{namespace="platform",${matcher}})`;
    const { client, asked } = fakeClient({ [query]: [sample({ pod: 'collab-0' })] });
    const names = await kubeStateObjectLister(client).names(
      'pods',
      'platform',
      parseLabelSelector(selector),
    );
    expect([asked, [...names]]).toEqual([[query], ['collab-0']]);
  });
});

describe('> and < on kube-state-metrics series', () => {
  // Requirement.Matches reads the object's value with strconv.ParseInt(v, 10, 64) and matches
  // neither operator where that fails; label values may hold `1e3`, `0x10` or `1.5` (letters,
  // digits, `.`), which ParseInt refuses, and int64 compares exactly past 2^53.
  it.each<[string, string, boolean]>([
    ['replicas>2', '3', true],
    ['replicas>2', '1e3', false],
    ['replicas>2', '0x10', false],
    ['replicas<2', '1.5', false],
    ['replicas>2', '0003', true],
    ['replicas>9007199254740992', '9007199254740993', true],
    ['replicas<9007199254740993', '9007199254740992', true],
    ['replicas>1', '9223372036854775808', false],
  ])('%s picks a pod labelled replicas=%s: %p', async (selector, value, picked) => {
    const query = 'kube_pod_labels{namespace="platform",label_replicas!=""}';
    const { client, asked } = fakeClient({
      [query]: [sample({ pod: 'worker-0', label_replicas: value })],
    });
    const names = await kubeStateObjectLister(client).names(
      'pods',
      'platform',
      parseLabelSelector(selector),
    );
    expect([asked, [...names]]).toEqual([[query], picked ? ['worker-0'] : []]);
  });
});
