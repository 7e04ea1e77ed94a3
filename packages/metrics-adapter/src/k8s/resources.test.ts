import { builtInResource, canonicalResource, isRootScoped, kindOf, singularOf } from './resources';

describe('kindOf', () => {
  it.each([
    ['pods', { kind: 'Pod', apiVersion: '/v1' }],
    ['deployments.apps', { kind: 'Deployment', apiVersion: 'apps/v1' }],
    ['ingresses.networking.k8s.io', { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' }],
    [
      'horizontalpodautoscalers.autoscaling',
      { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2' },
    ],
    ['widgets.example.com', { kind: 'Widget', apiVersion: 'example.com/v1' }],
    ['policies.example.com', { kind: 'Policy', apiVersion: 'example.com/v1' }],
    // Names of Object.prototype's members are resources like any other unlisted one.
    ['constructor', { kind: 'Constructor', apiVersion: '/v1' }],
    ['__proto__', { kind: '__proto__', apiVersion: '/v1' }],
  ])('gives %s the kind and apiVersion helpers.ReferenceFor writes', (resource, expected) => {
    expect(kindOf(resource)).toEqual(expected);
  });
});

describe('built-in resources, as a RESTMapper resolves them', () => {
  it.each([
    // [group given, name, key]
    [undefined, 'deployment', 'deployments.apps'],
    [undefined, 'deployments', 'deployments.apps'],
    [undefined, 'ingress', 'ingresses.networking.k8s.io'],
    [undefined, 'job', 'jobs.batch'],
    [undefined, 'pod', 'pods'],
    [undefined, 'Namespace', 'namespaces'],
    // Two groups serve events: without a group the core one wins.
    [undefined, 'event', 'events'],
    ['events.k8s.io', 'event', 'events.events.k8s.io'],
    ['apps', 'statefulset', 'statefulsets.apps'],
    ['', 'endpoints', 'endpoints'],
  ])('in group %s, %s is %s', (group, name, key) => {
    expect(builtInResource(group, name)?.key).toBe(key);
  });

  it('knows no resource that Kubernetes does not build in, nor one in the wrong group', () => {
    expect(builtInResource(undefined, 'container')).toBeUndefined();
    expect(builtInResource(undefined, 'instance')).toBeUndefined();
    expect(builtInResource('', 'deployment')).toBeUndefined();
    expect(builtInResource(undefined, 'constructor')).toBeUndefined();
  });

  it('puts a request path resource in its canonical form and leaves custom ones alone', () => {
    expect(canonicalResource('deployments')).toBe('deployments.apps');
    expect(canonicalResource('deployment.apps')).toBe('deployments.apps');
    expect(canonicalResource('ingresses')).toBe('ingresses.networking.k8s.io');
    expect(canonicalResource('pods')).toBe('pods');
    expect(canonicalResource('widgets.example.com')).toBe('widgets.example.com');
    expect(canonicalResource('deployments.example.com')).toBe('deployments.example.com');
  });

  it('names singulars as Prometheus labels do, and knows which resources have no namespace', () => {
    expect(singularOf('ingresses.networking.k8s.io')).toBe('ingress');
    expect(singularOf('horizontalpodautoscalers.autoscaling')).toBe('horizontalpodautoscaler');
    expect(singularOf('certificates.cert-manager.io')).toBe('certificate');
    expect(
      ['nodes', 'namespaces', 'persistentvolumes', 'storageclasses.storage.k8s.io'].map(
        isRootScoped,
      ),
    ).toEqual([true, true, true, true]);
    expect(['pods', 'deployments.apps', 'widgets.example.com'].map(isRootScoped)).toEqual([
      false,
      false,
      false,
    ]);
  });
});
