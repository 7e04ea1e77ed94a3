// The kustomize base in deploy/ renders with the real kubectl, and the Deployment's arguments
// are flags this adapter accepts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
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
});
