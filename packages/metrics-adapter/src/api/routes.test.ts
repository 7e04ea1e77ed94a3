import fc from 'fast-check';
import { route, selectors } from './routes';
import { isStatus, type Status } from './status';

const C = '/apis/custom.metrics.k8s.io';
const E = '/apis/external.metrics.k8s.io';

describe('route', () => {
  it.each<[string, object]>([
    ['/healthz', { kind: 'health', check: 'healthz' }],
    ['/readyz', { kind: 'health', check: 'readyz' }],
    ['/readyz/shutdown', { kind: 'health', check: 'readyz', only: 'shutdown' }],
    ['/livez/ping', { kind: 'health', check: 'livez', only: 'ping' }],
    ['/version', { kind: 'version' }],
    ['/openapi/v2', { kind: 'openapi' }],
    ['/openapi/v3', { kind: 'openapi-v3' }],
    [
      '/openapi/v3/apis/custom.metrics.k8s.io/v1beta2',
      { kind: 'openapi-v3', document: 'apis/custom.metrics.k8s.io/v1beta2' },
    ],
    ['/metrics', { kind: 'metrics' }],
    ['/apis', { kind: 'apis' }],
    [`${C}`, { kind: 'group', group: 'custom.metrics.k8s.io' }],
    [`${C}/v1beta2`, { kind: 'resources', group: 'custom.metrics.k8s.io', version: 'v1beta2' }],
    [`${E}/v1beta1/`, { kind: 'resources', group: 'external.metrics.k8s.io', version: 'v1beta1' }],
    [
      `${C}/v1beta2/namespaces/default/pods/*/websocket_connections`,
      {
        kind: 'custom',
        version: 'v1beta2',
        namespace: 'default',
        resource: 'pods',
        name: '*',
        metric: 'websocket_connections',
      },
    ],
    [
      `${C}/v1beta1/namespaces/default/pods/%2A/job_queue_length`,
      {
        kind: 'custom',
        version: 'v1beta1',
        namespace: 'default',
        resource: 'pods',
        name: '*',
        metric: 'job_queue_length',
      },
    ],
    [
      `${C}/v1beta2/namespaces/platform/deployments.apps/video-processing/job_queue_length`,
      {
        kind: 'custom',
        version: 'v1beta2',
        namespace: 'platform',
        resource: 'deployments.apps',
        name: 'video-processing',
        metric: 'job_queue_length',
      },
    ],
    [
      // A metric about the namespace itself: the same object as namespaces/platform/queue_length.
      `${C}/v1beta2/namespaces/platform/metrics/queue_length`,
      {
        kind: 'custom',
        version: 'v1beta2',
        resource: 'namespaces',
        name: 'platform',
        metric: 'queue_length',
      },
    ],
    [
      `${C}/v1beta2/nodes/node-1.example/gpu_utilisation`,
      {
        kind: 'custom',
        version: 'v1beta2',
        resource: 'nodes',
        name: 'node-1.example',
        metric: 'gpu_utilisation',
      },
    ],
    [
      `${C}/v1beta2/namespaces/platform/queue_length`,
      {
        kind: 'custom',
        version: 'v1beta2',
        resource: 'namespaces',
        name: 'platform',
        metric: 'queue_length',
      },
    ],
    [
      `${E}/v1beta1/namespaces/platform/job_queue_length`,
      { kind: 'external', version: 'v1beta1', namespace: 'platform', metric: 'job_queue_length' },
    ],
  ])('reads %s', (path, expected) => {
    expect(route(path)).toEqual(expected);
  });

  it.each<[string, number, string]>([
    ['/', 404, 'could not find the requested resource'],
    ['/apis/apps/v1', 404, 'could not find'],
    [`${C}/v1`, 404, 'could not find'],
    [`${E}/v1beta2/namespaces/a/m`, 404, 'could not find'],
    [`${C}/v1beta2/namespaces/default/pods/web/m/extra`, 404, 'could not find'],
    [`${C}/v1beta2/namespaces/default/pods/web%2Fx/m`, 404, 'could not find'],
    [`${C}/v1beta2/namespaces/Default/pods/*/m`, 400, 'invalid namespace "Default"'],
    [`${C}/v1beta2/namespaces/default/pods/Web_1/m`, 400, 'invalid object name "Web_1"'],
    [`${C}/v1beta2/namespaces/default/pods/%E0%A4%A/m`, 400, 'invalid percent-encoding'],
    [`${C}/v1beta2/namespaces/default/Pods/*/m`, 404, 'could not find'],
    [`${E}/v1beta1/namespaces/default/bad%20metric`, 400, 'invalid metric name "bad metric"'],
    [`${C}/v1beta2//pods/*/m`, 404, 'could not find'],
    // Names of Object.prototype's members are groups like any other unknown one.
    ['/apis/valueOf/%00', 404, 'could not find'],
    ['/apis/__proto__/v1', 404, 'could not find'],
    ['/apis/constructor', 404, 'could not find'],
    ['/apis/hasOwnProperty/v1beta1/namespaces/a/m', 404, 'could not find'],
  ])('answers %s with %i (%s)', (path, code, message) => {
    const r = route(path);
    expect(isStatus(r)).toBe(true);
    expect((r as Status).code).toBe(code);
    expect((r as Status).message).toContain(message);
  });

  it.each<[string, boolean]>([
    ['/', false],
    ['/nope', false],
    ['/apis/apps/v1', false],
    ['/apis/custom.metrics.k8s.io.evil/v1', false],
    ['/version/x', true],
    [`${C}/v1`, true],
    [`${C}/v1beta2/namespaces/default/pods/web/m/extra`, true],
    [`${E}/v1beta2/namespaces/a/m`, true],
  ])('answers %s with the 404 the apiserver gives it (details set: %p)', (path, details) => {
    const r = route(path) as Status;
    expect(r).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
    expect(r.details).toEqual(details ? {} : undefined);
  });

  it('answers 100k random and mutated paths with a route, a 400 or a 404, never a crash', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'apis',
        'custom.metrics.k8s.io',
        'external.metrics.k8s.io',
        'v1beta1',
        'v1beta2',
        'namespaces',
        'pods',
        '*',
        '%2A',
        'metrics',
        'nodes',
        'default',
        '%',
        '%ZZ',
        '..',
        '',
      ),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 6, unit: 'binary' }).map(encodeURIComponent),
    );
    const path = fc.array(piece, { maxLength: 8 }).map((p) => '/' + p.join('/'));
    fc.assert(
      fc.property(path, (p) => {
        const r = route(p);
        return !isStatus(r) || r.code === 400 || r.code === 404;
      }),
      { numRuns: 100_000 },
    );
  });
});

