// The kustomize base in deploy/ renders with the real kubectl, and the Deployment's arguments
// are flags this adapter accepts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { catalog } from '@beacon/metric-catalog';
import { parseAllDocuments } from 'yaml';
import { parseFlags } from './flags';
import { parseAdapterConfig } from './provider/prometheus/config';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const rendered = (): Obj[] =>
  parseAllDocuments(
    execFileSync('kubectl', ['kustomize', join(__dirname, '..', 'deploy')], { encoding: 'utf8' }),
  ).map((d) => d.toJS() as Obj);

describe('deploy/ (kustomize)', () => {
  const docs = rendered();
  const find = (kind: string, name?: string) =>
    docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));

  it('registers the three API versions with the aggregator, pointing at the Service', () => {
    expect(
      find('APIService')
        .map((a) => a.metadata.name)
        .sort(),
    ).toEqual([
      'v1beta1.custom.metrics.k8s.io',
      'v1beta1.external.metrics.k8s.io',
      'v1beta2.custom.metrics.k8s.io',
    ]);
    for (const a of find('APIService')) {
      expect(a.spec.service).toEqual({ name: 'beacon-metrics-adapter', namespace: 'monitoring' });
    }
    expect(find('Service', 'beacon-metrics-adapter')[0]?.metadata.namespace).toBe('monitoring');
  });

  it('runs the adapter with flags it accepts and a rule config it parses', () => {
    const deployment = find('Deployment', 'beacon-metrics-adapter')[0] as Obj;
    const container = deployment.spec.template.spec.containers[0];
    const flags = parseFlags(container.args);
    expect(flags.securePort).toBe(container.ports[0].containerPort);
    const configMap = docs.find((d) => d.kind === 'ConfigMap') as Obj;
    expect(deployment.spec.template.spec.volumes[0].configMap.name).toBe(configMap.metadata.name);
    expect(() => parseAdapterConfig(configMap.data['config.yaml'], 'config.yaml')).not.toThrow();
    expect(flags.config).toBe('/etc/adapter/config.yaml');
  });

  it('grants delegated auth and lets the HPA controller read the metrics APIs', () => {
    const bindings = find('ClusterRoleBinding').map((b) => [b.roleRef.name, b.subjects[0].name]);
    expect(bindings).toEqual(
      expect.arrayContaining([
        ['system:auth-delegator', 'beacon-metrics-adapter'],
        ['beacon-custom-metrics-reader', 'horizontal-pod-autoscaler'],
      ]),
    );
    expect(find('RoleBinding')[0]?.roleRef.name).toBe('extension-apiserver-authentication-reader');
  });

  // The adapter reads kube-system/extension-apiserver-authentication at startup and stops when it
  // is refused (src/main.ts, as k8s.io/apiserver does). The Role that allows it exists only in
  // kube-system, so the RoleBinding must be there (prometheus-adapter's
  // deploy/manifests/role-binding-auth-reader.yaml: `namespace: kube-system`); a kustomization
  // `namespace:` moves every namespaced object, this one too.
  it('binds the auth reader Role in kube-system, to the service account where it runs', () => {
    const sa = find('ServiceAccount', 'beacon-metrics-adapter')[0] as Obj;
    expect(sa.metadata.namespace).toBe('monitoring');
    const [binding, ...others] = find('RoleBinding');
    expect(others).toEqual([]);
    expect(binding?.metadata.namespace).toBe('kube-system');
    expect(binding?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'extension-apiserver-authentication-reader',
    });
    expect(binding?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'beacon-metrics-adapter', namespace: 'monitoring' },
    ]);
  });

  // prometheus-adapter's deploy/manifests/pod-disruption-budget.yaml: minAvailable 1 over the
  // adapter's pods, so a node drain never takes both replicas (and the APIServices) down at once.
  it('keeps one of the two replicas up through a drain', () => {
    const deployment = find('Deployment', 'beacon-metrics-adapter')[0] as Obj;
    expect(deployment.spec.replicas).toBe(2);
    const [pdb, ...others] = find('PodDisruptionBudget');
    expect(others).toEqual([]);
    expect(pdb?.apiVersion).toBe('policy/v1');
    expect(pdb?.metadata.namespace).toBe('monitoring');
    expect(pdb?.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'beacon-metrics-adapter' } },
    });
    expect(deployment.spec.template.metadata.labels).toEqual(
      expect.objectContaining(pdb?.spec.selector.matchLabels),
    );
  });

  it('has Prometheus scrape /metrics through the Service over HTTPS, with its token, under the job the catalog names', () => {
    // prometheus-operator's ServiceMonitor: without jobLabel the job label is the Service's name;
    // without namespaceSelector it selects Services in its own namespace (ServiceMonitorSpec).
    const [monitor] = find('ServiceMonitor');
    const [service] = find('Service', 'beacon-metrics-adapter');
    expect(monitor?.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor?.spec.namespaceSelector).toBeUndefined();
    expect(monitor?.spec.jobLabel).toBeUndefined();
    for (const [k, v] of Object.entries(monitor?.spec.selector.matchLabels as Obj))
      expect(service?.metadata.labels[k]).toBe(v);
    const exporters = new Set(Object.values(catalog.metricsAdapter).map((m) => m.exporter));
    expect([...exporters]).toEqual([service?.metadata.name]);
    // /metrics is authenticated (a bearer token the adapter reviews) and served over TLS only.
    expect(monitor?.spec.endpoints).toEqual([
      expect.objectContaining({
        port: service?.spec.ports[0].name,
        path: '/metrics',
        scheme: 'https',
        bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      }),
    ]);
  });

  it("puts the adapter's own objects in the namespace the APIServices and bindings name", () => {
    for (const [kind, name] of [
      ['ServiceAccount', 'beacon-metrics-adapter'],
      ['Deployment', 'beacon-metrics-adapter'],
      ['Service', 'beacon-metrics-adapter'],
      ['ServiceMonitor', 'beacon-metrics-adapter'],
    ] as const)
      expect([kind, find(kind, name)[0]?.metadata.namespace]).toEqual([kind, 'monitoring']);
    expect(docs.find((d) => d.kind === 'ConfigMap')?.metadata.namespace).toBe('monitoring');
    for (const b of find('ClusterRoleBinding'))
      for (const s of b.subjects)
        if (s.name === 'beacon-metrics-adapter') expect(s.namespace).toBe('monitoring');
  });
});
