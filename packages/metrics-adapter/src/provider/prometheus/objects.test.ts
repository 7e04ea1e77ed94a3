// The kube-state-metrics object lister: which series it asks for each resource, and which label
// it reads the names from, as kube-state-metrics writes them (internal/store/*.go).
import { parseLabelSelector } from '../../k8s/label-selector';
import type { PrometheusClient, Sample } from './client';
import { BadSelectorError } from '../provider';
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

describe('selectors on labels kube-state-metrics may lack', () => {
  // As Requirement.Matches: != and notin pick an object without the label, exists and ! ask
  // whether it has one; Prometheus' != "" and = "" match a missing label as an empty one.
  it.each([
    ['tier notin (web)', 'label_tier!~"web"'],
    ['tier!=web', 'label_tier!="web"'],
    ['!tier', 'label_tier=""'],
    ['tier', 'label_tier!=""'],
    [
      'app.kubernetes.io/name in (collab, collab.v2)',
      'label_app_kubernetes_io_name=~"collab|collab\\\\.v2"',
    ],
  ])('sends %s as %s', async (selector, matcher) => {
    const query = `group by (pod) (kube_pod_labels{namespace="platform",${matcher}})`;
    const { client, asked } = fakeClient({ [query]: [sample({ pod: 'video-processing-0' })] });
    const names = await kubeStateObjectLister(client).names(
      'pods',
      'platform',
      parseLabelSelector(selector),
    );
    expect([asked, [...names]]).toEqual([[query], ['video-processing-0']]);
  });

  // `tier=` would pick every pod without a tier label (Kubernetes: only those labelled tier="");
  // `tier!=` would leave them all out (Kubernetes picks them).
  it.each(['tier=', 'tier==', 'tier in ()', 'tier in (web,)', 'tier!=', 'tier notin (,web)'])(
    'refuses %j, whose empty value kube-state-metrics cannot tell from a missing label, with 400 and asks nothing',
    async (selector) => {
      const { client, asked } = fakeClient({});
      const names = kubeStateObjectLister(client).names(
        'pods',
        'platform',
        parseLabelSelector(selector),
      );
      await expect(names).rejects.toThrow(BadSelectorError);
      await expect(names).rejects.toThrow(
        /an empty value of "tier" cannot be told from no such label in kube-state-metrics' series/,
      );
      expect(asked).toEqual([]);
    },
  );
});

describe('root-scoped and namespaced resources', () => {
  it.each([
    // kube-state-metrics: kube_node_labels{node}, kube_namespace_labels{namespace}: no namespace matcher.
    ['nodes', undefined, 'group by (node) (kube_node_labels{label_pool="gpu"})', 'node'],
    [
      'namespaces',
      undefined,
      'group by (namespace) (kube_namespace_labels{label_pool="gpu"})',
      'namespace',
    ],
    [
      'namespaces',
      'platform',
      'group by (namespace) (kube_namespace_labels{label_pool="gpu"})',
      'namespace',
    ],
  ])('lists %s (namespace %p) with %s', async (resource, namespace, query, label) => {
    const { client, asked } = fakeClient({
      [query]: [sample({ [label]: 'b' }), sample({ [label]: 'a' })],
    });
    const names = await kubeStateObjectLister(client).names(
      resource,
      namespace,
      parseLabelSelector('pool=gpu'),
    );
    expect([asked, [...names].sort()]).toEqual([[query], ['a', 'b']]);
  });

  it('lists a pod once when two kube-state-metrics replicas export its series', async () => {
    const query = 'kube_pod_labels{namespace="platform",label_replicas!=""}';
    const { client } = fakeClient({
      [query]: [
        sample({ pod: 'worker-0', instance: 'ksm-0', label_replicas: '3' }),
        sample({ pod: 'worker-0', instance: 'ksm-1', label_replicas: '3' }),
      ],
    });
    const names = await kubeStateObjectLister(client).names(
      'pods',
      'platform',
      parseLabelSelector('replicas>1'),
    );
    expect([...names]).toEqual(['worker-0']);
  });
});
