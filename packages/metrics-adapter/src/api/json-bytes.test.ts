import { jsonBytes } from './json-bytes';

const list = (n: number) => ({
  kind: 'MetricValueList',
  apiVersion: 'custom.metrics.k8s.io/v1beta2',
  metadata: {},
  items: Array.from({ length: n }, (_, i) => ({
    describedObject: { kind: 'Pod', namespace: 'platform', name: `pod-${i}`, apiVersion: '/v1' },
    metric: { name: 'wëbsocket_connections "quoted"' },
    value: `${i}m`,
  })),
});

describe('jsonBytes', () => {
  it.each([0, 1, 255, 256, 257, 1500])(
    'gives the bytes of JSON.stringify for a list of %i items',
    (n) => {
      const body = list(n);
      expect(jsonBytes(body).equals(Buffer.from(JSON.stringify(body)))).toBe(true);
    },
  );

  it('serialises a body without a trailing items array whole', () => {
    for (const body of [
      { kind: 'Status', code: 404 },
      { items: [1, 2], kind: 'x' },
      { items: 3 },
    ]) {
      expect(jsonBytes(body).toString()).toBe(JSON.stringify(body));
    }
  });
});