describe('route, resources', () => {
  it.each([
    ['deployments', 'deployments.apps'],
    ['deployment.apps', 'deployments.apps'],
    ['ingresses', 'ingresses.networking.k8s.io'],
    ['pod', 'pods'],
    ['widgets.example.com', 'widgets.example.com'],
    // A CRD's plural is a DNS-1035 label: `-` is allowed in it.
    ['sealed-widgets.example.com', 'sealed-widgets.example.com'],
    ['render-jobs.batch.example.com', 'render-jobs.batch.example.com'],
  ])('names %s as the API server normalises it: %s', (asked, resource) => {
    expect(route(`${C}/v1beta2/namespaces/platform/${asked}/web/m`)).toMatchObject({
      kind: 'custom',
      resource,
    });
  });
});

describe('selectors', () => {
  it('reads the label selector, metric label selector and object name', () => {
    const q = new URLSearchParams({
      labelSelector: 'app in (web,api)',
      metricLabelSelector: 'queue=render',
      fieldSelector: 'metadata.name=web-1',
    }).toString();
    expect(selectors(q)).toEqual({
      labelSelector: [{ key: 'app', operator: 'in', values: ['api', 'web'] }],
      metricLabelSelector: [{ key: 'queue', operator: '=', values: ['render'] }],
      objectName: 'web-1',
    });
  });

  it('treats absent parameters as match-everything', () => {
    expect(selectors('')).toEqual({ labelSelector: [], metricLabelSelector: [] });
  });

  it.each<[string, string]>([
    ['labelSelector=app+in+(', 'labelSelector: invalid label selector "app in ("'],
    ['metricLabelSelector=%3D%3D', 'metricLabelSelector: invalid label selector "=="'],
    [
      'fieldSelector=status.phase%3DRunning',
      '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    ['limit=abc', 'query parameter limit: "abc" is not an integer'],
    [
      'timeoutSeconds=9223372036854775808',
      'query parameter timeoutSeconds: "9223372036854775808" is not an integer',
    ],
  ])('answers %s with a 400 naming the parameter', (query, message) => {
    const r = selectors(query);
    expect(r).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect((r as Status).message).toContain(message);
  });

  // As Go's url.ParseQuery and ListOptions' decoding read a query (apimachinery's
  // Convert_Slice_string_To_string takes the first value), and the authorizer with them.
  it.each<[string, string]>([
    ['labelSelector=app%3Dweb&labelSelector=app%3Dapi', 'app=web'],
    ['labelSelector=app%3Dweb;x=1&labelSelector=app%3Dapi', 'app=api'],
    ['labelSelector=%zz&labelSelector=app%3Dapi', 'app=api'],
    ['labelSelector=app%3Dweb&limit=500&timeoutSeconds=-1', 'app=web'],
  ])('reads %s as the selector %s', (query, selector) => {
    const [key, value] = selector.split('=');
    expect(selectors(query)).toEqual({
      labelSelector: [{ key, operator: '=', values: [value] }],
      metricLabelSelector: [],
    });
  });
});

// fields.ParseSelector and custom-metrics-apiserver's list handler (endpoints/handlers/get.go),
// expected values from apimachinery v0.29.3 run on each input.
describe('selectors, the field selector', () => {
  const q = (fieldSelector: string) => new URLSearchParams({ fieldSelector }).toString();

  it.each<[string, string | null, string | undefined]>([
    // [fieldSelector, the path's object name, the object name read]
    ['metadata.name=web-1', 'web-1', 'web-1'],
    ['metadata.name==web-1', 'web-1', 'web-1'],
    ['metadata.namespace=platform,metadata.name=web-1', 'web-1', 'web-1'],
    ['metadata.name=web-1', '*', 'web-1'],
    // An empty selector, and one of empty terms only, select everything.
    ['', 'web-1', undefined],
    [',', '*', undefined],
    // A term of neither field nor value is Everything() once hasTerm/notHasTerm transform it.
    ['=', 'web-1', undefined],
    ['==,!=', '*', undefined],
    // Terms in Go's order (sort.StringSlice, UTF-8 bytes): U+FFFD (EF BF BD) before U+1F600
    // (F0 9F 98 80), which UTF-16 puts first (D83D < FFFD); RequiresExactMatch takes the first.
    ['metadata.name=\u{1F600},metadata.name=\uFFFD', null, '\uFFFD'],
    // External metrics name no object: the selector is checked, not applied.
    ['metadata.namespace=platform', null, undefined],
    ['metadata.name=a\\,b', null, 'a,b'],
  ])('reads %j for a path naming %j as %j', (field, pathName, objectName) => {
    expect(selectors(q(field), pathName)).toEqual({
      labelSelector: [],
      metricLabelSelector: [],
      ...(objectName === undefined ? {} : { objectName }),
    });
  });

  it.each<[string, string | null, string]>([
    ['metadata.name=web-2', 'web-1', "fieldSelector metadata.name doesn't match requested name"],
    ['metadata.name!=web-2', 'web-1', "fieldSelector metadata.name doesn't match requested name"],
    ['metadata.namespace=platform', 'web-1', "doesn't match requested name"],
    ['metadata.namespace=platform', '*', "doesn't match requested name"],
    // Nothing is trimmed: the field is `metadata.name `.
    ['metadata.name = web-1', 'web-1', '"metadata.name " is not a known field selector'],
    ['spec.nodeName=n1', null, '"spec.nodeName" is not a known field selector'],
    [
      'metadata.name',
      'web-1',
      "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    ],
    ['metadata.name=a\\x', 'web-1', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a=b', 'web-1', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=Web_1', '*', 'invalid object name "Web_1"'],
  ])('answers %j for a path naming %j with a 400 (%s)', (field, pathName, message) => {
    const r = selectors(q(field), pathName);
    expect(r).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect((r as Status).message).toContain(message);
  });
});
